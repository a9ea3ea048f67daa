//! The pace of an engagement in words, with its tag's colour: the same on an engagement's
//! page and in its programme's table. `convene_domain::engagements::pace` flags a pace
//! only after four weeks, and only beyond its tolerance.

use convene_domain::engagements::Pace;

/// The pace as a tag's colour and words.
pub(super) fn pace_words(pace: Pace) -> (&'static str, String) {
    match pace {
        Pace::OnPace => ("nhsuk-tag--green", "On pace".into()),
        Pace::Ahead { percent } => ("nhsuk-tag--orange", format!("{percent}% ahead of pace")),
        Pace::Behind { percent } => ("nhsuk-tag--orange", format!("{percent}% behind pace")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_is_worded_with_its_colour() {
        assert_eq!(pace_words(Pace::OnPace), ("nhsuk-tag--green", "On pace".into()));
        assert_eq!(
            pace_words(Pace::Behind { percent: 40 }),
            ("nhsuk-tag--orange", "40% behind pace".into())
        );
        assert_eq!(
            pace_words(Pace::Ahead { percent: 25 }),
            ("nhsuk-tag--orange", "25% ahead of pace".into())
        );
    }
}
