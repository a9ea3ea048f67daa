//! What the service holds about a person, and erasing it (UK GDPR subject access and
//! erasure). A person is found by email, with or without an account: board chairs and
//! partner contacts have the same rights as account holders.
//!
//! Every table that names a person is listed here once, for both reading and erasing, so a
//! new table that holds personal data has one obvious place to be added. The erasure test
//! dumps every table and checks nothing of the person is left.

use crate::{Db, Result, Tx, on_db, on_tx};
use convene_domain::Timestamp;
use convene_domain::UserId;
use convene_domain::links::redact_links;
use serde_json::{Map, Value};
use sqlx::{Column, Row};

/// The name shown wherever an erased person's content stays.
pub const FORMER_MEMBER: &str = "Former member";

/// Who a request is about: an address, and the account that holds it (if any).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub email: String,
    pub user_id: Option<i64>,
}

/// What one section of a subject access download is keyed by.
#[derive(Clone, Copy)]
enum Key {
    User,
    Email,
}

/// The sections of a subject access download: a name, what it is keyed by, and the query
/// (every column cast to text; columns ending `_at` are times).
const SECTIONS: &[(&str, Key, &str)] = &[
    (
        "account",
        Key::User,
        "SELECT CAST(id AS TEXT) AS id, email, name, organisation, job_role, CAST(created_at AS TEXT) AS created_at, \
         CAST(email_verified_at AS TEXT) AS email_verified_at, CAST(totp_enabled_at AS TEXT) AS two_factor_enabled_at \
         FROM users WHERE id = $1",
    ),
    (
        "roles",
        Key::User,
        "SELECT role, CAST(scope_id AS TEXT) AS scope_id, CAST(created_at AS TEXT) AS created_at FROM grants WHERE user_id = $1 ORDER BY id",
    ),
    (
        "sessions",
        Key::User,
        "SELECT CAST(expires_at AS TEXT) AS expires_at FROM sessions WHERE user_id = $1",
    ),
    (
        "api_tokens",
        Key::User,
        "SELECT name, CAST(created_at AS TEXT) AS created_at, CAST(last_used_at AS TEXT) AS last_used_at, \
         CAST(revoked_at AS TEXT) AS revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
    ),
    (
        "password_resets",
        Key::User,
        "SELECT CAST(created_at AS TEXT) AS created_at, CAST(used_at AS TEXT) AS used_at FROM password_resets WHERE user_id = $1 ORDER BY id",
    ),
    (
        "email_confirmations",
        Key::User,
        "SELECT email, CAST(created_at AS TEXT) AS created_at, CAST(used_at AS TEXT) AS used_at FROM email_verifications WHERE user_id = $1 ORDER BY id",
    ),
    (
        "role_requests",
        Key::User,
        "SELECT r.role, CASE WHEN r.role = 'enabler' THEN g.name ELSE p.name END AS place, r.reason, r.status, r.decision_reason, \
         CAST(r.created_at AS TEXT) AS created_at, CAST(r.decided_at AS TEXT) AS decided_at FROM role_requests r \
         JOIN programmes g ON g.id = r.programme_id LEFT JOIN places p ON p.id = r.scope_id AND r.role <> 'enabler' \
         WHERE r.user_id = $1 ORDER BY r.id",
    ),
    (
        "actions_recorded",
        Key::User,
        "SELECT action, record_type, CAST(record_id AS TEXT) AS record_id, CAST(at AS TEXT) AS recorded_at FROM audit_log \
         WHERE actor_user_id = $1 ORDER BY id",
    ),
    (
        "applications_started",
        Key::User,
        "SELECT CAST(a.id AS TEXT) AS id, a.reference, r.name AS round, p.name AS place, a.status, CAST(a.created_at AS TEXT) AS created_at \
         FROM applications a JOIN rounds r ON r.id = a.round_id JOIN places p ON p.id = a.place_id WHERE a.created_by = $1 ORDER BY a.id",
    ),
    (
        "chair_contact_proposals_made",
        Key::User,
        "SELECT p.name AS place, c.name, c.email, CAST(c.created_at AS TEXT) AS created_at FROM chair_proposals c \
         JOIN places p ON p.id = c.place_id WHERE c.proposed_by = $1 ORDER BY c.id",
    ),
    (
        "news_written",
        Key::User,
        "SELECT title, slug, CAST(publish_at AS TEXT) AS published_at FROM news_items WHERE author_user_id = $1 ORDER BY id",
    ),
    (
        "panels_sat_on",
        Key::User,
        "SELECT r.name AS round, CAST(pm.is_chair AS TEXT) AS chair, CAST(pm.load_cap AS TEXT) AS maximum_load, pm.region, \
         pm.themes, CAST(pm.added_at AS TEXT) AS added_at FROM panel_members pm JOIN rounds r ON r.id = pm.round_id \
         WHERE pm.user_id = $1 ORDER BY pm.round_id",
    ),
    (
        "conflicts_of_interest_declared",
        Key::User,
        "SELECT r.name AS round, COALESCE(o.name, p.name, '') AS conflict_with, c.reason, CAST(c.declared_at AS TEXT) AS declared_at \
         FROM conflicts c JOIN rounds r ON r.id = c.round_id LEFT JOIN organisations o ON o.id = c.organisation_id \
         LEFT JOIN places p ON p.id = c.place_id WHERE c.user_id = $1 ORDER BY c.id",
    ),
    (
        "bids_placed",
        Key::User,
        "SELECT a.reference AS application, CAST(b.bid AS TEXT) AS bid, CAST(b.updated_at AS TEXT) AS updated_at \
         FROM review_bids b JOIN applications a ON a.id = b.application_id WHERE b.user_id = $1 ORDER BY b.application_id",
    ),
    (
        "scores_given",
        Key::User,
        "SELECT a.reference AS application, s.criterion, CAST(s.score AS TEXT) AS score, s.comment, \
         CAST(v.submitted_at AS TEXT) AS submitted_at FROM reviews v JOIN applications a ON a.id = v.application_id \
         JOIN review_scores s ON s.review_id = v.id WHERE v.user_id = $1 ORDER BY v.application_id, s.criterion",
    ),
    (
        "moderation_recorded",
        Key::User,
        "SELECT a.reference AS application, CAST(m.agreed_tenths AS TEXT) AS agreed_score_in_tenths, m.note, \
         CAST(m.updated_at AS TEXT) AS updated_at FROM moderations m JOIN applications a ON a.id = m.application_id \
         WHERE m.updated_by = $1 ORDER BY m.application_id",
    ),
    (
        "decisions_recorded",
        Key::User,
        "SELECT a.reference AS application, d.outcome, d.feedback, d.override_reason, \
         CAST(d.decided_at AS TEXT) AS decided_at FROM decisions d JOIN applications a ON a.id = d.application_id \
         WHERE d.decided_by = $1 ORDER BY d.application_id",
    ),
    (
        "offers_answered",
        Key::User,
        "SELECT reference AS award, status AS answer, CAST(responded_at AS TEXT) AS responded_at FROM awards \
         WHERE responded_by = $1 ORDER BY id",
    ),
    (
        "enabler_pools",
        Key::User,
        "SELECT p.name AS programme, e.status, e.bio, e.expertise, e.sectors, e.regions, CAST(e.capacity AS TEXT) AS capacity, \
         e.available_from, e.available_to, CAST(e.created_at AS TEXT) AS created_at FROM enablers e \
         JOIN programmes p ON p.id = e.programme_id WHERE e.user_id = $1 ORDER BY e.id",
    ),
    (
        "places_you_ranked",
        Key::User,
        "SELECT pl.name AS place, CAST(c.rank AS TEXT) AS rank, CAST(c.cannot_take AS TEXT) AS cannot_take \
         FROM enabler_choices c JOIN enablers e ON e.id = c.enabler_id JOIN awards a ON a.id = c.award_id \
         JOIN places pl ON pl.id = a.place_id WHERE e.user_id = $1 ORDER BY c.enabler_id, c.rank",
    ),
    (
        "engagements_as_enabler",
        Key::User,
        "SELECT pl.name AS place, g.starts_on, g.ends_on, g.ended_on, CAST(g.allocation_minutes AS TEXT) AS allocation_minutes \
         FROM engagements g JOIN enablers e ON e.id = g.enabler_id JOIN awards a ON a.id = g.award_id \
         JOIN places pl ON pl.id = a.place_id WHERE e.user_id = $1 ORDER BY g.id",
    ),
    (
        "contact_logged",
        Key::User,
        "SELECT CAST(engagement_id AS TEXT) AS engagement, on_date, CAST(minutes AS TEXT) AS minutes, kind, notes, \
         CAST(logged_at AS TEXT) AS logged_at FROM contact_entries WHERE logged_by = $1 ORDER BY id",
    ),
    (
        "contact_queries",
        Key::User,
        "SELECT CAST(entry_id AS TEXT) AS contact_entry, reason, answer, settlement, settlement_note, \
         CAST(raised_at AS TEXT) AS raised_at FROM contact_queries \
         WHERE raised_by = $1 OR answered_by = $1 OR settled_by = $1 ORDER BY id",
    ),
    (
        "support_requested",
        Key::User,
        "SELECT o.name AS offer, CAST(r.units AS TEXT) AS units, r.note, r.status, r.decision_reason, \
         CAST(r.requested_at AS TEXT) AS requested_at FROM support_requests r JOIN support_offers o ON o.id = r.offer_id \
         WHERE r.requested_by = $1 ORDER BY r.id",
    ),
    (
        "board_chair_of",
        Key::Email,
        "SELECT name, reference, hwb_chair_name AS chair_name, hwb_chair_email AS chair_email FROM places WHERE LOWER(hwb_chair_email) = $1 ORDER BY id",
    ),
    (
        "proposed_as_board_chair",
        Key::Email,
        "SELECT p.name AS place, c.name, c.email, CAST(c.created_at AS TEXT) AS created_at FROM chair_proposals c \
         JOIN places p ON p.id = c.place_id WHERE LOWER(c.email) = $1 ORDER BY c.id",
    ),
    (
        "named_as_partner_contact",
        Key::Email,
        "SELECT CAST(application_id AS TEXT) AS application_id, name, email, organisation FROM application_contacts \
         WHERE LOWER(email) = $1 ORDER BY id",
    ),
    (
        "sign_offs",
        Key::Email,
        "SELECT CAST(application_id AS TEXT) AS application_id, kind, contact_name, contact_email, organisation, \
         CAST(requested_at AS TEXT) AS requested_at, CAST(confirmed_at AS TEXT) AS confirmed_at, confirmed_name, confirmed_role, comment \
         FROM signoffs WHERE LOWER(contact_email) = $1 ORDER BY id",
    ),
    (
        "invitations",
        Key::Email,
        "SELECT email, role, CAST(created_at AS TEXT) AS created_at, CAST(accepted_at AS TEXT) AS accepted_at FROM invitations \
         WHERE LOWER(email) = $1 ORDER BY id",
    ),
    (
        "emails_sent_to_you",
        Key::Email,
        "SELECT subject, body_text AS body, CAST(created_at AS TEXT) AS created_at, CAST(sent_at AS TEXT) AS sent_at FROM outbox \
         WHERE LOWER(to_address) = $1 ORDER BY id",
    ),
    (
        "failed_sign_ins",
        Key::Email,
        "SELECT client AS from_address, CAST(at AS TEXT) AS attempted_at FROM sign_in_failures WHERE LOWER(email) = $1 ORDER BY id",
    ),
];

/// One value of a text-cast column: times (columns ending `_at`) as RFC 3339. Text goes
/// through [`redact_links`], so no download holds a live secret link (the bodies of mail
/// sent to the person carry sign-off, invitation, confirmation and password links, and
/// whoever holds an address could otherwise read them).
fn cell(column: &str, value: Option<String>) -> Value {
    match value {
        None => Value::Null,
        Some(v) if column.ends_with("_at") => v
            .parse::<i64>()
            .map(|micros| Value::String(Timestamp(micros).iso()))
            .unwrap_or_else(|_| Value::String(redact_links(&v))),
        Some(v) => Value::String(redact_links(&v)),
    }
}

/// Runs one section's query and turns its rows into JSON objects.
async fn section(db: &Db, sql: &'static str, key: Key, subject: &Subject) -> Result<Vec<Value>> {
    let rows: Vec<Map<String, Value>> = match (key, subject.user_id) {
        (Key::User, None) => return Ok(Vec::new()),
        (Key::User, Some(id)) => on_db!(db, |pool| {
            sqlx::query(sql)
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| {
                            let name = row.columns()[i].name().to_string();
                            let value = row.try_get::<Option<String>, usize>(i).ok().flatten();
                            let v = cell(&name, value);
                            (name, v)
                        })
                        .collect()
                })
                .collect()
        }),
        (Key::Email, _) => on_db!(db, |pool| {
            sqlx::query(sql)
                .bind(subject.email.to_lowercase())
                .fetch_all(pool)
                .await?
                .iter()
                .map(|row| {
                    (0..row.len())
                        .map(|i| {
                            let name = row.columns()[i].name().to_string();
                            let value = row.try_get::<Option<String>, usize>(i).ok().flatten();
                            let v = cell(&name, value);
                            (name, v)
                        })
                        .collect()
                })
                .collect()
        }),
    };
    Ok(rows.into_iter().map(Value::Object).collect())
}

/// Files the person uploaded, with their content.
pub struct UploadedFile {
    pub application_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub created_at: Timestamp,
    pub content: Vec<u8>,
}

/// Every file the account uploaded.
pub async fn uploads_by(db: &Db, user_id: UserId) -> Result<Vec<UploadedFile>> {
    let rows: Vec<(i64, String, String, i64, Vec<u8>)> = on_db!(db, |pool| {
        sqlx::query_as(
            "SELECT application_id, file_name, content_type, created_at, content FROM uploads WHERE uploaded_by = $1 ORDER BY id",
        )
        .bind(user_id.0)
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(
            |(application_id, file_name, content_type, created_at, content)| UploadedFile {
                application_id,
                file_name,
                content_type,
                created_at: Timestamp(created_at),
                content,
            },
        )
        .collect())
}

/// Finds who an address belongs to (an account, even an erased one, or nobody).
pub async fn subject_by_email(db: &Db, email: &str) -> Result<Subject> {
    let email = email.trim().to_lowercase();
    let row: Option<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT id FROM users WHERE LOWER(email) = $1")
            .bind(&email)
            .fetch_optional(pool)
            .await?
    });
    Ok(Subject {
        email,
        user_id: row.map(|(id,)| id),
    })
}

/// The account with this id as a subject (`None` when there is no such account).
pub async fn subject_by_user(db: &Db, user_id: UserId) -> Result<Option<Subject>> {
    let row: Option<(String,)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT email FROM users WHERE id = $1")
            .bind(user_id.0)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.map(|(email,)| Subject {
        email: email.to_lowercase(),
        user_id: Some(user_id.0),
    }))
}

/// Everything held about the subject, by section (sections with nothing are left out).
pub async fn holdings(db: &Db, subject: &Subject) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (name, key, sql) in SECTIONS {
        let rows = section(db, sql, *key, subject).await?;
        if !rows.is_empty() {
            out.insert((*name).to_string(), Value::Array(rows));
        }
    }
    Ok(out)
}

/// When the account was erased, if it was.
pub async fn erased_at(db: &Db, user_id: UserId) -> Result<Option<Timestamp>> {
    let row: Option<(Option<i64>,)> = on_db!(db, |pool| {
        sqlx::query_as("SELECT erased_at FROM users WHERE id = $1")
            .bind(user_id.0)
            .fetch_optional(pool)
            .await?
    });
    Ok(row.and_then(|(at,)| at).map(Timestamp))
}

/// What a statement of [`ERASE`] binds, in the order of its placeholders.
#[derive(Clone, Copy)]
enum Param {
    /// The account's id, or -1 when the address has none.
    UserId,
    /// The lower-cased address.
    Email,
    /// The time of the erasure.
    Now,
    /// A `LIKE` pattern for text containing the lower-cased address, escaped.
    EmailWithin,
    /// A `LIKE` pattern for text containing the name being erased (or nothing), escaped.
    NameWithin,
    /// The key of the address's password throttle (a digest of the address).
    PasswordThrottle,
    /// The key of the account's two-factor code throttle.
    CodeThrottle,
}

/// The character that escapes `%`, `_` and itself in the `LIKE` patterns of [`ERASE`].
/// Not a backslash: `'\'` is read differently by PostgreSQL without
/// `standard_conforming_strings`, while `'!'` means the same on both stores.
const LIKE_ESCAPE: char = '!';

/// A `LIKE` pattern (used with `ESCAPE '!'`) matching text that contains `text` as it is:
/// its `%`, `_` and `!` stand for themselves, so a person named `%%%%%` matches only
/// text holding `%%%%%`, and `j_smith@example.org` never matches `jasmith@example.org`.
/// Every `LIKE` built from personal data goes through this.
pub fn like_containing(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_') || c == LIKE_ESCAPE {
            pattern.push(LIKE_ESCAPE);
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The statements that erase a person, in order, each with what its `$1`, `$2`, … bind.
/// Every `LIKE` takes a pattern from [`like_containing`] and says `ESCAPE '!'`.
const ERASE: &[(&str, &[Param])] = &[
    // Their secrets and sessions go entirely.
    // Sessions: theirs, and any other holding a passing mention (a notice not yet shown,
    // a form carried through sign-in), which signs that person out.
    (
        "DELETE FROM sessions WHERE user_id = $1 OR LOWER(data) LIKE $2 ESCAPE '!' OR data LIKE $3 ESCAPE '!'",
        &[Param::UserId, Param::EmailWithin, Param::NameWithin],
    ),
    ("DELETE FROM api_tokens WHERE user_id = $1", &[Param::UserId]),
    ("DELETE FROM password_resets WHERE user_id = $1", &[Param::UserId]),
    ("DELETE FROM recovery_codes WHERE user_id = $1", &[Param::UserId]),
    (
        "DELETE FROM email_verifications WHERE user_id = $1 OR LOWER(email) = $2",
        &[Param::UserId, Param::Email],
    ),
    ("DELETE FROM grants WHERE user_id = $1", &[Param::UserId]),
    (
        "DELETE FROM sign_in_failures WHERE LOWER(email) = $1",
        &[Param::Email],
    ),
    (
        "DELETE FROM attempt_counts WHERE key = $1 OR key = $2",
        &[Param::PasswordThrottle, Param::CodeThrottle],
    ),
    // Mail to them, or naming them, keeps only that it was sent (both parts: the HTML part
    // says what the text says).
    (
        "UPDATE outbox SET to_address = 'erased', subject = '[removed]', body_text = '[removed]', body_html = NULL \
         WHERE LOWER(to_address) = $1 OR body_text LIKE $2 ESCAPE '!' OR LOWER(body_text) LIKE $3 ESCAPE '!' \
         OR body_html LIKE $2 ESCAPE '!' OR LOWER(body_html) LIKE $3 ESCAPE '!'",
        &[Param::Email, Param::NameWithin, Param::EmailWithin],
    ),
    // The programme keeps its records of requests, proposals and sign-offs, without them.
    (
        "UPDATE role_requests SET reason = '' WHERE user_id = $1",
        &[Param::UserId],
    ),
    // A request still waiting is declined: its pool record is withdrawn below, and a
    // request nobody can decide would wait on the admins' dashboards for ever.
    (
        "UPDATE role_requests SET status = 'declined', decision_reason = 'The account was erased' \
         WHERE user_id = $1 AND status = 'pending'",
        &[Param::UserId],
    ),
    // A panel keeps its record of who stood aside and who scored what, without their
    // reasons; they leave the panel and their bids go.
    (
        "UPDATE conflicts SET reason = '' WHERE user_id = $1",
        &[Param::UserId],
    ),
    ("DELETE FROM panel_members WHERE user_id = $1", &[Param::UserId]),
    // They leave every enabler pool; the programme keeps the engagements they held and
    // the contact they logged (the allocation's record), attributed to a former member.
    (
        "UPDATE enablers SET status = 'withdrawn', bio = '', expertise = '', sectors = '', regions = '' WHERE user_id = $1",
        &[Param::UserId],
    ),
    ("DELETE FROM review_bids WHERE user_id = $1", &[Param::UserId]),
    (
        "UPDATE invitations SET email = 'erased' WHERE LOWER(email) = $1",
        &[Param::Email],
    ),
    (
        "UPDATE places SET hwb_chair_name = NULL, hwb_chair_email = NULL WHERE LOWER(hwb_chair_email) = $1",
        &[Param::Email],
    ),
    (
        "UPDATE chair_proposals SET name = 'Former member', email = 'erased-' || CAST(id AS TEXT) || '@erased.invalid' \
         WHERE LOWER(email) = $1",
        &[Param::Email],
    ),
    (
        "UPDATE application_contacts SET name = 'Former member', email = 'erased-' || CAST(id AS TEXT) || '@erased.invalid', \
         organisation = '' WHERE LOWER(email) = $1",
        &[Param::Email],
    ),
    (
        "UPDATE signoffs SET contact_name = 'Former member', contact_email = 'erased-' || CAST(id AS TEXT) || '@erased.invalid', \
         confirmed_name = CASE WHEN confirmed_name IS NULL THEN NULL ELSE 'Former member' END WHERE LOWER(contact_email) = $1",
        &[Param::Email],
    ),
    // The account stays as a former member, so what they wrote that must be kept has an author.
    (
        "UPDATE users SET email = 'erased-' || CAST(id AS TEXT) || '@erased.invalid', name = 'Former member', organisation = '', \
         job_role = '', password_hash = '!', totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL, erased_at = $2 \
         WHERE id = $1",
        &[Param::UserId, Param::Now],
    ),
];

/// What an erasure came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Erased {
    Done,
    /// The account was erased before, at this time.
    Already(Timestamp),
    /// Nothing is held about the address (perhaps erased before: the erasure keeps no
    /// record of the address).
    NothingHeld,
}

/// Erases the subject inside `tx`: personal fields removed or replaced, secrets and
/// sessions deleted; content the programme must keep stays, attributed to a former member.
pub async fn erase(tx: &mut Tx, subject: &Subject, name: Option<&str>, now: Timestamp) -> Result<Erased> {
    let user_id = subject.user_id.unwrap_or(-1);
    if subject.user_id.is_some() {
        let at: Option<(Option<i64>,)> = on_tx!(tx, |conn| {
            sqlx::query_as("SELECT erased_at FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *conn)
                .await?
        });
        if let Some((Some(at),)) = at {
            return Ok(Erased::Already(Timestamp(at)));
        }
    }
    let email = subject.email.to_lowercase();
    // A name too short to be safely matched in text is not searched for in mail bodies.
    let name = name
        .filter(|n| n.chars().count() >= 5)
        .unwrap_or("\u{1}no name\u{1}");
    let email_within = like_containing(&email);
    let name_within = like_containing(name);
    for (statement, params) in ERASE {
        on_tx!(tx, |conn| {
            let mut query = sqlx::query(*statement);
            for param in *params {
                query = match param {
                    Param::UserId => query.bind(user_id),
                    Param::Email => query.bind(email.clone()),
                    Param::Now => query.bind(now.0),
                    Param::EmailWithin => query.bind(email_within.clone()),
                    Param::NameWithin => query.bind(name_within.clone()),
                    Param::PasswordThrottle => query.bind(crate::throttle::password_key(&email)),
                    Param::CodeThrottle => query.bind(crate::throttle::code_key(UserId(user_id))),
                };
            }
            query.execute(&mut *conn).await?;
        });
    }
    Ok(Erased::Done)
}

#[cfg(test)]
mod tests {
    use super::like_containing;

    #[test]
    fn like_patterns_escape_wildcards_and_the_escape_itself() {
        assert_eq!(like_containing("%%%%%"), "%!%!%!%!%!%%");
        assert_eq!(like_containing("_____"), "%!_!_!_!_!_%");
        assert_eq!(like_containing("j_smith@example.org"), "%j!_smith@example.org%");
        assert_eq!(like_containing("hi!there"), "%hi!!there%");
        assert_eq!(like_containing("Ada Admin"), "%Ada Admin%");
        assert_eq!(like_containing(""), "%%");
    }

    #[test]
    fn every_like_in_an_erasure_is_escaped() {
        for (statement, params) in super::ERASE {
            assert_eq!(
                statement.matches("LIKE").count(),
                statement.matches("LIKE $").count(),
                "{statement}"
            );
            assert_eq!(
                statement.matches("LIKE").count(),
                statement.matches("ESCAPE '!'").count(),
                "{statement}"
            );
            // Each statement binds exactly the placeholders it names.
            for n in 1..=params.len() {
                assert!(statement.contains(&format!("${n}")), "{statement}");
            }
            assert!(
                !statement.contains(&format!("${}", params.len() + 1)),
                "{statement}"
            );
        }
    }
}
