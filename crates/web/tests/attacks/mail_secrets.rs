#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Finding: live link secrets outlived their mail. The bodies of mail sent to a person were
//! in their subject access download, and stayed in the outbox after sending, with working
//! sign-off, invitation, confirmation and password links: whoever registered (or was
//! given) someone's address, or read the database, could use them. Now no download holds
//! one, and a sent message keeps `[link removed]` instead.

use crate::common::*;
use base64::Engine;
use convene_domain::links::{LINK_REMOVED, SECRET_LINK_ROUTES};
use convene_store::testing::Backend;

const SERVICE_ADMIN: &str = "ada.admin@example.org";
const PROGRAMME_ADMIN: &str = "priya.programme@example.org";
const LEAD: &str = "lee.lead@example.org";
const CHAIR: &str = "hwb.chair@westermoor.example.org";
const REGISTRANT: &str = "rowan.quillfeather@example.org";
const INVITEE: &str = "juno.marchetti@example.org";
const APPLY: &str = "/programmes/local-vision/rounds/demo-open/apply";

/// Who gets which kind of secret link.
const RECIPIENTS: [(&str, &str); 4] = [
    (REGISTRANT, "/verify-email/"),
    (LEAD, "/reset-password/"),
    (INVITEE, "/invitations/"),
    (CHAIR, "/sign-off/"),
];

/// The secrets after each secret route in `text` (URL-safe characters up to anything else).
fn secrets_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for route in SECRET_LINK_ROUTES {
        for (at, _) in text.match_indices(route) {
            let secret: String = text[at + route.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !secret.is_empty() {
                out.push(secret);
            }
        }
    }
    out
}

/// The value of the hidden input named `name`.
fn field_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in\n{html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Posts `fields` with the CSRF token of `html` (a page already fetched).
async fn post_with(
    app: &TestApp,
    client: &reqwest::Client,
    html: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf_token(html);
    let mut body: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
    body.extend_from_slice(fields);
    client
        .post(app.at(action))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(&body).unwrap())
        .send()
        .await
        .unwrap()
}

/// Westermoor's lead answers every section and asks the board chair to sign off.
async fn ask_for_sign_off(app: &TestApp) {
    let lead = app.signed_in(LEAD).await;
    let westermoor = app.place_id("PL-0001").await.to_string();
    let res = app
        .post_form(&lead, APPLY, APPLY, &[("place", &westermoor)])
        .await;
    assert_eq!(res.status(), 303);
    let id: i64 = res.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/applications/")
        .parse()
        .unwrap();
    let words = |n: usize| vec!["residents"; n].join(" ");
    let steps: [(&str, Vec<(&str, String)>); 6] = [
        (
            "about-your-place",
            vec![
                ("partners", "GB-DEMO-PL-0001-COUNCIL".into()),
                ("partners", "GB-DEMO-PL-0001-CCG".into()),
                ("theme", "Physical activity".into()),
            ],
        ),
        ("breakthrough-issue", vec![("breakthrough_issue", words(120))]),
        ("gain-for-residents", vec![("gain_for_residents", words(80))]),
        ("local-leadership", vec![("leadership_impact", words(80))]),
        ("lessons", vec![("wider_lessons", words(80))]),
        ("contribution", vec![("contribution", "£10,000".into())]),
    ];
    for (section, fields) in steps {
        let page = format!("/applications/{id}/sections/{section}");
        let (_, html) = app.get(&lead, &page).await;
        let version = field_value(&html, "version");
        let mut body: Vec<(&str, &str)> = vec![("version", version.as_str()), ("action", "continue")];
        body.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let res = post_with(app, &lead, &html, &page, &body).await;
        assert_eq!(res.status(), 303, "{section}: {}", res.text().await.unwrap());
    }
    let (_, page) = app.get(&lead, &format!("/applications/{id}/sign-off")).await;
    let res = post_with(
        app,
        &lead,
        &page,
        &format!("/applications/{id}/sign-off/send"),
        &[],
    )
    .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}

/// Makes every kind of mail that carries a secret link: a registration to confirm, a
/// password reset, an invitation and a sign-off request, each through its page. Waits
/// until all four are in the outbox.
async fn every_kind_of_secret_mail(app: &TestApp) {
    let visitor = app.client();
    let res = app
        .post_form(
            &visitor,
            "/register",
            "/register",
            &[
                ("name", "Rowan Quillfeather"),
                ("email", REGISTRANT),
                ("organisation", "Larkspur Bay Council"),
                ("job_role", "Public Health Registrar"),
                ("password", "Pewter harbour skylark"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post_form(
            &app.client(),
            "/forgot-password",
            "/forgot-password",
            &[("email", LEAD)],
        )
        .await;
    assert_eq!(res.status(), 200);
    let admin = app.signed_in(PROGRAMME_ADMIN).await;
    let greyhollow = app.place_id("PL-0012").await.to_string();
    let invite = "/programmes/local-vision/invite";
    let res = app
        .post_form(
            &admin,
            invite,
            invite,
            &[("email", INVITEE), ("role", "place_lead"), ("place", &greyhollow)],
        )
        .await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    ask_for_sign_off(app).await;
    // The reset link is queued off the request (so that it takes as long as for an
    // unknown address): wait for it. (With a mail server, a message may be sent, and its
    // link removed, before it is seen here.)
    for _ in 0..200 {
        let all = convene_store::outbox::recent(&app.state.db, 200).await.unwrap();
        if RECIPIENTS.iter().all(|(to, route)| {
            all.iter().any(|m| {
                m.to_address == *to
                    && (m.body_text.contains(route)
                        || (m.sent_at.is_some() && m.body_text.contains(LINK_REMOVED)))
            })
        }) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("not every kind of secret mail was queued");
}

/// Every address held anywhere in the database (accounts, board chairs, contacts,
/// invitations, mail), each a subject whose data can be downloaded.
async fn every_address(app: &TestApp) -> Vec<String> {
    let mut out: Vec<String> = convene_store::testing::dump_all_text(&app.state.db)
        .await
        .unwrap()
        .iter()
        .flat_map(|(_, row)| {
            row.split(|c: char| !(c.is_ascii_alphanumeric() || "@.-_+'".contains(c)))
                .filter(|word| word.contains('@'))
                .filter_map(|word| convene_domain::Email::parse(word).ok())
                .map(|email| email.as_str().to_lowercase())
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Asserts that a download holds none of `secrets` and no secret route followed by a secret.
fn assert_no_live_secret(what: &str, download: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !download.contains(secret.as_str()),
            "{what}: the download holds the live secret {secret}:\n{download}"
        );
    }
    let left = secrets_in(download);
    assert!(
        left.is_empty(),
        "{what}: the download holds secret links {left:?}:\n{download}"
    );
}

crate::on_both!(subject_access_download_holds_no_live_link_secret, |app| {
    every_kind_of_secret_mail(&app).await;
    let secrets: Vec<String> = convene_store::outbox::recent(&app.state.db, 500)
        .await
        .unwrap()
        .iter()
        .flat_map(|m| secrets_in(&m.body_text))
        .collect();
    assert!(secrets.len() >= 4, "{secrets:?}");
    // The service admin's download, for every person the service holds anything about.
    let admin = app.signed_in(SERVICE_ADMIN).await;
    let addresses = every_address(&app).await;
    for (to, _) in RECIPIENTS {
        assert!(addresses.iter().any(|a| a == to), "{to} in {addresses:?}");
    }
    let mut downloads = Vec::new();
    for email in &addresses {
        let res = admin
            .get(app.at("/admin/people/data.json"))
            .query(&[("email", email)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{email}");
        let text = res.text().await.unwrap();
        assert_no_live_secret(email, &text, &secrets);
        downloads.push((email.clone(), text));
    }
    // Where a link was, the mail says so.
    for (to, _) in RECIPIENTS {
        let (_, text) = downloads.iter().find(|(email, _)| email == to).unwrap();
        let data: serde_json::Value = serde_json::from_str(text).unwrap();
        let mail = data["records"]["emails_sent_to_you"].as_array().unwrap();
        assert!(
            mail.iter()
                .any(|m| m["body"].as_str().unwrap().contains(LINK_REMOVED)),
            "{to}: {text}"
        );
    }
    // The person's own download, and the API's, are the same assembly.
    let lead = app.signed_in(LEAD).await;
    let res = lead.get(app.at("/account/your-data.json")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let own = res.text().await.unwrap();
    assert_no_live_secret("own download", &own, &secrets);
    assert!(own.contains(LINK_REMOVED), "{own}");
    let data: serde_json::Value = serde_json::from_str(&own).unwrap();
    let id = data["records"]["account"][0]["id"].as_str().unwrap().to_string();
    let token = app.create_api_token(&lead, "lead tool").await;
    let res = app
        .client()
        .get(app.at(&format!("/api/v1/people/{id}/data")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let api = res.text().await.unwrap();
    assert_no_live_secret("API download", &api, &secrets);
    assert!(api.contains(LINK_REMOVED), "{api}");
    // Nothing was sent (no mail server): the outbox keeps every link, to go out later.
    let outbox = convene_store::outbox::recent(&app.state.db, 500).await.unwrap();
    for (to, route) in RECIPIENTS {
        assert!(
            outbox.iter().any(|m| m.to_address == to
                && !secrets_in(&m.body_text).is_empty()
                && m.body_text.contains(route)),
            "{to}: unsent mail keeps its link"
        );
    }
    app.stop().await;
});

/// The decoded text body of a raw message as the SMTP sink stored it (for a multipart
/// message from templates, its first part: the plain text).
fn body_of(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or(("", raw.as_str()));
    if let Some((_, rest)) = head.split_once("boundary=") {
        let boundary = rest.trim_start_matches('"');
        let boundary = &boundary[..boundary.find(['"', ';', '\n']).unwrap_or(boundary.len())];
        let first = body.split(&format!("--{boundary}")).nth(1).unwrap_or("");
        return body_of(first.trim_start_matches('\n'));
    }
    let encoding = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-transfer-encoding")
            .then(|| value.trim().to_ascii_lowercase())
    });
    match encoding.as_deref() {
        Some("base64") => {
            let compact: String = body.split_whitespace().collect();
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).unwrap()).unwrap()
        }
        Some("quoted-printable") => {
            let joined = body.replace("=\n", "");
            let bytes = joined.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'='
                    && let Some(hex) = joined.get(i + 1..i + 3)
                    && let Ok(b) = u8::from_str_radix(hex, 16)
                {
                    out.push(b);
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8(out).unwrap()
        }
        _ => body.to_string(),
    }
}

/// The path of the first link to `route` in `text`.
fn link_path(text: &str, route: &str) -> Option<String> {
    let at = text.find(route)?;
    Some(text[at..].split_whitespace().next()?.to_string())
}

async fn sent_mail_keeps_no_link_secret(backend: Backend) {
    let sink = SmtpSink::start(0).await;
    let app = TestApp::spawn_with(
        backend,
        Options {
            smtp_url: Some(format!("smtp://127.0.0.1:{}", sink.port)),
            ..Options::default()
        },
    )
    .await;
    every_kind_of_secret_mail(&app).await;
    let queued = convene_store::outbox::recent(&app.state.db, 500)
        .await
        .unwrap()
        .len();
    let received = sink.wait_for(queued).await;
    assert_eq!(received.len(), queued, "{backend:?}: every message delivered");
    // Each message arrives with its working link.
    let mut secrets = Vec::new();
    for (to, route) in RECIPIENTS {
        let body = received
            .iter()
            .filter(|raw| raw.contains(&format!("To: {to}")))
            .map(|raw| body_of(raw))
            .find(|body| body.contains(route))
            .unwrap_or_else(|| panic!("{backend:?}: no {route} mail reached {to}: {received:#?}"));
        let path = link_path(&body, route).unwrap();
        let path = path.as_str();
        secrets.extend(secrets_in(path));
        let (status, page) = app.get(&app.client(), path).await;
        assert_eq!(status, 200, "{backend:?}: {path} works: {page}");
        assert!(
            page.contains("method=\"post\""),
            "{backend:?}: {path} offers its action: {page}"
        );
        let mut tampered = path.to_string();
        let last = tampered.pop();
        tampered.push(if last == Some('0') { '1' } else { '0' });
        let (status, page) = app.get(&app.client(), &tampered).await;
        assert!(
            status != 200 || !page.contains("method=\"post\""),
            "{backend:?}: a tampered {route} link does not work"
        );
    }
    assert_eq!(secrets.len(), RECIPIENTS.len());
    // Once sent, the stored body keeps no secret: every row of every table is free of them.
    let mut all_sent = false;
    for _ in 0..200 {
        let outbox = convene_store::outbox::recent(&app.state.db, 500).await.unwrap();
        if outbox.iter().all(|m| m.sent_at.is_some()) {
            all_sent = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(all_sent, "{backend:?}: the outbox records every send");
    let rows = convene_store::testing::dump_all_text(&app.state.db)
        .await
        .unwrap();
    for (table, row) in &rows {
        for secret in &secrets {
            assert!(
                !row.contains(secret.as_str()),
                "{backend:?}: {table} still holds a sent link's secret: {row}"
            );
        }
        if table == "outbox" {
            assert!(
                secrets_in(row).is_empty(),
                "{backend:?}: a sent message keeps a secret link: {row}"
            );
        }
    }
    let outbox = convene_store::outbox::recent(&app.state.db, 500).await.unwrap();
    for (to, route) in RECIPIENTS {
        let m = outbox
            .iter()
            .find(|m| m.to_address == to && m.body_text.contains(LINK_REMOVED))
            .unwrap_or_else(|| panic!("{backend:?}: the {route} mail to {to} says its link was removed"));
        assert!(!m.body_text.contains(route), "{backend:?}: {}", m.body_text);
    }
    app.stop().await;

    // Without a mail server (the demo), nothing is sent, so the outbox viewer still shows
    // working links.
    let demo = TestApp::spawn_with(
        backend,
        Options {
            demo: true,
            ..Options::default()
        },
    )
    .await;
    demo.post_form(
        &demo.client(),
        "/forgot-password",
        "/forgot-password",
        &[("email", LEAD)],
    )
    .await;
    let mut shown = None;
    for _ in 0..200 {
        let (_, page) = demo.get(&demo.client(), "/dev/mail").await;
        if let Some(path) = link_path(&page, "/reset-password/") {
            shown = Some(path);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let path = shown.expect("the demo outbox shows the reset link");
    let path: String = path
        .chars()
        .take_while(|c| !matches!(c, '<' | '"' | '\''))
        .collect();
    let (status, page) = demo.get(&demo.client(), &path).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Choose a new password") && page.contains("method=\"post\""),
        "{backend:?}: the demo's link works: {page}"
    );
    demo.stop().await;
}

#[tokio::test]
async fn sent_mail_keeps_no_link_secret_sqlite() {
    sent_mail_keeps_no_link_secret(Backend::Sqlite).await;
}

#[tokio::test]
async fn sent_mail_keeps_no_link_secret_postgres() {
    sent_mail_keeps_no_link_secret(Backend::Postgres).await;
}
