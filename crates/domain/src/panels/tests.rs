use super::assignment::*;
use proptest::prelude::*;

/// The best total affinity over every set of pairs that gives each application exactly k
/// members, no member over their cap and no conflicted pair; `None` when no set does.
fn brute_force(inst: &Instance) -> Option<i64> {
    let (m, n) = (inst.members.len(), inst.applications.len());
    let pairs: Vec<Pair> = (0..m as u32)
        .flat_map(|member| (0..n as u32).map(move |application| Pair { member, application }))
        .filter(|p| !inst.conflicted(*p))
        .collect();
    let mut best = None;
    for mask in 0u32..(1 << pairs.len()) {
        let mut load = vec![0u32; m];
        let mut got = vec![0u32; n];
        let mut total = 0;
        for (i, p) in pairs.iter().enumerate() {
            if mask >> i & 1 == 1 {
                load[p.member as usize] += 1;
                got[p.application as usize] += 1;
                total += inst.pair_affinity(*p);
            }
        }
        let ok = got.iter().all(|g| *g == inst.reviews_per_application)
            && load.iter().zip(&inst.members).all(|(l, mem)| *l <= mem.load_cap);
        if ok && best.is_none_or(|b| total > b) {
            best = Some(total);
        }
    }
    best
}

fn check_valid(inst: &Instance, a: &Assignment) {
    let mut load = vec![0u32; inst.members.len()];
    let mut got = vec![0u32; inst.applications.len()];
    let mut seen = std::collections::HashSet::new();
    for p in &a.pairs {
        assert!(seen.insert(*p), "pair twice: {p:?}");
        assert!(!inst.conflicted(*p), "conflict broken: {p:?}");
        load[p.member as usize] += 1;
        got[p.application as usize] += 1;
    }
    for (l, m) in load.iter().zip(&inst.members) {
        assert!(*l <= m.load_cap, "load cap broken");
    }
    assert!(got.iter().all(|g| *g == inst.reviews_per_application));
    let total: i64 = a.pairs.iter().map(|p| inst.pair_affinity(*p)).sum();
    assert_eq!(total, a.total_affinity);
}

fn small_instance() -> impl Strategy<Value = Instance> {
    (1usize..=4, 1usize..=4, 1u32..=2).prop_flat_map(|(m, n, k)| {
        let members = prop::collection::vec((0u64..8, prop::option::of(0u8..3), 1u32..=3), m);
        let apps = prop::collection::vec((1u64..8, prop::option::of(0u8..3)), n);
        let bids = prop::collection::vec((0..m as u32, 0..n as u32, 0u8..=3), 0..6);
        let conflicts = prop::collection::vec((0..m as u32, 0..n as u32), 0..4);
        (members, apps, bids, conflicts).prop_map(move |(members, apps, bids, conflicts)| Instance {
            reviews_per_application: k,
            members: members
                .into_iter()
                .map(|(themes, region, load_cap)| Member {
                    themes,
                    region,
                    load_cap,
                })
                .collect(),
            applications: apps
                .into_iter()
                .map(|(themes, region)| Application { themes, region })
                .collect(),
            bids: bids
                .into_iter()
                .map(|(member, application, value)| Bid {
                    member,
                    application,
                    value,
                })
                .collect(),
            conflicts: conflicts
                .into_iter()
                .map(|(member, application)| Pair { member, application })
                .collect(),
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// On random small instances the assignment's value equals the brute-force optimum, it
    /// breaks no conflict or load cap, and it fails exactly when no full assignment exists.
    #[test]
    fn assignment_is_optimal_and_honours_every_rule(inst in small_instance(), candidates in 1usize..4) {
        prop_assume!(inst.reviews_per_application as usize <= inst.members.len());
        let expected = brute_force(&inst);
        match assign_with(&inst, candidates) {
            Ok(a) => {
                check_valid(&inst, &a);
                prop_assert_eq!(Some(a.total_affinity), expected);
            }
            Err(AssignmentError::NoFullAssignment { short, .. }) => {
                prop_assert_eq!(expected, None);
                prop_assert!(!short.is_empty());
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}

fn member(themes: u64, region: Option<u8>, load_cap: u32) -> Member {
    Member {
        themes,
        region,
        load_cap,
    }
}

#[test]
fn affinity_counts_themes_region_and_bid() {
    let m = member(0b101, Some(2), 3);
    let a = Application {
        themes: 0b100,
        region: Some(2),
    };
    assert_eq!(affinity(&m, &a, 3), 18);
    assert_eq!(
        affinity(
            &m,
            &Application {
                themes: 0b10,
                region: None
            },
            0
        ),
        0
    );
}

#[test]
fn an_application_without_enough_unconflicted_members_is_named() {
    let inst = Instance {
        reviews_per_application: 2,
        members: vec![member(1, None, 5), member(1, None, 5)],
        applications: vec![
            Application {
                themes: 1,
                region: None
            };
            3
        ],
        bids: vec![],
        conflicts: vec![Pair {
            member: 0,
            application: 1,
        }],
    };
    match assign(&inst) {
        Err(AssignmentError::NoFullAssignment { short, .. }) => {
            assert_eq!(short.len(), 1);
            assert_eq!(short[0].application, 1);
            assert_eq!(short[0].unconflicted, 1);
            assert!(short[0].lacks_unconflicted(2));
        }
        other => panic!("expected a shortfall, got {other:?}"),
    }
}

#[test]
fn bad_input_is_refused_with_its_reason() {
    let base = Instance {
        reviews_per_application: 1,
        members: vec![member(1, None, 1)],
        applications: vec![Application {
            themes: 1,
            region: None,
        }],
        ..Instance::default()
    };
    let zero_k = Instance {
        reviews_per_application: 0,
        ..base.clone()
    };
    assert_eq!(assign(&zero_k), Err(AssignmentError::NoReviewsNeeded));
    let zero_cap = Instance {
        members: vec![member(1, None, 0)],
        ..base.clone()
    };
    assert_eq!(assign(&zero_cap), Err(AssignmentError::ZeroLoadCap { member: 0 }));
    let too_big_k = Instance {
        reviews_per_application: 2,
        ..base.clone()
    };
    assert_eq!(
        assign(&too_big_k),
        Err(AssignmentError::PanelTooSmall {
            needed: 2,
            members: 1
        })
    );
    let bid = Instance {
        bids: vec![Bid {
            member: 0,
            application: 0,
            value: 4,
        }],
        ..base.clone()
    };
    assert_eq!(assign(&bid), Err(AssignmentError::BidOutOfRange { value: 4 }));
    let stranger = Instance {
        conflicts: vec![Pair {
            member: 3,
            application: 0,
        }],
        ..base
    };
    assert_eq!(assign(&stranger), Err(AssignmentError::UnknownIndex));
}

#[test]
fn a_hand_change_reports_the_affinity_it_loses() {
    let inst = Instance {
        reviews_per_application: 1,
        members: vec![member(1, Some(1), 1), member(0, None, 1)],
        applications: vec![Application {
            themes: 1,
            region: Some(1),
        }],
        bids: vec![Bid {
            member: 0,
            application: 0,
            value: 2,
        }],
        conflicts: vec![],
    };
    let best = assign(&inst).expect("assignable");
    assert_eq!(
        best.pairs,
        vec![Pair {
            member: 0,
            application: 0
        }]
    );
    assert_eq!(best.total_affinity, 17);
    assert_eq!(
        affinity_lost(
            &inst,
            Pair {
                member: 0,
                application: 0
            },
            Pair {
                member: 1,
                application: 0
            }
        ),
        17
    );
}
