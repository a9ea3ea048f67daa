use super::*;
use proptest::collection::vec;
use proptest::prelude::*;

fn place(ranks: &[usize]) -> PlaceChoices {
    PlaceChoices {
        ranks: ranks.to_vec(),
    }
}

fn enabler(capacity: u32, ranks: &[usize], conflicts: &[usize]) -> EnablerChoices {
    EnablerChoices {
        capacity,
        ranks: ranks.to_vec(),
        conflicts: conflicts.to_vec(),
    }
}

/// Four places that all want enabler 0 (capacity 2) first and enabler 1 (capacity 1)
/// second. Enabler 0 ranks 3, 0, 2, 1; enabler 1 ranks 0 then 2, has not ranked 3 and
/// cannot take 1.
fn worked_example() -> Instance {
    Instance {
        places: vec![place(&[0, 1]); 4],
        enablers: vec![enabler(2, &[3, 0, 2, 1], &[]), enabler(1, &[0, 2], &[1])],
    }
}

#[test]
fn the_worked_example_gives_the_known_matching() {
    // 0 and 1 fill enabler 0; 2 displaces 1, who has a conflict with enabler 1; 3 displaces
    // 2, who goes to enabler 1 with room. Nobody else can do better: place-optimal.
    let inst = worked_example();
    assert!(problems(&inst).is_empty());
    let m = match_places(&inst);
    assert_eq!(m.enabler_of, vec![Some(0), None, Some(1), Some(0)]);
    assert_eq!(m.places_of(0), vec![0, 3]);
    assert_eq!(
        m.unmatched,
        vec![Unmatched {
            place: 1,
            why: vec![(0, Refusal::Full), (1, Refusal::Conflict)],
        }]
    );
    assert!(blocking_pairs(&inst, &m.enabler_of).is_empty());
    assert!(breaches(&inst, &m.enabler_of).is_empty());
}

#[test]
fn a_conflict_refuses_a_place_even_with_room() {
    let inst = Instance {
        places: vec![place(&[0])],
        enablers: vec![enabler(3, &[0], &[0])],
    };
    let m = match_places(&inst);
    assert_eq!(m.enabler_of, vec![None]);
    assert_eq!(m.unmatched[0].why, vec![(0, Refusal::Conflict)]);
}

#[test]
fn a_full_enabler_refuses_a_place_they_like_less() {
    let inst = Instance {
        places: vec![place(&[0]), place(&[0])],
        enablers: vec![enabler(1, &[1, 0], &[])],
    };
    let m = match_places(&inst);
    assert_eq!(m.enabler_of, vec![None, Some(0)]);
    assert_eq!(m.unmatched[0].why, vec![(0, Refusal::Full)]);
}

#[test]
fn an_enabler_with_no_room_left_is_full_for_every_place() {
    // Capacity is the room left this run: an enabler whose places are all taken already.
    let inst = Instance {
        places: vec![place(&[0, 1]), place(&[0])],
        enablers: vec![enabler(0, &[0, 1], &[]), enabler(1, &[], &[])],
    };
    assert!(problems(&inst).is_empty());
    let m = match_places(&inst);
    assert_eq!(m.enabler_of, vec![Some(1), None]);
    assert_eq!(m.unmatched[0].why, vec![(0, Refusal::Full)]);
}

#[test]
fn an_enabler_prefers_ranked_places_then_the_rest_in_index_order() {
    let inst = |capacity, ranks: &[usize]| Instance {
        places: vec![place(&[0]); 4],
        enablers: vec![enabler(capacity, ranks, &[])],
    };
    let holds = |i: &Instance| match_places(i).places_of(0);
    assert_eq!(holds(&inst(2, &[2])), vec![0, 2]);
    assert_eq!(holds(&inst(3, &[3, 2])), vec![0, 2, 3]);
    assert_eq!(holds(&inst(1, &[])), vec![0]);
    // A conflict is skipped over in the rest, not ranked last.
    let mut skipping = inst(1, &[]);
    skipping.enablers[0].conflicts = vec![0];
    assert_eq!(holds(&skipping), vec![1]);
}

/// A seeded instance of some size with everything in it: partial ranks and conflicts.
fn seeded(places: usize, enablers: usize, seed: u64) -> Instance {
    use rand::rngs::StdRng;
    use rand::seq::{IndexedRandom, SliceRandom};
    use rand::{Rng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(seed);
    let all: Vec<usize> = (0..enablers).collect();
    let places: Vec<PlaceChoices> = (0..places)
        .map(|_| PlaceChoices {
            ranks: all.choose_multiple(&mut rng, 4).copied().collect(),
        })
        .collect();
    let enablers = (0..enablers)
        .map(|e| {
            let mut chose: Vec<usize> = (0..places.len())
                .filter(|p| places[*p].ranks.contains(&e))
                .collect();
            chose.shuffle(&mut rng);
            let conflicts = chose.iter().copied().filter(|_| rng.random_bool(0.1)).collect();
            chose.truncate(chose.len() * 2 / 3);
            EnablerChoices {
                capacity: rng.random_range(1..=4),
                ranks: chose,
                conflicts,
            }
        })
        .collect();
    Instance { places, enablers }
}

#[test]
fn the_same_instance_gives_the_same_matching() {
    let inst = seeded(500, 60, 7);
    assert!(problems(&inst).is_empty());
    let first = match_places(&inst);
    for _ in 0..3 {
        assert_eq!(match_places(&inst.clone()), first);
    }
    let json = serde_json::to_string(&inst).unwrap();
    let read: Instance = serde_json::from_str(&json).unwrap();
    assert_eq!(match_places(&read), first);
    assert!(blocking_pairs(&inst, &first.enabler_of).is_empty());
    assert!(
        !first.unmatched.is_empty(),
        "the seed should leave some places out"
    );
}

#[test]
fn problems_name_each_kind_of_bad_input() {
    let inst = Instance {
        places: vec![place(&[]), place(&[0, 0, 5]), place(&[1])],
        enablers: vec![enabler(0, &[1, 1, 2, 9], &[7]), enabler(1, &[2], &[0])],
    };
    let found: Vec<(Party, String)> = problems(&inst)
        .into_iter()
        .map(|p| (p.party, p.message))
        .collect();
    let expected: Vec<(Party, &str)> = vec![
        (
            Party::Place(0),
            "Place 0 has chosen no enabler: it needs at least one",
        ),
        (
            Party::Place(1),
            "Place 1 chose enabler 0 more than once: keep their best position",
        ),
        (
            Party::Place(1),
            "Place 1 chose enabler 5, but there are only 2 enablers (0 to 1)",
        ),
        (
            Party::Enabler(0),
            "Enabler 0 ranked place 1 more than once: keep its best position",
        ),
        (
            Party::Enabler(0),
            "Enabler 0 ranked place 2, which did not choose them: take it off their list",
        ),
        (
            Party::Enabler(0),
            "Enabler 0 ranked place 9, but there are only 3 places (0 to 2)",
        ),
        (
            Party::Enabler(0),
            "Enabler 0 marked a conflict with place 7, but there are only 3 places (0 to 2)",
        ),
    ];
    let expected: Vec<(Party, String)> = expected.into_iter().map(|(p, m)| (p, m.to_string())).collect();
    assert_eq!(found, expected);
    let one = Instance {
        places: vec![place(&[1])],
        enablers: vec![enabler(1, &[], &[])],
    };
    assert_eq!(
        problems(&one)[0].message,
        "Place 0 chose enabler 1, but there is only enabler 0"
    );
}

#[test]
fn blocking_pairs_name_the_pair_a_hand_change_unsettles() {
    let inst = worked_example();
    // Swap 2 and 3: enabler 0 now holds 2, whom they like less than 3, who likes enabler 0
    // better than enabler 1.
    let by_hand = vec![Some(0), None, Some(0), Some(1)];
    assert!(breaches(&inst, &by_hand).is_empty());
    assert_eq!(blocking_pairs(&inst, &by_hand), vec![(3, 0)]);
    // Leaving 3 out instead gives enabler 0 room, which 1, 2 and 3 would all take.
    let dropped = vec![Some(0), None, Some(1), None];
    assert_eq!(blocking_pairs(&inst, &dropped), vec![(1, 0), (2, 0), (3, 0)]);
}

#[test]
fn breaches_name_capacity_conflict_and_unchosen_enablers() {
    let inst = worked_example();
    let by_hand = vec![Some(1), Some(1), Some(7), Some(0)];
    let found = breaches(&inst, &by_hand);
    assert_eq!(
        found,
        vec![
            Breach::Conflict { place: 1, enabler: 1 },
            Breach::NoSuchEnabler { place: 2, enabler: 7 },
            Breach::OverCapacity {
                enabler: 1,
                holds: 2,
                capacity: 1
            },
        ]
    );
    let words: Vec<String> = found.iter().map(ToString::to_string).collect();
    assert_eq!(
        words,
        vec![
            "Place 1 is with enabler 1, who marked a conflict with it",
            "Place 2 is with enabler 7, who does not exist",
            "Enabler 1 holds 2 places but can hold only 1",
        ]
    );
    let unchosen = Instance {
        places: vec![place(&[0])],
        enablers: vec![enabler(1, &[], &[]), enabler(1, &[], &[])],
    };
    let found = breaches(&unchosen, &[Some(1)]);
    assert_eq!(found, vec![Breach::NotChosen { place: 0, enabler: 1 }]);
    assert_eq!(
        found[0].to_string(),
        "Place 0 is with enabler 1, whom it did not choose"
    );
    // A place with an enabler it did not choose would rather have the one it did.
    assert_eq!(blocking_pairs(&unchosen, &[Some(1)]), vec![(0, 0)]);
}

mod reference;
use reference::{all_matchings, naive_blocking, naive_rank, position};

/// Random valid instances: 1 to `most_places` places, each choosing 1 to `longest`
/// distinct enablers of 1 to `most_enablers`; each enabler a capacity of 1 to
/// `most_capacity`, ranking some of the places that chose them (a random order, cut at a
/// random length) and with a conflict with each place one time in eight.
fn instances(
    most_places: usize,
    most_enablers: usize,
    longest: usize,
    most_capacity: u32,
) -> impl Strategy<Value = Instance> {
    (1..=most_places, 1..=most_enablers)
        .prop_flat_map(move |(places, enablers)| {
            let all: Vec<usize> = (0..enablers).collect();
            let list = proptest::sample::subsequence(all, 1..=longest.min(enablers)).prop_shuffle();
            let enabler = (
                1..=most_capacity,
                vec(any::<u16>(), places),
                0..=places,
                vec(prop::bool::weighted(0.125), places),
            );
            (vec(list, places), vec(enabler, enablers))
        })
        .prop_map(|(lists, raw)| {
            let places: Vec<PlaceChoices> = lists.into_iter().map(|ranks| PlaceChoices { ranks }).collect();
            let enablers = raw
                .into_iter()
                .enumerate()
                .map(|(e, (capacity, keys, ranked, conflict))| {
                    let mut ranks: Vec<usize> = (0..places.len())
                        .filter(|p| places[*p].ranks.contains(&e))
                        .collect();
                    ranks.sort_by_key(|p| (keys[*p], *p));
                    ranks.truncate(ranked);
                    let conflicts = (0..places.len()).filter(|p| conflict[*p]).collect();
                    EnablerChoices {
                        capacity,
                        ranks,
                        conflicts,
                    }
                })
                .collect();
            Instance { places, enablers }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn the_matching_is_stable_within_limits_and_explained(inst in instances(40, 12, 5, 5)) {
        prop_assert!(problems(&inst).is_empty());
        let m = match_places(&inst);
        prop_assert_eq!(&match_places(&inst), &m);
        prop_assert_eq!(m.enabler_of.len(), inst.places.len());
        prop_assert!(breaches(&inst, &m.enabler_of).is_empty());
        prop_assert!(blocking_pairs(&inst, &m.enabler_of).is_empty());
        prop_assert!(naive_blocking(&inst, &m.enabler_of).is_empty());
        let left_out: Vec<usize> = (0..inst.places.len()).filter(|p| m.enabler_of[*p].is_none()).collect();
        prop_assert_eq!(m.unmatched.iter().map(|u| u.place).collect::<Vec<_>>(), left_out);
        for u in &m.unmatched {
            let chose = &inst.places[u.place].ranks;
            prop_assert_eq!(u.why.iter().map(|w| w.0).collect::<Vec<_>>(), chose.clone());
            for &(e, refusal) in &u.why {
                let Some(rank) = naive_rank(&inst, e, u.place) else {
                    prop_assert_eq!(refusal, Refusal::Conflict);
                    continue;
                };
                prop_assert_eq!(refusal, Refusal::Full);
                let held = m.places_of(e);
                prop_assert_eq!(held.len(), inst.enablers[e].capacity as usize);
                for q in held {
                    prop_assert!(naive_rank(&inst, e, q).is_some_and(|r| r < rank));
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn the_matching_is_the_place_optimal_one_found_by_enumeration(inst in instances(7, 7, 4, 3)) {
        let ours = match_places(&inst).enabler_of;
        let mut stable = Vec::new();
        for candidate in all_matchings(&inst) {
            let blocking = naive_blocking(&inst, &candidate);
            prop_assert_eq!(&blocking_pairs(&inst, &candidate), &blocking);
            prop_assert!(breaches(&inst, &candidate).is_empty());
            if blocking.is_empty() {
                stable.push(candidate);
            }
        }
        prop_assert!(stable.contains(&ours), "ours {:?} is not among {:?}", ours, stable);
        for other in &stable {
            for p in 0..inst.places.len() {
                prop_assert!(
                    position(&inst, p, ours[p]) <= position(&inst, p, other[p]),
                    "place {} does better in {:?} than in ours {:?}", p, other, ours
                );
            }
        }
    }
}
