//! Mail about applications: the deadline reminder, the submission receipt and the request
//! to sign off (or confirm a part in) an application.

use super::message;

/// To each lead of a place whose application is unsubmitted as its deadline nears.
#[derive(Debug, Clone)]
pub struct DeadlineReminder {
    pub to: String,
    pub place: String,
    pub round: String,
    /// The deadline in words (`Timestamp::london_words`).
    pub deadline: String,
    /// The application's page.
    pub link: String,
}
message!(
    DeadlineReminder,
    "mail/deadline_reminder.txt",
    "mail/deadline_reminder.html",
    |m| format!("Reminder: submit {}'s application by {}", m.place, m.deadline)
);

/// To the applicant once an application is submitted: the reference and what happens next.
#[derive(Debug, Clone)]
pub struct SubmissionReceived {
    pub to: String,
    pub place: String,
    pub round: String,
    pub reference: String,
    /// When it was submitted, in words.
    pub submitted_at: String,
    /// What happens next, in the same words as the page (`applications::next_steps`).
    pub next_steps: Vec<String>,
    /// The programme's contact address.
    pub contact: String,
}
message!(
    SubmissionReceived,
    "mail/submission_received.txt",
    "mail/submission_received.html",
    |m| format!("Application {} received: {}", m.reference, m.round)
);

/// To a Health and Wellbeing Board chair (asked to sign off) or a partner (asked to
/// confirm their part), with the signed link. A reminder says so and gives the deadline.
#[derive(Debug, Clone)]
pub struct SignoffRequest {
    pub to: String,
    /// The person's name, as the applicant gave it.
    pub name: String,
    /// True for the board's chair, false for a partner.
    pub chair: bool,
    pub place: String,
    pub round: String,
    /// The signed link (`/sign-off/<secret>`): it is removed from the stored copy once sent.
    pub link: String,
    /// Until when the link works, in words.
    pub expires: String,
    /// The programme's contact address.
    pub contact: String,
    /// For a reminder, the deadline in words; `None` for the first request.
    pub reminder_deadline: Option<String>,
}
message!(
    SignoffRequest,
    "mail/signoff_request.txt",
    "mail/signoff_request.html",
    |m| {
        let ask = if m.chair {
            format!("Please sign off {}'s application to {}", m.place, m.round)
        } else {
            format!(
                "Please confirm your part in {}'s application to {}",
                m.place, m.round
            )
        };
        match m.reminder_deadline {
            Some(_) => format!("Reminder: {ask}"),
            None => ask,
        }
    }
);

impl SignoffRequest {
    /// What the person is asked to do.
    pub fn ask(&self) -> &'static str {
        if self.chair {
            "As chair of the Health and Wellbeing Board, you are asked to read the application and sign it off on behalf of the board."
        } else {
            "You are named as a partner engaged in this application. Please read it and confirm."
        }
    }
}
