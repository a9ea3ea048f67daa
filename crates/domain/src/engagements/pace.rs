//! Pace: contact time used against what was expected by a date, and the burn-down of an
//! engagement week by week.

use jiff::civil::Date;

use super::{Minutes, NotCovered, days_from, week_ending, working_days};

/// Pace is not flagged until four weeks after the start: a slow first fortnight is normal.
pub const PACE_GRACE_DAYS: i64 = 28;

/// Use more than this far from what was expected, in percent of it, is flagged.
pub const PACE_TOLERANCE_PERCENT: i64 = 20;

/// How an engagement's use compares with the pace its allocation sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    OnPace,
    /// More used than expected, by this percentage of what was expected.
    Ahead {
        percent: u32,
    },
    /// Less used than expected, by this percentage of what was expected.
    Behind {
        percent: u32,
    },
}

/// The share of an engagement passed by the end of `on`: (working days from the start to
/// `on`, working days in all). An engagement with no working days is all passed from its
/// start, so its allocation is expected at once rather than never.
fn share_passed(start: Date, end: Date, on: Date) -> Result<(i128, i128), NotCovered> {
    let all = working_days(start, end)?;
    if all == 0 {
        return Ok((i128::from(on >= start), 1));
    }
    let passed = working_days(start, on.min(end))?;
    Ok((i128::from(passed), i128::from(all)))
}

/// The contact time expected to be used by the end of `on`: the allocation in proportion
/// to the working days passed, rounded to the nearest minute.
pub fn expected_use(allocation: Minutes, start: Date, end: Date, on: Date) -> Result<Minutes, NotCovered> {
    let (passed, all) = share_passed(start, end, on)?;
    let expected = (i128::from(allocation.0) * passed * 2 + all) / (all * 2);
    Ok(Minutes(i64::try_from(expected).unwrap_or(i64::MAX)))
}

/// How `used` compares with the use expected by `today`. Flagged only once
/// [`PACE_GRACE_DAYS`] have passed since the start, and only when the difference is more
/// than [`PACE_TOLERANCE_PERCENT`] of what was expected. Worked exactly, without rounding
/// the expected use first, so a figure on the 20% line is never flagged by a rounding.
pub fn pace(
    allocation: Minutes,
    used: Minutes,
    start: Date,
    end: Date,
    today: Date,
) -> Result<Pace, NotCovered> {
    if days_from(start, today) < PACE_GRACE_DAYS {
        return Ok(Pace::OnPace);
    }
    let (passed, all) = share_passed(start, end, today)?;
    // Both sides times `all`: expected = allocation × passed ÷ all.
    let expected = i128::from(allocation.0) * passed;
    if expected <= 0 {
        // Nothing was expected, so there is no pace to be off; a burn-down shows any use.
        return Ok(Pace::OnPace);
    }
    let difference = i128::from(used.0) * all - expected;
    if difference.abs() * 100 <= expected * i128::from(PACE_TOLERANCE_PERCENT) {
        return Ok(Pace::OnPace);
    }
    let percent = (difference.abs() * 200 + expected) / (expected * 2);
    let percent = u32::try_from(percent).unwrap_or(u32::MAX);
    Ok(if difference > 0 {
        Pace::Ahead { percent }
    } else {
        Pace::Behind { percent }
    })
}

/// One point of a burn-down: the contact time left at the end of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BurnPoint {
    pub date: Date,
    /// What would be left had the allocation been used at an even pace.
    pub expected_remaining: Minutes,
    /// What is left after the contact logged up to the date; none for dates after today.
    pub actual_remaining: Option<Minutes>,
}

/// The burn-down from `start` to `end`: a point at the start with the whole allocation,
/// one at the end of each working week (Friday) after it, and one at the end. Actual
/// figures stop at `today`. `contact` is each entry's date and length, in any order.
pub fn burn_down(
    allocation: Minutes,
    start: Date,
    end: Date,
    today: Date,
    contact: &[(Date, Minutes)],
) -> Result<Vec<BurnPoint>, NotCovered> {
    let mut dates = vec![start];
    let mut friday = week_ending(start);
    while friday < end {
        if friday > start {
            dates.push(friday);
        }
        friday = friday.checked_add(jiff::Span::new().days(7)).unwrap_or(Date::MAX);
    }
    if end > start {
        dates.push(end);
    }
    let mut points = Vec::with_capacity(dates.len());
    for (i, date) in dates.into_iter().enumerate() {
        // The first point is the start itself, before anything is used or expected.
        let is_start = i == 0;
        let expected = if is_start {
            Minutes::ZERO
        } else {
            expected_use(allocation, start, end, date)?
        };
        let used = Minutes::sum(
            contact
                .iter()
                .filter(|(d, _)| if is_start { *d < date } else { *d <= date })
                .map(|(_, m)| *m),
        );
        points.push(BurnPoint {
            date,
            expected_remaining: Minutes(allocation.0 - expected.0),
            actual_remaining: (date <= today).then_some(Minutes(allocation.0.saturating_sub(used.0))),
        });
    }
    Ok(points)
}
