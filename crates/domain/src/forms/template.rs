//! The Local Vision application form, kept as data: `local_vision.json` is the form in the
//! same JSON a round's form is stored as, so it reads (and is reviewed) as the form it is,
//! not as Rust code building one.

use super::definition::FormDefinition;

/// The form's JSON, compiled into the binary.
const LOCAL_VISION: &str = include_str!("local_vision.json");

/// The Local Vision form, from the 2013 call: the place and its partners, the five
/// numbered points of the letter, and the £10,000 contribution.
pub fn local_vision_template() -> FormDefinition {
    // The text is compiled in and parsed by a test, so a failure here is a broken build,
    // never something a visitor can cause.
    serde_json::from_str(LOCAL_VISION)
        .unwrap_or_else(|e| panic!("forms/local_vision.json is not a form definition: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forms::QuestionKind;

    #[test]
    fn the_local_vision_template_is_well_formed() {
        let form = local_vision_template();
        assert_eq!(form.problems(), Vec::<String>::new());
        assert_eq!(form.sections.len(), 6);
        assert_eq!(
            form.pledge_question().map(|q| q.key.as_str()),
            Some("contribution")
        );
    }

    /// The facts of the 2013 call the file must keep: its sections and questions in order,
    /// the 500-word limit on the letter's points, and the £10,000 to £100,000 contribution.
    #[test]
    fn the_template_file_holds_the_2013_call() {
        let form = local_vision_template();
        let sections: Vec<&str> = form.sections.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            sections,
            [
                "about-your-place",
                "breakthrough-issue",
                "gain-for-residents",
                "local-leadership",
                "lessons",
                "contribution"
            ]
        );
        let kinds: Vec<(&str, &QuestionKind, bool)> = form
            .questions()
            .map(|q| (q.key.as_str(), &q.kind, q.required))
            .collect();
        let long = QuestionKind::LongText { word_limit: 500 };
        let pledge = QuestionKind::Money {
            min_pence: 1_000_000,
            max_pence: 10_000_000,
            match_pledge: true,
        };
        assert_eq!(
            kinds,
            [
                ("partners", &QuestionKind::Organisations, true),
                ("theme", &QuestionKind::Theme, true),
                ("breakthrough_issue", &long, true),
                ("gain_for_residents", &long, true),
                ("leadership_impact", &long, true),
                ("wider_lessons", &long, true),
                ("contribution", &pledge, true),
                ("supporting_letter", &QuestionKind::File, false),
            ]
        );
        assert_eq!(form.sections[5].title, "Your £10,000 contribution");
        assert!(
            form.sections[0]
                .intro
                .contains("Health and Wellbeing Board chair")
        );
        assert_eq!(form.sections[2].intro, "", "a missing intro reads as none");
        assert!(
            form.sections[1].questions[0]
                .hint
                .starts_with("Say what makes it")
        );
    }
}
