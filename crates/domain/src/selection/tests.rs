use super::model::{Ask, best};
use super::*;
use proptest::prelude::*;

fn candidate(score: i64, pounds: i64, region: Option<&str>, theme: Option<&str>) -> Candidate {
    Candidate {
        reference: format!("LV-{score}-{pounds}"),
        score,
        cost: Pence::pounds(pounds),
        region: region.map(str::to_string),
        theme: theme.map(str::to_string),
    }
}

fn plain(score: i64, pounds: i64) -> Candidate {
    candidate(score, pounds, None, None)
}

fn instance(candidates: Vec<Candidate>, budget: i64, places: u32, rules: Vec<Rule>) -> Instance {
    Instance {
        candidates,
        budget: Pence::pounds(budget),
        places,
        rules,
    }
}

fn at_most(region: &str, most: u32) -> Rule {
    Rule::AtMostInRegion {
        region: region.to_string(),
        most,
    }
}

fn at_least(theme: &str, least: u32) -> Rule {
    Rule::AtLeastInTheme {
        theme: theme.to_string(),
        least,
    }
}

fn selected(inst: &Instance) -> Selection {
    match select(inst) {
        Ok(selection) => selection,
        Err(e) => panic!("expected a selection, got {e:?}"),
    }
}

#[test]
fn the_budget_binds_two_cheaper_beat_one_dear() {
    let inst = instance(
        vec![
            plain(400, 50_000),
            plain(350, 30_000),
            plain(300, 30_000),
            plain(200, 10_000),
        ],
        60_000,
        10,
        vec![],
    );
    let s = selected(&inst);
    assert_eq!(s.chosen, vec![1, 2]);
    assert_eq!(s.total_score, 650);
    assert_eq!(s.spent, Pence::pounds(60_000));
    assert_eq!(s.binding, vec![Limit::Budget]);
    assert_eq!(describe(&inst, &Limit::Budget), "The fund left (£60,000)");
    // With the dearest, only the cheapest fits beside it: 600, so it needs 50 more.
    assert_eq!(s.outside[0].candidate, 0);
    assert_eq!(s.outside[0].keeps_out, KeepsOut::Score { needs: 450 });
}

#[test]
fn the_places_bind_when_money_is_plentiful() {
    let inst = instance(
        vec![plain(300, 10), plain(420, 10), plain(380, 10), plain(410, 10)],
        1_000_000,
        2,
        vec![],
    );
    let s = selected(&inst);
    assert_eq!(s.chosen, vec![1, 3]);
    assert_eq!(s.total_score, 830);
    assert_eq!(s.binding, vec![Limit::Places]);
    assert_eq!(describe(&inst, &Limit::Places), "The 2 places offered");
    let outside: Vec<usize> = s.outside.iter().map(|o| o.candidate).collect();
    assert_eq!(outside, vec![2, 0]);
    // 380 must reach the lowest chosen score, 410, to tie.
    assert_eq!(s.outside[0].keeps_out, KeepsOut::Score { needs: 410 });
}

#[test]
fn a_region_cap_makes_room_for_another_region() {
    let london = Some("London");
    let inst = instance(
        vec![
            candidate(480, 30_000, london, None),
            candidate(470, 30_000, london, None),
            candidate(460, 30_000, london, None),
            candidate(300, 30_000, Some("North West"), None),
        ],
        1_000_000,
        3,
        vec![at_most("London", 2)],
    );
    let s = selected(&inst);
    assert_eq!(s.chosen, vec![0, 1, 3]);
    assert_eq!(s.binding, vec![Limit::Rule(0)]);
    assert_eq!(describe(&inst, &Limit::Rule(0)), "At most 2 in London");
    // The third Londoner has to beat the second: a tie at 470.
    assert_eq!(s.outside[0].candidate, 2);
    assert_eq!(s.outside[0].keeps_out, KeepsOut::Score { needs: 470 });
}

#[test]
fn a_theme_minimum_pulls_in_a_lower_score() {
    let inst = instance(
        vec![
            candidate(450, 30_000, None, Some("Obesity")),
            candidate(440, 30_000, None, Some("Obesity")),
            candidate(300, 30_000, None, Some("Alcohol")),
        ],
        1_000_000,
        2,
        vec![at_least("Alcohol", 1)],
    );
    let s = selected(&inst);
    assert_eq!(s.chosen, vec![0, 2]);
    assert_eq!(s.total_score, 750);
    assert_eq!(s.binding, vec![Limit::Places, Limit::Rule(0)]);
    assert_eq!(describe(&inst, &Limit::Rule(0)), "At least 1 in Alcohol");
}

#[test]
fn two_rules_that_cannot_both_hold_are_named_together() {
    let inst = instance(
        vec![
            candidate(400, 30_000, Some("London"), Some("Alcohol")),
            candidate(350, 30_000, Some("North West"), Some("Obesity")),
        ],
        1_000_000,
        5,
        vec![
            at_least("Obesity", 1),
            at_most("London", 0),
            at_least("Alcohol", 1),
        ],
    );
    assert_eq!(
        solve(&inst),
        Err(SelectionError::Infeasible {
            conflicting: vec![Limit::Rule(1), Limit::Rule(2)]
        })
    );
    assert_eq!(
        select(&inst),
        Err(SelectionError::Infeasible {
            conflicting: vec![Limit::Rule(1), Limit::Rule(2)]
        })
    );
}

#[test]
fn theme_minimums_beyond_the_places_name_the_places() {
    let inst = instance(
        vec![
            candidate(400, 30_000, None, Some("Alcohol")),
            candidate(350, 30_000, None, Some("Obesity")),
            candidate(300, 30_000, None, Some("Tobacco")),
        ],
        1_000_000,
        2,
        vec![
            at_least("Alcohol", 1),
            at_least("Obesity", 1),
            at_least("Tobacco", 1),
        ],
    );
    // Any two of the themes fit in two places: all three with the places do not.
    let Err(SelectionError::Infeasible { conflicting }) = solve(&inst) else {
        panic!("expected no selection");
    };
    assert_eq!(
        conflicting,
        vec![Limit::Places, Limit::Rule(0), Limit::Rule(1), Limit::Rule(2)]
    );
}

#[test]
fn a_theme_with_too_few_candidates_is_named_alone() {
    let inst = instance(
        vec![candidate(400, 30_000, None, Some("Alcohol"))],
        1_000_000,
        5,
        vec![at_least("Alcohol", 1), at_least("Obesity", 1)],
    );
    assert_eq!(
        solve(&inst),
        Err(SelectionError::Infeasible {
            conflicting: vec![Limit::Rule(1)]
        })
    );
}

#[test]
fn a_fund_that_pays_for_nobody_says_so() {
    let inst = instance(vec![plain(400, 35_000), plain(300, 20_000)], 10_000, 5, vec![]);
    let err = solve(&inst).err();
    assert_eq!(
        err,
        Some(SelectionError::NothingAffordable {
            cheapest: Pence::pounds(20_000)
        })
    );
    assert_eq!(
        err.map(|e| e.to_string()).unwrap_or_default(),
        "the fund left pays for no application: the cheapest costs £20,000"
    );
    // No candidates at all is an empty selection, not an unaffordable one.
    assert_eq!(solve(&instance(vec![], 10_000, 5, vec![])), Ok((vec![], 0)));
}

/// The best total with candidate `j`'s score set to `score`, and whether some best
/// selection then holds it.
fn with_score(inst: &Instance, j: usize, score: i64) -> (i64, bool) {
    let mut changed = inst.clone();
    changed.candidates[j].score = score;
    let (_, total) = solve(&changed).unwrap_or_default();
    let holding = best(&changed, &Ask::all(&changed).forcing(j))
        .ok()
        .flatten()
        .map(|b| b.total);
    (total, holding == Some(total))
}

#[test]
fn the_score_needed_is_exactly_where_it_ties() {
    let inst = instance(
        vec![
            plain(420, 40_000),
            plain(390, 30_000),
            plain(380, 30_000),
            plain(360, 20_000),
            plain(250, 10_000),
        ],
        100_000,
        3,
        vec![],
    );
    let s = selected(&inst);
    assert!(!s.outside.is_empty());
    for o in &s.outside {
        let KeepsOut::Score { needs } = o.keeps_out else {
            panic!("expected a score for {o:?}");
        };
        let j = o.candidate;
        assert!(needs >= inst.candidates[j].score);
        let (total, in_best) = with_score(&inst, j, needs);
        assert_eq!(total, s.total_score, "at needs it ties");
        assert!(in_best, "at needs some best selection holds it");
        let (_, in_best) = with_score(&inst, j, needs - 1);
        assert!(!in_best, "below needs no best selection holds it");
        let mut raised = inst.clone();
        raised.candidates[j].score = needs + 1;
        assert!(solve(&raised).is_ok_and(|(chosen, _)| chosen.contains(&j)));
    }
}

#[test]
fn limits_keep_out_what_no_score_brings_in() {
    let inst = instance(
        vec![
            plain(400, 50),
            plain(400, 50),
            plain(300, 100),
            plain(490, 200),
            candidate(450, 10, Some("London"), None),
        ],
        100,
        5,
        vec![at_most("London", 0)],
    );
    let s = selected(&inst);
    assert_eq!(s.chosen, vec![0, 1]);
    let keeps_out = |j: usize| {
        s.outside
            .iter()
            .find(|o| o.candidate == j)
            .map(|o| o.keeps_out.clone())
    };
    // Dearer than the whole fund.
    assert_eq!(keeps_out(3), Some(KeepsOut::Limits(vec![Limit::Budget])));
    // Its region may have nobody.
    assert_eq!(keeps_out(4), Some(KeepsOut::Limits(vec![Limit::Rule(0)])));
    // It fits alone, but would displace 800 for its 300: it would need 800.
    assert_eq!(keeps_out(2), Some(KeepsOut::Limits(vec![Limit::Budget])));
}

#[test]
fn rules_are_checked_against_the_round() {
    let regions = crate::imports::REGIONS;
    let themes = ["Alcohol", "Obesity"];
    let messages = |rules: &[Rule]| -> Vec<String> {
        check_rules(rules, &regions, &themes)
            .into_iter()
            .map(|p| {
                assert_eq!(p.field, "rules");
                p.message
            })
            .collect()
    };
    assert!(
        messages(&[
            at_most("London", 2),
            at_least("Alcohol", 1),
            at_most("North East", 0)
        ])
        .is_empty()
    );
    assert_eq!(
        messages(&[at_most("Atlantis", 2)]),
        vec!["There is no region called \"Atlantis\": choose one of England's nine regions"]
    );
    assert_eq!(
        messages(&[at_least("Gambling", 1)]),
        vec!["There is no theme called \"Gambling\" in this round: choose one of Alcohol, Obesity"]
    );
    assert_eq!(
        messages(&[at_least("Alcohol", 0)]),
        vec!["A rule for Alcohol must ask for at least 1 application"]
    );
    assert_eq!(
        messages(&[
            at_most("London", 2),
            at_most("London", 3),
            at_least("Obesity", 1),
            at_least("Obesity", 2)
        ]),
        vec![
            "There are two rules for London: keep one",
            "There are two rules for Obesity: keep one"
        ]
    );
    assert_eq!(
        check_rules(&[at_most("Here", 1)], &["Here", "There"], &[]).len(),
        0
    );
    assert_eq!(
        check_rules(&[at_least("Alcohol", 1)], &regions, &[])[0].message,
        "This round has no themes, so a rule cannot ask for one"
    );
}

#[test]
fn limits_are_described_for_pages() {
    let inst = instance(
        vec![],
        300_000,
        1,
        vec![at_most("London", 2), at_least("Alcohol", 1)],
    );
    assert_eq!(describe(&inst, &Limit::Budget), "The fund left (£300,000)");
    assert_eq!(describe(&inst, &Limit::Places), "The 1 place offered");
    assert_eq!(describe(&inst, &Limit::Rule(0)), "At most 2 in London");
    assert_eq!(describe(&inst, &Limit::Rule(1)), "At least 1 in Alcohol");
    assert_eq!(describe(&inst, &Limit::Rule(7)), "Rule 8 (no longer set)");
}

/// True when `set` meets `limits`, counted here apart from the model.
fn meets(inst: &Instance, limits: &[Limit], set: &[usize]) -> bool {
    let count =
        |f: &dyn Fn(&Candidate) -> bool| set.iter().filter(|i| f(&inst.candidates[**i])).count() as u32;
    limits.iter().all(|limit| match limit {
        Limit::Budget => set.iter().map(|i| inst.candidates[*i].cost.0).sum::<i64>() <= inst.budget.0,
        Limit::Places => set.len() as u32 <= inst.places,
        Limit::Rule(r) => match &inst.rules[*r] {
            Rule::AtMostInRegion { region, most } => count(&|c| c.region.as_ref() == Some(region)) <= *most,
            Rule::AtLeastInTheme { theme, least } => count(&|c| c.theme.as_ref() == Some(theme)) >= *least,
        },
    })
}

/// The best total over every subset meeting `limits`, holding `forced` (if any) with its
/// score replaced by `forced_score`; `None` when no subset meets them.
fn brute(inst: &Instance, limits: &[Limit], forced: Option<(usize, i64)>) -> Option<i64> {
    let n = inst.candidates.len();
    (0u32..1 << n)
        .filter(|mask| forced.is_none_or(|(j, _)| mask >> j & 1 == 1))
        .filter_map(|mask| {
            let set: Vec<usize> = (0..n).filter(|i| mask >> i & 1 == 1).collect();
            meets(inst, limits, &set).then(|| {
                set.iter()
                    .map(|i| match forced {
                        Some((j, score)) if j == *i => score,
                        _ => inst.candidates[*i].score,
                    })
                    .sum()
            })
        })
        .max()
}

fn without(limits: &[Limit], dropped: &Limit) -> Vec<Limit> {
    limits.iter().filter(|l| *l != dropped).copied().collect()
}

const REGION_NAMES: [&str; 3] = ["London", "North West", "South West"];
const THEME_NAMES: [&str; 3] = ["Alcohol", "Obesity", "Tobacco"];

fn small_instance() -> impl Strategy<Value = Instance> {
    let person = (
        100i64..=500,
        // Mostly round pounds, and one odd amount to the penny.
        prop::sample::select(vec![
            2_000_000i64,
            3_000_000,
            3_500_000,
            3_500_000,
            5_000_000,
            2_712_345,
        ]),
        prop::option::of(0usize..3),
        prop::option::of(0usize..3),
    )
        .prop_map(|(score, pence, region, theme)| Candidate {
            cost: Pence(pence),
            ..candidate(
                score,
                0,
                region.map(|r| REGION_NAMES[r]),
                theme.map(|t| THEME_NAMES[t]),
            )
        });
    let rule = (any::<bool>(), 0usize..3, 0u32..=3).prop_map(|(region, which, n)| {
        if region {
            at_most(REGION_NAMES[which], n)
        } else {
            at_least(THEME_NAMES[which], n)
        }
    });
    (
        prop::collection::vec(person, 0..=10),
        0i64..=300,
        0u32..=7,
        prop::collection::vec(rule, 0..=3),
    )
        .prop_map(|(candidates, thousands, places, rules)| {
            instance(candidates, thousands * 1_000, places, rules)
        })
}

fn unaffordable(inst: &Instance) -> bool {
    !inst.candidates.is_empty() && inst.candidates.iter().all(|c| c.cost > inst.budget)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn the_optimum_is_the_brute_force_optimum(inst in small_instance()) {
        let all = inst.limits();
        match (solve(&inst), brute(&inst, &all, None)) {
            (Err(SelectionError::NothingAffordable { cheapest }), _) => {
                prop_assert!(unaffordable(&inst));
                prop_assert_eq!(Some(cheapest), inst.candidates.iter().map(|c| c.cost).min());
            }
            (Ok((chosen, total)), Some(expected)) => {
                prop_assert!(!unaffordable(&inst));
                prop_assert_eq!(total, expected);
                prop_assert!(meets(&inst, &all, &chosen));
                prop_assert!(inst.allows(&chosen));
                prop_assert!(chosen.windows(2).all(|w| w[0] < w[1]));
                prop_assert_eq!(chosen.iter().map(|i| inst.candidates[*i].score).sum::<i64>(), total);
            }
            (Err(SelectionError::Infeasible { conflicting }), None) => {
                prop_assert!(!unaffordable(&inst));
                prop_assert!(brute(&inst, &conflicting, None).is_none());
                for limit in &conflicting {
                    prop_assert!(brute(&inst, &without(&conflicting, limit), None).is_some());
                }
            }
            (got, expected) => prop_assert!(false, "got {:?}, brute force {:?}", got, expected),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn explanations_agree_with_brute_force(inst in small_instance()) {
        let Ok(s) = select(&inst) else { return Ok(()) };
        let all = inst.limits();
        let optimum = s.total_score;
        let binding: Vec<Limit> = all
            .iter()
            .filter(|l| brute(&inst, &without(&all, l), None).is_some_and(|t| t > optimum))
            .copied()
            .collect();
        prop_assert_eq!(&s.binding, &binding);
        let mut left_out: Vec<usize> = (0..inst.candidates.len()).filter(|i| !s.chosen.contains(i)).collect();
        left_out.sort_by_key(|i| (std::cmp::Reverse(inst.candidates[*i].score), *i));
        left_out.truncate(OUTSIDE_SHOWN);
        prop_assert_eq!(s.outside.iter().map(|o| o.candidate).collect::<Vec<_>>(), left_out);
        for o in &s.outside {
            let j = o.candidate;
            // With only `limits`, would even MAX_SCORE leave j out of every best selection?
            let kept_out = |limits: &[Limit]| {
                let best = brute(&inst, limits, None).unwrap_or(i64::MIN);
                brute(&inst, limits, Some((j, MAX_SCORE))).is_none_or(|t| t < best)
            };
            match &o.keeps_out {
                KeepsOut::Score { needs } => {
                    prop_assert!(*needs <= MAX_SCORE);
                    prop_assert_eq!(brute(&inst, &all, Some((j, *needs))), Some(optimum));
                }
                KeepsOut::Limits(limits) => {
                    prop_assert!(kept_out(&all));
                    prop_assert!(kept_out(limits));
                    if brute(&inst, &all, Some((j, 0))).is_none() {
                        for limit in limits {
                            prop_assert!(brute(&inst, &without(limits, limit), Some((j, 0))).is_some());
                        }
                    }
                }
            }
        }
    }
}

/// A round at national scale: `n` candidates over England's nine regions and 12 themes,
/// scores 1.00 to 5.00, nine in ten costing £35,000 and the rest £20,000 to £50,000
/// (to the penny when `pennies`), a fund for 60 at £35,000, 60 places, at most 9 per
/// region and at least 1 per theme.
fn national(n: usize, seed: u64, pennies: bool) -> Instance {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % below
    };
    let themes: Vec<String> = (1..=12).map(|t| format!("Theme {t}")).collect();
    let candidates = (0..n)
        .map(|i| Candidate {
            reference: format!("LV-{i}"),
            score: 100 + next(401) as i64,
            cost: match (next(10), pennies) {
                (0, true) => Pence(2_000_000 + next(3_000_001) as i64),
                (0, false) => Pence::pounds(20_000 + next(30_001) as i64),
                _ => Pence::pounds(35_000),
            },
            region: Some(crate::imports::REGIONS[next(9) as usize].to_string()),
            theme: Some(themes[next(12) as usize].clone()),
        })
        .collect();
    let mut rules: Vec<Rule> = crate::imports::REGIONS.iter().map(|r| at_most(r, 9)).collect();
    rules.extend(themes.iter().map(|t| at_least(t, 1)));
    Instance {
        candidates,
        budget: Pence::pounds(60 * 35_000),
        places: 60,
        rules,
    }
}

#[test]
#[ignore = "speed sanity: cargo test --release -p convene-domain selection -- --ignored --nocapture"]
fn national_rounds_solve_quickly() {
    // 60 places match the fund; with 70 the fund binds first (a knapsack).
    for (n, places) in [(500, 60), (2_000, 60), (500, 70), (2_000, 70)] {
        for pennies in [false, true] {
            for seed in 1..=3u64 {
                let inst = Instance {
                    places,
                    ..national(n, seed, pennies)
                };
                let started = std::time::Instant::now();
                let solved = solve(&inst);
                let took = started.elapsed();
                let Ok((chosen, total)) = solved else {
                    panic!("no selection: {solved:?}");
                };
                assert!(inst.allows(&chosen));
                let started = std::time::Instant::now();
                let explained = select(&inst);
                assert_eq!(explained.as_ref().map(|s| s.total_score).ok(), Some(total));
                eprintln!(
                    "{n} candidates, {places} places (pennies {pennies}, seed {seed}): solve {took:.1?}, \
                     select {:.1?}; {} chosen, total {total}, binding {:?}, outside {:?}",
                    started.elapsed(),
                    chosen.len(),
                    explained.as_ref().map(|s| &s.binding).ok(),
                    explained.as_ref().map(|s| &s.outside).ok(),
                );
            }
        }
    }
}
