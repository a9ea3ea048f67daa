//! A round as a programme admin types it: every field checked, dates read in UK time, and
//! the dates checked against each other.

use crate::money::Pence;
use crate::time::{DateInputError, Timestamp, london_instant, parse_date_input, parse_time_input};

/// What was typed into the "Create a round" form, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default)]
pub struct RoundForm {
    pub name: String,
    pub reference_prefix: String,
    pub opens_day: String,
    pub opens_month: String,
    pub opens_year: String,
    pub opens_time: String,
    pub closes_day: String,
    pub closes_month: String,
    pub closes_year: String,
    pub closes_time: String,
    pub places_offered: String,
    pub value_per_place: String,
    pub eligibility: String,
    pub review_ends_day: String,
    pub review_ends_month: String,
    pub review_ends_year: String,
    pub notify_day: String,
    pub notify_month: String,
    pub notify_year: String,
    pub launch_day: String,
    pub launch_month: String,
    pub launch_year: String,
    pub launch_time: String,
    pub launch_location: String,
    pub themes: String,
    /// "no" when applications count as complete without the board chair's sign-off.
    pub signoff_required: String,
}

impl RoundForm {
    /// True unless the admin chose that sign-off is not needed.
    pub fn requires_signoff(&self) -> bool {
        self.signoff_required != "no"
    }
}

/// A round that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundPlan {
    pub name: String,
    pub slug: String,
    pub reference_prefix: String,
    pub opens_at: Timestamp,
    pub closes_at: Timestamp,
    pub places_offered: i64,
    pub value_per_place: Pence,
    pub eligibility: String,
    pub review_ends_at: Timestamp,
    pub notify_by: Timestamp,
    pub launch_event_at: Option<Timestamp>,
    pub launch_event_location: Option<String>,
    pub themes: Vec<String>,
}

/// A problem with one field: the field's id (the first box of a date) and the message.
pub type FieldProblem = (String, String);

fn add(problems: &mut Vec<FieldProblem>, field: &str, message: &str) {
    problems.push((field.to_string(), message.to_string()));
}

/// Reads one date (and time) of the form; `None` with a problem recorded when it cannot,
/// or silently when an optional date was left blank.
fn instant(
    problems: &mut Vec<FieldProblem>,
    field: &str,
    what: &str,
    (d, m, y): (&str, &str, &str),
    time: Option<(&str, bool)>,
    required: bool,
) -> Option<Timestamp> {
    let date = match parse_date_input(d, m, y) {
        Ok(date) => date,
        Err(DateInputError::Missing) if !required => return None,
        Err(e) => {
            let message = match e {
                DateInputError::Missing => format!("Enter the {what}"),
                other => format!("{other} for the {what}"),
            };
            problems.push((format!("{field}_day"), message));
            return None;
        }
    };
    let (clock, last_second) = match time {
        Some((t, last)) => match parse_time_input(t) {
            Ok(clock) => (clock, last),
            Err(_) => {
                problems.push((
                    format!("{field}_time"),
                    format!("Enter a time for the {what}, like 9am or 11:59pm"),
                ));
                return None;
            }
        },
        None => (jiff::civil::Time::midnight(), false),
    };
    match london_instant(date, clock, last_second) {
        Ok(t) => Some(t),
        Err(_) => {
            problems.push((
                format!("{field}_day"),
                format!("Enter a real date for the {what}"),
            ));
            None
        }
    }
}

/// A URL-safe slug from a name: "Local Vision 2027" → "local-vision-2027".
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// The dates a round form gives, each `None` when it did not parse (its problem added).
struct Dates {
    opens: Option<Timestamp>,
    closes: Option<Timestamp>,
    review: Option<Timestamp>,
    notify: Option<Timestamp>,
    launch: Option<Timestamp>,
}

impl RoundForm {
    /// Checks every field; returns the plan, or every problem in page order.
    pub fn check(&self) -> Result<RoundPlan, Vec<FieldProblem>> {
        let mut problems: Vec<FieldProblem> = Vec::new();
        let problems = &mut problems;
        let name = self.checked_name(problems);
        let prefix = self.checked_prefix(problems);
        let dates = self.dates(problems);
        let places = self.checked_places(problems);
        let value = self.checked_value(problems);
        let eligibility = self.eligibility.trim().to_string();
        if eligibility.is_empty() {
            add(problems, "eligibility", "Enter who can apply");
        }
        check_order(problems, &dates);
        let themes: Vec<String> = self
            .themes
            .lines()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        let location = Some(self.launch_location.trim().to_string()).filter(|l| !l.is_empty());
        match (dates, places, value) {
            (
                Dates {
                    opens: Some(opens_at),
                    closes: Some(closes_at),
                    review: Some(review_ends_at),
                    notify: Some(notify_by),
                    launch,
                },
                Some(places_offered),
                Some(value_per_place),
            ) if problems.is_empty() => Ok(RoundPlan {
                slug: slugify(&name),
                name,
                reference_prefix: prefix,
                opens_at,
                closes_at,
                places_offered,
                value_per_place,
                eligibility,
                review_ends_at,
                notify_by,
                launch_event_at: launch,
                launch_event_location: location,
                themes,
            }),
            _ => Err(std::mem::take(problems)),
        }
    }

    fn checked_name(&self, problems: &mut Vec<FieldProblem>) -> String {
        let name = self.name.trim().to_string();
        if name.is_empty() {
            add(problems, "name", "Enter the round's name");
        } else if name.chars().count() > 120 {
            add(problems, "name", "Name must be 120 characters or fewer");
        }
        name
    }

    fn checked_prefix(&self, problems: &mut Vec<FieldProblem>) -> String {
        let prefix = self.reference_prefix.trim().to_uppercase();
        let prefix_ok = (2..=12).contains(&prefix.len())
            && prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && prefix.starts_with(|c: char| c.is_ascii_alphabetic());
        if !prefix_ok {
            add(
                problems,
                "reference_prefix",
                "Enter a reference prefix of 2 to 12 letters, numbers or dashes, like LV-2027",
            );
        }
        prefix
    }

    fn dates(&self, problems: &mut Vec<FieldProblem>) -> Dates {
        let opens = instant(
            problems,
            "opens",
            "opening date",
            (&self.opens_day, &self.opens_month, &self.opens_year),
            Some((&self.opens_time, false)),
            true,
        );
        let closes = instant(
            problems,
            "closes",
            "deadline",
            (&self.closes_day, &self.closes_month, &self.closes_year),
            Some((&self.closes_time, true)),
            true,
        );
        let review = instant(
            problems,
            "review_ends",
            "end of the review",
            (
                &self.review_ends_day,
                &self.review_ends_month,
                &self.review_ends_year,
            ),
            Some(("23:59", true)),
            true,
        );
        let notify = instant(
            problems,
            "notify",
            "notification date",
            (&self.notify_day, &self.notify_month, &self.notify_year),
            Some(("23:59", true)),
            true,
        );
        let launch_typed = !(self.launch_day.trim().is_empty()
            && self.launch_month.trim().is_empty()
            && self.launch_year.trim().is_empty());
        let launch = launch_typed
            .then(|| {
                instant(
                    problems,
                    "launch",
                    "launch event",
                    (&self.launch_day, &self.launch_month, &self.launch_year),
                    Some((&self.launch_time, false)),
                    false,
                )
            })
            .flatten();
        Dates {
            opens,
            closes,
            review,
            notify,
            launch,
        }
    }

    fn checked_places(&self, problems: &mut Vec<FieldProblem>) -> Option<i64> {
        match self.places_offered.trim().parse::<i64>() {
            Ok(n) if (1..=1000).contains(&n) => Some(n),
            _ => {
                add(
                    problems,
                    "places_offered",
                    "Enter the number of places offered, a whole number from 1 to 1,000",
                );
                None
            }
        }
    }

    fn checked_value(&self, problems: &mut Vec<FieldProblem>) -> Option<Pence> {
        match Pence::parse_pounds(&self.value_per_place) {
            Ok(p) if p.0 >= 0 => Some(p),
            Ok(_) => {
                add(
                    problems,
                    "value_per_place",
                    "The value per place cannot be negative",
                );
                None
            }
            Err(e) => {
                add(problems, "value_per_place", &e.to_string());
                None
            }
        }
    }
}

/// The deadline after the opening, the end of the review and the notification after the
/// deadline.
fn check_order(problems: &mut Vec<FieldProblem>, d: &Dates) {
    let not_after = |earlier: Option<Timestamp>, later: Option<Timestamp>| matches!((earlier, later), (Some(e), Some(l)) if l <= e);
    if not_after(d.opens, d.closes) {
        add(
            problems,
            "closes_day",
            "The deadline must be after the opening date",
        );
    }
    if not_after(d.closes, d.review) {
        add(
            problems,
            "review_ends_day",
            "The review must end after the deadline",
        );
    }
    if not_after(d.closes, d.notify) {
        add(
            problems,
            "notify_day",
            "Places must be notified after the deadline",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local_vision_2013() -> RoundForm {
        RoundForm {
            name: "Local Vision 2013".into(),
            reference_prefix: "lv-2013".into(),
            opens_day: "22".into(),
            opens_month: "4".into(),
            opens_year: "2013".into(),
            opens_time: "9am".into(),
            closes_day: "24".into(),
            closes_month: "5".into(),
            closes_year: "2013".into(),
            closes_time: "11:59pm".into(),
            places_offered: "22".into(),
            value_per_place: "£35,000".into(),
            eligibility: "Places in England".into(),
            review_ends_day: "7".into(),
            review_ends_month: "6".into(),
            review_ends_year: "2013".into(),
            notify_day: "10".into(),
            notify_month: "6".into(),
            notify_year: "2013".into(),
            launch_day: "28".into(),
            launch_month: "6".into(),
            launch_year: "2013".into(),
            launch_time: "10am".into(),
            launch_location: "Central London".into(),
            themes: "Alcohol\n\nData sharing between agencies\n".into(),
            signoff_required: "yes".into(),
        }
    }

    #[test]
    fn the_local_vision_call_reads_as_written() {
        let plan = local_vision_2013().check().unwrap();
        assert_eq!(plan.slug, "local-vision-2013");
        assert_eq!(plan.reference_prefix, "LV-2013");
        assert_eq!(
            plan.closes_at.iso(),
            "2013-05-24T22:59:59Z",
            "11:59pm BST is 22:59:59 UTC, to the last second"
        );
        assert_eq!(plan.opens_at.iso(), "2013-04-22T08:00:00Z");
        assert_eq!(plan.value_per_place, Pence::pounds(35_000));
        assert_eq!(
            plan.themes,
            vec!["Alcohol".to_string(), "Data sharing between agencies".to_string()]
        );
        assert_eq!(
            plan.launch_event_at.map(|t| t.london_words()),
            Some("10am on Friday 28 June 2013".into())
        );
    }

    #[test]
    fn every_problem_is_named_by_field() {
        let mut form = local_vision_2013();
        form.name = " ".into();
        form.closes_day = "31".into();
        form.closes_month = "2".into();
        form.places_offered = "lots".into();
        form.value_per_place = "ten".into();
        form.launch_time = "teatime".into();
        let fields: Vec<String> = form.check().unwrap_err().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "name",
                "closes_day",
                "launch_time",
                "places_offered",
                "value_per_place"
            ]
        );
    }

    #[test]
    fn dates_must_follow_each_other() {
        let mut form = local_vision_2013();
        form.closes_day = "21".into();
        form.closes_month = "4".into();
        form.notify_month = "4".into();
        form.notify_day = "1".into();
        let problems = form.check().unwrap_err();
        assert!(
            problems
                .iter()
                .any(|(f, m)| f == "closes_day" && m.contains("after the opening")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|(f, _)| f == "notify_day"), "{problems:?}");
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("  Local Vision — 2027! "), "local-vision-2027");
    }
}
