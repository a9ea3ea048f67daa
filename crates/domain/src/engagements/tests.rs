use super::bank_holidays::{BANK_HOLIDAYS, FIRST_YEAR, LAST_YEAR, covers, is_bank_holiday};
use super::*;
use jiff::Span;
use jiff::civil::{Date, Weekday, date};
use proptest::prelude::*;

const DAY: DayLength = DayLength::STANDARD;

fn plus_days(d: Date, days: i64) -> Date {
    d.checked_add(Span::new().days(days)).unwrap()
}

/// Easter Sunday by the anonymous Gregorian algorithm, worked apart from the table.
fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let (a, b, c) = (y % 19, y / 100, y % 100);
    let (d, e) = (b / 4, b % 4);
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as i8, day as i8)
}

/// A year's bank holidays by the standing rules, with weekend ones moved to the next
/// weekdays, and the announced one-offs applied.
fn by_the_rules(year: i16) -> Vec<Date> {
    let easter = easter_sunday(year);
    let monday = |month: i8, nth: i8| {
        date(year, month, 1)
            .nth_weekday_of_month(nth, Weekday::Monday)
            .unwrap()
    };
    let new_year = match date(year, 1, 1).weekday() {
        Weekday::Saturday => date(year, 1, 3),
        Weekday::Sunday => date(year, 1, 2),
        _ => date(year, 1, 1),
    };
    let christmas = match date(year, 12, 25).weekday() {
        Weekday::Friday => [date(year, 12, 25), date(year, 12, 28)],
        Weekday::Saturday => [date(year, 12, 27), date(year, 12, 28)],
        Weekday::Sunday => [date(year, 12, 26), date(year, 12, 27)],
        _ => [date(year, 12, 25), date(year, 12, 26)],
    };
    let mut days = vec![
        new_year,
        plus_days(easter, -2),
        plus_days(easter, 1),
        monday(5, 1),
        monday(5, -1),
        monday(8, -1),
    ];
    days.extend(christmas);
    let (moved, added): (&[Date], &[Date]) = match year {
        2012 => (&[date(2012, 5, 28)], &[date(2012, 6, 4), date(2012, 6, 5)]),
        2020 => (&[date(2020, 5, 4)], &[date(2020, 5, 8)]),
        2022 => (
            &[date(2022, 5, 30)],
            &[date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19)],
        ),
        2023 => (&[], &[date(2023, 5, 8)]),
        _ => (&[], &[]),
    };
    days.retain(|d| !moved.contains(d));
    days.extend_from_slice(added);
    days.sort();
    days
}

#[test]
fn the_table_is_in_order_and_lists_only_weekdays() {
    assert!(BANK_HOLIDAYS.windows(2).all(|w| w[0].date < w[1].date));
    for h in BANK_HOLIDAYS {
        assert!(h.date.weekday().to_monday_zero_offset() < 5, "{:?}", h);
        assert!(covers(h.date.year()));
    }
}

#[test]
fn the_table_agrees_with_the_rules_and_the_announced_changes() {
    for year in FIRST_YEAR..=LAST_YEAR {
        let listed: Vec<Date> = BANK_HOLIDAYS
            .iter()
            .filter(|h| h.date.year() == year)
            .map(|h| h.date)
            .collect();
        assert_eq!(listed, by_the_rules(year), "{year}");
        let expected_count = match year {
            2012 | 2023 => 9,
            2022 => 10,
            _ => 8,
        };
        assert_eq!(listed.len(), expected_count, "{year}");
    }
}

#[test]
fn known_bank_holidays() {
    let known_2013 = [
        (1, 1),
        (3, 29),
        (4, 1),
        (5, 6),
        (5, 27),
        (8, 26),
        (12, 25),
        (12, 26),
    ];
    for (m, d) in known_2013 {
        assert_eq!(is_bank_holiday(date(2013, m, d)), Ok(true), "2013-{m}-{d}");
    }
    // The one-offs, and substitutes for weekend Christmases and New Years.
    for d in [
        date(2012, 6, 4),
        date(2012, 6, 5),
        date(2020, 5, 8),
        date(2022, 6, 2),
        date(2022, 6, 3),
        date(2022, 9, 19),
        date(2023, 5, 8),
        date(2016, 12, 27),
        date(2021, 12, 28),
        date(2022, 1, 3),
    ] {
        assert_eq!(is_bank_holiday(d), Ok(true), "{d}");
    }
    for d in [
        date(2012, 5, 28),
        date(2020, 5, 4),
        date(2022, 5, 30),
        date(2013, 12, 27),
    ] {
        assert_eq!(is_bank_holiday(d), Ok(false), "{d}");
    }
    assert_eq!(is_bank_holiday(date(2031, 1, 1)), Err(NotCovered { year: 2031 }));
}

#[test]
fn the_financial_year_ends_on_the_next_31_march() {
    assert_eq!(financial_year_end(date(2013, 9, 18)), date(2014, 3, 31));
    assert_eq!(financial_year_end(date(2014, 1, 15)), date(2014, 3, 31));
    assert_eq!(financial_year_end(date(2014, 3, 31)), date(2014, 3, 31));
    assert_eq!(financial_year_end(date(2014, 4, 1)), date(2015, 3, 31));
}

#[test]
fn a_mid_week_mid_year_start() {
    // Wednesday 18 September 2013 to Monday 31 March 2014. The first week gives Wed-Fri,
    // 3 days. Monday 23 September to Friday 28 March is 27 whole weeks, 135 weekdays,
    // less Christmas Day, Boxing Day and New Year's Day: 132. Monday 31 March is 1 more.
    // 3 + 132 + 1 = 136 working days; 136 ÷ 5 = 27.2 days, at 7.5 hours 12,240 minutes.
    let (start, end) = (date(2013, 9, 18), date(2014, 3, 31));
    assert_eq!(working_days(start, end), Ok(136));
    assert_eq!(allocation(start, end, DAY), Ok(Minutes(12_240)));
    assert_eq!(DAY.days_text(Minutes(12_240)), "27.20 days");
    let e = Engagement::starting(start, DAY).unwrap();
    assert_eq!((e.end, e.allocation), (end, Minutes(12_240)));
    // In 7-hour days the same 27.2 days is 11,424 minutes.
    let seven = DayLength::from_minutes(420).unwrap();
    assert_eq!(allocation(start, end, seven), Ok(Minutes(11_424)));
    assert_eq!(seven.days_text(Minutes(11_424)), "27.20 days");
}

#[test]
fn christmas_and_easter_weeks_count_fewer_days() {
    // Christmas Day and Boxing Day 2013 fall on Wednesday and Thursday.
    assert_eq!(working_days(date(2013, 12, 23), date(2013, 12, 29)), Ok(3));
    assert_eq!(
        allocation(date(2013, 12, 23), date(2013, 12, 29), DAY),
        Ok(Minutes(270))
    );
    // New Year's Day 2014 is a Wednesday.
    assert_eq!(working_days(date(2013, 12, 30), date(2014, 1, 3)), Ok(4));
    // Good Friday and Easter Monday 2014: 18 and 21 April.
    assert_eq!(working_days(date(2014, 4, 14), date(2014, 4, 18)), Ok(4));
    assert_eq!(working_days(date(2014, 4, 21), date(2014, 4, 25)), Ok(4));
    // Christmas 2021 on a Saturday: the substitutes are Monday 27 and Tuesday 28.
    assert_eq!(working_days(date(2021, 12, 27), date(2021, 12, 31)), Ok(3));
    // The 2022 Jubilee week: Thursday 2 and Friday 3 June.
    assert_eq!(working_days(date(2022, 5, 30), date(2022, 6, 5)), Ok(3));
    // A weekend, and a range that ends before it starts.
    assert_eq!(working_days(date(2013, 9, 21), date(2013, 9, 22)), Ok(0));
    assert_eq!(working_days(date(2013, 9, 20), date(2013, 9, 19)), Ok(0));
}

#[test]
fn a_year_not_covered_is_a_clear_error() {
    let err = allocation(date(2030, 4, 1), date(2031, 3, 31), DAY).unwrap_err();
    assert_eq!(err, NotCovered { year: 2030 });
    assert_eq!(
        NotCovered { year: 2031 }.to_string(),
        "Bank holidays for 2031 are not known yet, so the allocation cannot be worked out"
    );
    assert_eq!(
        working_days(date(2011, 12, 1), date(2012, 1, 31)),
        Err(NotCovered { year: 2011 })
    );
    assert_eq!(
        Engagement::starting(date(2029, 4, 2), DAY),
        Err(NotCovered { year: 2030 })
    );
    // The last financial year covered still works.
    assert!(Engagement::starting(date(2028, 4, 3), DAY).is_ok());
}

#[test]
fn day_lengths_and_days_as_shown() {
    assert_eq!(DayLength::default().minutes(), 450);
    assert_eq!(DayLength::from_minutes(444), None);
    assert_eq!(DayLength::from_minutes(55), None);
    assert_eq!(DayLength::from_minutes(1445), None);
    assert_eq!(DAY.days_text(Minutes(5_580)), "12.40 days");
    assert_eq!(DAY.days_text(Minutes(0)), "0.00 days");
    assert_eq!(DAY.days_text(Minutes(-90)), "-0.20 days");
    // 100 minutes is 0.2222 days; 1 minute is 0.0022, which rounds to nothing.
    assert_eq!(DAY.days_text(Minutes(100)), "0.22 days");
    assert_eq!(DAY.hundredths(Minutes(1)), 0);
    assert_eq!(DAY.hundredths(Minutes(3)), 1);
}

fn autumn_2013() -> Engagement {
    Engagement::starting(date(2013, 9, 18), DAY).unwrap()
}

#[test]
fn an_early_end_leaves_the_rest_for_a_successor() {
    let first = autumn_2013();
    // Ended on Friday 6 December with 3,000 minutes (6.67 days) used.
    let early = first.end_early(date(2013, 12, 6), Minutes(3_000)).unwrap();
    assert_eq!(early.ended.end, date(2013, 12, 6));
    assert_eq!(early.ended.allocation, Minutes(3_000));
    assert_eq!(early.left, Minutes(9_240));
    let next = early.successor(date(2013, 12, 9)).unwrap();
    assert_eq!(
        (next.start, next.end, next.allocation),
        (date(2013, 12, 9), date(2014, 3, 31), Minutes(9_240))
    );
    // 136 working days less the 58 to 6 December: 9,240 minutes spread over 78.
    assert_eq!(working_days(next.start, next.end), Ok(78));
    assert_eq!(
        expected_use(next.allocation, next.start, next.end, next.end),
        Ok(Minutes(9_240))
    );
    assert_eq!(
        expected_use(next.allocation, next.start, next.end, date(2013, 12, 13)),
        Ok(Minutes(592)) // 9,240 × 5 ÷ 78 = 592.3
    );
}

#[test]
fn an_early_end_that_used_everything_leaves_nothing() {
    let early = autumn_2013()
        .end_early(date(2014, 2, 28), Minutes(13_000))
        .unwrap();
    assert_eq!(early.ended.allocation, Minutes(12_240));
    assert_eq!(early.left, Minutes::ZERO);
}

#[test]
fn early_ends_and_successors_keep_to_the_dates() {
    let first = autumn_2013();
    let before = first.end_early(date(2013, 9, 17), Minutes::ZERO).unwrap_err();
    assert_eq!(before.field, "end_date");
    assert_eq!(
        before.message,
        "The end date must be on or after 18 September 2013, when the engagement started"
    );
    assert!(first.end_early(date(2014, 4, 1), Minutes::ZERO).is_err());
    assert!(first.end_early(date(2013, 9, 18), Minutes::ZERO).is_ok());
    let early = first.end_early(date(2013, 12, 6), Minutes::ZERO).unwrap();
    let same_day = early.successor(date(2013, 12, 6)).unwrap_err();
    assert_eq!(same_day.field, "start_date");
    assert_eq!(
        same_day.message,
        "The new engagement must start after 6 December 2013, when the last one ended"
    );
    assert!(early.successor(date(2014, 4, 1)).is_err());
    assert!(early.successor(date(2014, 3, 31)).is_ok());
}

#[test]
fn pace_is_flagged_past_20_percent_after_four_weeks() {
    let e = autumn_2013();
    let today = date(2013, 12, 6);
    // 58 of 136 working days passed: 12,240 × 58 ÷ 136 = 5,220 minutes expected, and
    // 20% of that is 1,044.
    assert_eq!(
        expected_use(e.allocation, e.start, e.end, today),
        Ok(Minutes(5_220))
    );
    let pace_at = |used: i64| pace(e.allocation, Minutes(used), e.start, e.end, today).unwrap();
    assert_eq!(pace_at(5_220), Pace::OnPace);
    assert_eq!(pace_at(6_264), Pace::OnPace);
    assert_eq!(pace_at(6_265), Pace::Ahead { percent: 20 });
    assert_eq!(pace_at(4_176), Pace::OnPace);
    assert_eq!(pace_at(4_175), Pace::Behind { percent: 20 });
    assert_eq!(pace_at(0), Pace::Behind { percent: 100 });
    assert_eq!(pace_at(10_440), Pace::Ahead { percent: 100 });
}

#[test]
fn pace_waits_four_weeks() {
    let e = autumn_2013();
    let pace_on = |today: Date| pace(e.allocation, Minutes::ZERO, e.start, e.end, today).unwrap();
    assert_eq!(pace_on(date(2013, 10, 15)), Pace::OnPace); // 27 days in
    assert_eq!(pace_on(date(2013, 10, 16)), Pace::Behind { percent: 100 }); // 28 days
    // After the end, everything was expected.
    assert_eq!(
        pace(e.allocation, Minutes(12_240), e.start, e.end, date(2014, 6, 1)),
        Ok(Pace::OnPace)
    );
    // A successor left nothing has no pace to be off.
    let empty = Engagement {
        allocation: Minutes::ZERO,
        ..e
    };
    let later = plus_days(e.start, 60);
    assert_eq!(
        pace(empty.allocation, Minutes(60), e.start, e.end, later),
        Ok(Pace::OnPace)
    );
}

#[test]
fn the_burn_down_runs_week_by_week() {
    let e = autumn_2013();
    let contact = [
        (date(2013, 10, 4), Minutes(120)),
        (date(2013, 9, 19), Minutes(90)),
    ];
    let points = burn_down(e.allocation, e.start, e.end, date(2013, 10, 4), &contact).unwrap();
    // The start, the 28 Fridays from 20 September to 28 March, and Monday 31 March.
    assert_eq!(points.len(), 30);
    assert_eq!(points[0].date, date(2013, 9, 18));
    assert_eq!(points[0].expected_remaining, Minutes(12_240));
    assert_eq!(points[0].actual_remaining, Some(Minutes(12_240)));
    assert_eq!(points[1].date, date(2013, 9, 20));
    assert_eq!(points[1].expected_remaining, Minutes(12_240 - 3 * 90));
    assert_eq!(points[1].actual_remaining, Some(Minutes(12_150)));
    assert_eq!(points[3].date, date(2013, 10, 4));
    assert_eq!(points[3].actual_remaining, Some(Minutes(12_030)));
    assert_eq!(points[4].actual_remaining, None);
    let last = points.last().unwrap();
    assert_eq!(
        (last.date, last.expected_remaining),
        (date(2014, 3, 31), Minutes::ZERO)
    );
    assert!(points.windows(2).all(|w| w[0].date < w[1].date));
    assert!(
        points
            .windows(2)
            .all(|w| w[0].expected_remaining >= w[1].expected_remaining)
    );
}

#[test]
fn a_burn_down_starting_on_a_friday_has_no_repeated_date() {
    let points = burn_down(
        Minutes(900),
        date(2014, 3, 7),
        date(2014, 3, 31),
        date(2014, 3, 1),
        &[],
    )
    .unwrap();
    let dates: Vec<Date> = points.iter().map(|p| p.date).collect();
    assert_eq!(
        dates,
        [
            date(2014, 3, 7),
            date(2014, 3, 14),
            date(2014, 3, 21),
            date(2014, 3, 28),
            date(2014, 3, 31)
        ]
    );
    assert!(points.iter().all(|p| p.actual_remaining.is_none()));
    assert_eq!(
        burn_down(
            Minutes(0),
            date(2014, 3, 31),
            date(2014, 3, 31),
            date(2014, 3, 31),
            &[]
        )
        .unwrap()
        .len(),
        1
    );
}

#[test]
fn contact_kinds_round_trip() {
    for k in ContactKind::ALL {
        assert_eq!(ContactKind::from_key(k.key()), Some(k));
        assert!(!k.label().is_empty());
    }
    assert_eq!(ContactKind::from_key("lunch"), None);
}

#[test]
fn hours_as_typed() {
    assert_eq!(parse_hours("1.5"), Ok(Minutes(90)));
    assert_eq!(parse_hours(" 0.25 "), Ok(Minutes(15)));
    assert_eq!(parse_hours("2 hours"), Ok(Minutes(120)));
    assert_eq!(parse_hours("1.5h"), Ok(Minutes(90)));
    assert_eq!(parse_hours(".75"), Ok(Minutes(45)));
    assert_eq!(parse_hours("0.33"), Ok(Minutes(20)));
    assert_eq!(parse_hours("-1"), Ok(Minutes(-60)));
    assert_eq!(
        parse_hours("").unwrap_err().message,
        "Enter the hours of contact, like 1.5"
    );
    assert_eq!(
        parse_hours("1:30").unwrap_err().message,
        "Enter hours as a number, like 1.5"
    );
    assert_eq!(parse_hours("lots").unwrap_err().field, "hours");
    assert!(parse_hours("1.555").is_err());
    assert!(parse_hours("99999").is_err());
    assert_eq!(hours_text(Minutes(90)), "1.5");
    assert_eq!(hours_text(Minutes(75)), "1.25");
    assert_eq!(hours_text(Minutes(1_440)), "24");
    assert_eq!(hours_text(Minutes(50)), "0.83");
}

fn entry(on: Date, minutes: i64) -> ContactEntry {
    ContactEntry {
        date: on,
        minutes: Minutes(minutes),
        kind: ContactKind::Coaching,
        notes: "Talked through the local vision.".into(),
    }
}

#[test]
fn contact_is_checked() {
    let e = autumn_2013();
    let today = date(2013, 12, 6);
    let check = |c: &ContactEntry, logged: i64| contact_problems(c, &e, Minutes(logged), today);
    assert!(check(&entry(date(2013, 12, 2), 90), 0).is_empty());
    assert!(check(&entry(today, 1_440), 0).is_empty());
    for minutes in [0, -60, 10, 1_445] {
        let p = check(&entry(date(2013, 12, 2), minutes), 0);
        assert_eq!(p.len(), 1, "{minutes}");
        assert_eq!(
            (p[0].field.as_str(), p[0].message.as_str()),
            ("hours", "Enter hours between 0.25 and 24, like 1.5")
        );
    }
    let full = check(&entry(date(2013, 12, 2), 90), 1_380);
    assert_eq!(
        full[0].message,
        "23 hours already logged on 2 December 2013: enter 1 hour or less"
    );
    assert!(check(&entry(date(2013, 12, 2), 60), 1_380).is_empty());
    let none_left = check(&entry(date(2013, 12, 2), 15), 1_440);
    assert!(none_left[0].message.ends_with("so no more can be added that day"));
    let before = check(&entry(date(2013, 9, 17), 60), 0);
    assert_eq!(before[0].field, "date");
    assert!(before[0].message.contains("on or after 18 September 2013"));
    let future = check(&entry(date(2013, 12, 9), 60), 0);
    assert_eq!(
        future[0].message,
        "The date of the contact must be today or in the past"
    );
    let ended = e.end_early(date(2013, 11, 29), Minutes::ZERO).unwrap().ended;
    let after = contact_problems(&entry(date(2013, 12, 2), 60), &ended, Minutes::ZERO, today);
    assert!(after[0].message.contains("on or before 29 November 2013"));
    let mut long = entry(date(2013, 12, 2), 60);
    long.notes = "x".repeat(MAX_NOTES + 1);
    assert_eq!(check(&long, 0)[0].field, "notes");
}

/// A start from 1 January 2012 to 31 March 2029, so its financial year is covered.
fn covered_start() -> impl Strategy<Value = Date> {
    let first = date(FIRST_YEAR, 1, 1);
    let span = days_from(first, date(LAST_YEAR, 3, 31));
    (0..=span).prop_map(move |d| plus_days(first, d))
}

/// A start and two dates from it to the end of its financial year, the first no later.
fn start_and_two_ends() -> impl Strategy<Value = (Date, Date, Date)> {
    covered_start().prop_flat_map(|start| {
        let days = days_from(start, financial_year_end(start));
        (Just(start), 0..=days, 0..=days)
            .prop_map(|(s, a, b)| (s, plus_days(s, a.min(b)), plus_days(s, a.max(b))))
    })
}

proptest! {
    #[test]
    fn allocation_is_working_days_over_five_and_grows_with_the_end((start, end, later) in start_and_two_ends()) {
        let days = working_days(start, end).unwrap();
        // Counted the slow way, a day at a time.
        let slow = (0..=days_from(start, end))
            .map(|i| plus_days(start, i))
            .filter(|d| d.weekday().to_monday_zero_offset() < 5 && !is_bank_holiday(*d).unwrap())
            .count();
        prop_assert_eq!(days as usize, slow);
        prop_assert_eq!(allocation(start, end, DAY).unwrap(), Minutes(i64::from(days) * 90));
        prop_assert_eq!(DAY.hundredths(allocation(start, end, DAY).unwrap()), i64::from(days) * 20);
        prop_assert!(allocation(start, later, DAY).unwrap() >= allocation(start, end, DAY).unwrap());
    }

    #[test]
    fn a_split_adds_up_to_the_whole((start, cut, _) in start_and_two_ends(), used_share in 0i64..=100) {
        let whole = Engagement::starting(start, DAY).unwrap();
        let next_day = plus_days(cut, 1);
        // The allocation of the two stretches adds up to the whole.
        let first_part = allocation(start, cut, DAY).unwrap();
        let second_part = allocation(next_day, whole.end, DAY).unwrap();
        prop_assert_eq!(Minutes(first_part.0 + second_part.0), whole.allocation);
        // Ending early keeps what was used and leaves the rest: nothing lost or doubled.
        let used = Minutes(whole.allocation.0 * used_share / 100);
        let early = whole.end_early(cut, used).unwrap();
        prop_assert_eq!(Minutes(early.ended.allocation.0 + early.left.0), whole.allocation);
        if used == Minutes::ZERO {
            prop_assert_eq!(early.left, whole.allocation);
        }
        if cut < whole.end {
            prop_assert_eq!(early.successor(next_day).unwrap().allocation, early.left);
        }
    }
}
