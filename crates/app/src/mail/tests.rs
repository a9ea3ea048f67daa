//! Every message renders both parts, with no template syntax left, the same links in each,
//! and the plain text word for word as the mail read before it came from templates.
#![allow(clippy::unwrap_used)] // Tests fail loudly by design.

use super::*;
use convene_domain::links::{LINK_REMOVED, redact_links};

const URL: &str = "https://convene.example.org";
const SECRET: &str = "3f9a0c1b2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071829304a5b6c7d8";

/// Each message with a sample of everything it takes, and its text as the old `format!`
/// call wrote it.
fn samples() -> Vec<(Box<dyn Message>, String)> {
    [
        application_samples(),
        account_samples(),
        request_samples(),
        enabler_samples(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Mail about enablers.
fn enabler_samples() -> Vec<(Box<dyn Message>, String)> {
    vec![(
        Box::new(MatchConfirmed {
            to: "eden.enabler@example.org".into(),
            place: "Westermoor".into(),
            enabler: "Eden Enablewell".into(),
            starts: "2 September 2013".into(),
            allocation: "29.60 days".into(),
            link: format!("{URL}/engagements/1"),
        }),
        format!(
            "Westermoor and Eden Enablewell are matched\n\nEden Enablewell will work with Westermoor from 2 September 2013 to the end of March, \
                 about one day a week: 29.60 days in all.\n\nContact is logged against the engagement, and both of you can see how it stands:\n\
                 {URL}/engagements/1\n\nConvene"
        ),
    )]
}

/// Mail about applications.
fn application_samples() -> Vec<(Box<dyn Message>, String)> {
    let sign_off = format!("{URL}/sign-off/{SECRET}");
    vec![
        (
            Box::new(DeadlineReminder {
                to: "lee.lead@example.org".into(),
                place: "Westermoor".into(),
                round: "Local Vision round 1".into(),
                deadline: "5pm on Friday 5 February 2027".into(),
                link: format!("{URL}/applications/4"),
            }),
            format!(
                "The application for Westermoor to Local Vision round 1 has not been submitted yet. The deadline is 5pm on Friday 5 February 2027.\n\n\
                 Your answers are saved. Finish and submit it here:\n{URL}/applications/4\n\nConvene"
            ),
        ),
        (
            Box::new(SubmissionReceived {
                to: "lee.lead@example.org".into(),
                place: "Westermoor".into(),
                round: "Local Vision round 1".into(),
                reference: "LV1-0007".into(),
                submitted_at: "10am on Monday 23 November 2026".into(),
                next_steps: vec!["A panel will review the applications.".into(), "They will email you.".into()],
                contact: "localvision@example.org".into(),
            }),
            "Your application for Westermoor to Local Vision round 1 was submitted at 10am on Monday 23 November 2026.\n\n\
             Your reference is LV1-0007.\n\nWhat happens next\n\n- A panel will review the applications.\n- They will email you.\n\n\
             Questions: localvision@example.org\n\nConvene"
                .to_string(),
        ),
        (
            Box::new(SignoffRequest {
                to: "hwb.chair@example.org".into(),
                name: "Hilary Chair".into(),
                chair: true,
                place: "Westermoor".into(),
                round: "Local Vision round 1".into(),
                link: sign_off.clone(),
                expires: "10am on Monday 7 December 2026".into(),
                contact: "localvision@example.org".into(),
                reminder_deadline: None,
            }),
            format!(
                "Dear Hilary Chair,\n\nWestermoor is applying to Local Vision round 1. As chair of the Health and Wellbeing Board, \
                 you are asked to read the application and sign it off on behalf of the board.\n\nRead the application and respond here:\n{sign_off}\n\n\
                 You do not need an account. The link works once and until 10am on Monday 7 December 2026. If the application changes, \
                 you will be sent a new link.\n\nIf you were not expecting this, you can ignore it, or contact localvision@example.org.\n\nConvene"
            ),
        ),
        (
            Box::new(SignoffRequest {
                to: "pat@example.org".into(),
                name: "Pat Partner".into(),
                chair: false,
                place: "Westermoor".into(),
                round: "Local Vision round 1".into(),
                link: sign_off.clone(),
                expires: "10am on Monday 7 December 2026".into(),
                contact: "localvision@example.org".into(),
                reminder_deadline: Some("5pm on Friday 5 February 2027".into()),
            }),
            format!(
                "Dear Pat Partner,\n\nThe deadline is 5pm on Friday 5 February 2027. This is a new link: any earlier one no longer works.\n\n\
                 Westermoor is applying to Local Vision round 1. You are named as a partner engaged in this application. Please read it and confirm.\
                 \n\nRead the application and respond here:\n{sign_off}\n\n\
                 You do not need an account. The link works once and until 10am on Monday 7 December 2026. If the application changes, \
                 you will be sent a new link.\n\nIf you were not expecting this, you can ignore it, or contact localvision@example.org.\n\nConvene"
            ),
        ),
    ]
}

/// Mail about accounts.
fn account_samples() -> Vec<(Box<dyn Message>, String)> {
    let reset = format!("{URL}/reset-password/{SECRET}");
    let verify = format!("{URL}/verify-email/{SECRET}");
    vec![
        (
            Box::new(ConfirmEmail {
                to: "new@example.org".into(),
                name: "Nia New".into(),
                link: verify.clone(),
            }),
            format!(
                "Dear Nia New,\n\nTo confirm that this is your email address, open this link within 24 hours:\n\n{verify}\n\n\
                 The link works once. If you did not ask for this, you can ignore this email.\n\nConvene"
            ),
        ),
        (
            Box::new(AccountExists {
                to: "lee.lead@example.org".into(),
                public_url: URL.into(),
            }),
            format!(
                "Someone tried to create a Convene account with this email address. You already have an \
                 account, so nothing has changed.\n\nIf it was you, sign in at {url}/sign-in, or choose a new \
                 password at {url}/forgot-password.\n\nIf it was not you, you can ignore this email.\n\nConvene",
                url = URL
            ),
        ),
        (
            Box::new(EmailInUse {
                to: "lee.lead@example.org".into(),
            }),
            "Someone asked to move a Convene account to this email address, which already has an \
             account, so nothing has changed. If it was not you, you can ignore this email.\n\nConvene"
                .to_string(),
        ),
        (
            Box::new(EmailChangeAsked {
                to: "lee.lead@example.org".into(),
            }),
            "Someone asked to change the email address of your Convene account. If it was not you, \
             choose a new password now: the change only happens when the link sent to the new \
             address is opened.\n\nConvene"
                .to_string(),
        ),
        (
            Box::new(PasswordChanged {
                to: "lee.lead@example.org".into(),
            }),
            "The password of your Convene account has just been changed. If this was not you, \
             choose a new password now with \"Forgotten your password?\" on the sign-in page.\n\nConvene"
                .to_string(),
        ),
        (
            Box::new(PasswordReset {
                to: "lee.lead@example.org".into(),
                name: "Lee Lead".into(),
                link: reset.clone(),
            }),
            format!(
                "Dear Lee Lead,\n\nSomeone asked to reset the password of your Convene account. To choose a new \
                 password, open this link within one hour:\n\n{reset}\n\nThe link works once. If you did not ask, \
                 you can ignore this email: your password has not changed.\n\nConvene"
            ),
        ),
    ]
}

/// Mail about roles.
fn request_samples() -> Vec<(Box<dyn Message>, String)> {
    let invite = format!("{URL}/invitations/{SECRET}");
    vec![
        (
            Box::new(RoleRequestWaiting {
                to: "admin@example.org".into(),
                what: "act for Westermoor".into(),
                link: format!("{URL}/requests/3"),
            }),
            format!("Someone has asked to act for Westermoor. Decide at:\n\n{URL}/requests/3\n\nConvene"),
        ),
        (
            Box::new(RoleRequestApproved {
                to: "lee.lead@example.org".into(),
                name: "Lee Lead".into(),
                what: "act for Westermoor".into(),
                next: "You can now apply on its behalf".into(),
                public_url: URL.into(),
                note: None,
            }),
            format!(
                "Dear Lee Lead,\n\nYour request to act for Westermoor has been approved. You can now apply on its behalf: \
                 sign in at {URL}/dashboard.\n\nConvene"
            ),
        ),
        (
            Box::new(RoleRequestApproved {
                to: "lee.lead@example.org".into(),
                name: "Lee Lead".into(),
                what: "act for Westermoor".into(),
                next: "You can now apply on its behalf".into(),
                public_url: URL.into(),
                note: Some("Welcome aboard".into()),
            }),
            format!(
                "Dear Lee Lead,\n\nYour request to act for Westermoor has been approved. You can now apply on its behalf: \
                 sign in at {URL}/dashboard.\n\nThe admin added: Welcome aboard\n\nConvene"
            ),
        ),
        (
            Box::new(RoleRequestDeclined {
                to: "lee.lead@example.org".into(),
                name: "Lee Lead".into(),
                what: "act for Westermoor".into(),
                reason: "Westermoor already has a lead".into(),
            }),
            "Dear Lee Lead,\n\nYour request to act for Westermoor was declined, for this reason:\n\n\
             Westermoor already has a lead\n\n\
             If you think this is wrong, reply to the programme's contact address.\n\nConvene"
                .to_string(),
        ),
        (
            Box::new(Invitation {
                to: "new@example.org".into(),
                what: "act for Westermoor as its place lead".into(),
                link: invite.clone(),
            }),
            format!(
                "You have been invited to act for Westermoor as its place lead on Convene.\n\nTo accept, open this link within 14 days:\n\n{invite}\n\n\
                 If you were not expecting this, you can ignore this email.\n\nConvene"
            ),
        ),
    ]
}

/// The links (`http…` up to a space, quote or angle bracket) in a text.
fn links(text: &str) -> Vec<&str> {
    let mut found: Vec<&str> = text
        .match_indices("https://")
        .map(|(at, _)| {
            let rest = &text[at..];
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>'))
                .unwrap_or(rest.len());
            rest[..end].trim_end_matches(['.', ','])
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_text_part_reads_as_the_mail_always_did() {
    for (message, expected) in samples() {
        assert_eq!(message.text().unwrap(), expected, "{}", message.subject());
    }
}

#[test]
fn every_message_renders_both_parts_with_nothing_left_over() {
    for (message, _) in samples() {
        let subject = message.subject();
        let text = message.text().unwrap();
        let html = message.html().unwrap();
        for part in [&text, &html] {
            for syntax in ["{{", "}}", "{%", "%}", "{#", "#}"] {
                assert!(!part.contains(syntax), "{subject}: {syntax} left in\n{part}");
            }
        }
        assert!(html.starts_with("<!DOCTYPE html>"), "{subject}: {html}");
        assert!(html.contains("<html lang=\"en-GB\">") && html.trim_end().ends_with("</html>"));
        assert!(
            html.contains(&format!("<title>{}</title>", subject.replace('\'', "&#39;"))),
            "{html}"
        );
        assert!(
            !html.contains("<style") && !html.contains("<script"),
            "inline CSS only"
        );
        assert_eq!(
            links(&text),
            links(&html),
            "{subject}: the same links in both parts"
        );
        assert!(text.ends_with("\n\nConvene"), "{subject}");
        assert!(!message.to().is_empty());
    }
}

#[test]
fn secret_links_leave_both_parts_once_redacted() {
    for (message, _) in samples() {
        let text = message.text().unwrap();
        let html = message.html().unwrap();
        let secret = text.contains(SECRET);
        for part in [redact_links(&text), redact_links(&html)] {
            assert!(!part.contains(SECRET), "{}: {part}", message.subject());
            assert_eq!(part.contains(LINK_REMOVED), secret, "{}", message.subject());
        }
    }
}

#[test]
fn the_html_part_escapes_what_people_typed() {
    let declined = RoleRequestDeclined {
        to: "a@example.org".into(),
        name: "O'Brien <b>".into(),
        what: "act for Westermoor & Hill".into(),
        reason: "<script>alert(1)</script>".into(),
    };
    let html = declined.html().unwrap();
    assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
    assert!(
        html.contains("&#60;script&#62;alert(1)") && html.contains("Westermoor &#38; Hill"),
        "{html}"
    );
    let text = declined.text().unwrap();
    assert!(text.contains("<script>alert(1)</script>") && text.contains("Dear O'Brien <b>,"));
}
