#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! The permission matrix: every method of every route the router serves, asked by every kind
//! of person, against the expectations in `permissions.tsv` (one row per method and route,
//! one column per principal, written from the rules in `domain/src/policy.rs` and the
//! handlers, never copied from what the app answers). Runs on SQLite and on PostgreSQL.
//!
//! How the routes are listed: axum 0.8 has no public route listing, but `Router`'s `Debug`
//! output shows its path router's node, `RouteId(n): "/pattern"` for every route, and each
//! route's method router with its `allow_header`. [`route_patterns`] reads the patterns from
//! `convene_web::build_app`, the real router with every module merged in as it is served
//! (the entries after `fallback_router` are axum's own fallback, not routes). Which methods a
//! pattern takes is found by asking ([`routed_methods`]): the pattern, parameters filled with
//! `1` and a wildcard with `x`, is sent GET, POST, PUT, PATCH and DELETE; 405 means that
//! method is not routed, anything else means it is, and then it must have a row. The prober
//! is an anonymous visitor with a fresh CSRF token on each POST (the CSRF check wraps the
//! method router, so a POST without one would get 403 rather than 405): the router answers
//! 405 before any handler or permission check whoever asks, and an anonymous probe changes
//! nothing, where a service admin's would sign out everywhere, revoke tokens and so on. The
//! probe must agree with the `allow_header` the same `Debug` output shows.
//!
//! Static files under `/assets/{*path}` have one row, for the wildcard (they are public).
//!
//! The principals: anonymous; an unconfirmed account (registered through `/register`; it
//! cannot sign in, so its session and API token are written into the store, and it must
//! reach exactly what anonymous does); the six demo people; and three accounts made in the
//! store for this test: the lead of another place, the admin of another programme, a panel
//! member of another round. Pages are asked with each one's own browser (session cookie,
//! CSRF token on every POST, so that what is tested is the permission, not CSRF); the API
//! with a cookieless client and each one's bearer token (none for anonymous). POST bodies
//! are harmless (the table's `body` column, else an empty form or `{}`), so most rows change
//! nothing; records a row may change are made for it in set-up ([`fixtures`]).
//!
//! Rows run in the table's order. In a row, the principals to be refused ask first (at
//! once), so the record is as set up when they try; then those allowed (at once for a GET,
//! one by one otherwise), since an allowed request may remove what the path names (a
//! contact, a token, a proposal). Rows that end sessions ([`ENDS_SESSIONS`]: sign-out, and
//! sign-out everywhere, which also revokes API tokens) are followed by a fresh sign-in and
//! token for every principal; before each of them, and after the last row,
//! [`sessions_intact`] checks that no other row has lost anyone's session or CSRF token (a
//! refused POST must be refused for its permission, not for a stale token).
//!
//! Some properties are in the body, not the status: [`round_form_before_opening`] checks
//! who is shown the form of a round not yet open, and set-up checks that asking for a role
//! through the API does not tell the asker who already leads the place.
//!
//! A cell that differs fails the test, unless it is listed in [`KNOWN_BUGS`]: security bugs
//! found by this matrix, whose rows in the table say what the app SHOULD answer. The test
//! asserts those still fail, so fixing one fails the test until it is taken off the list.
//! `PERMISSIONS_DUMP=/tmp/got cargo test -p convene-web --test permissions` writes what the
//! app answered, in the table's layout, to `/tmp/got.sqlite` and `/tmp/got.postgres`: for
//! reading a failure side by side with the table, never for copying into it.

mod common;

use common::{TestApp, csrf_token};
use convene_domain::Timestamp;
use convene_domain::accounts::{Grant, Role, hash_password, new_secret, secret_digest};
use convene_domain::{ApplicationId, PlaceId, RoundId, UserId};
use convene_store::demo::DEMO_PASSWORD;
use std::collections::{BTreeMap, BTreeSet};

const TABLE: &str = include_str!("permissions.tsv");

/// Cells ("METHOD route principal") and checks that fail because of a security bug in the
/// app, not in the table. Each must still fail: remove it once the app is fixed.
const KNOWN_BUGS: &[&str] = &[];

/// Rows after which every principal is signed in again: they end the asker's session (and
/// sign-out everywhere revokes API tokens too).
const ENDS_SESSIONS: &[(&str, &str)] = &[("POST", "/sign-out"), ("POST", "/account/sign-out-everywhere")];

/// The methods probed on every route.
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Who asks, by the table's column names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// No session and no token.
    Anonymous,
    /// An account registered through /register whose address was never confirmed.
    Unconfirmed,
    /// An account signed in through /sign-in with the demo password.
    Account(&'static str),
}

const OTHER_LEAD: &str = "olwen.otherlead@example.org";
const OTHER_ADMIN: &str = "osric.otheradmin@example.org";
const OTHER_PANEL: &str = "opal.otherpanel@example.org";
const UNCONFIRMED: &str = "una.unconfirmed@example.org";
const CONFLICTED_PANEL: &str = "cora.conflicted@example.org";

const COLUMNS: [(&str, Kind); 12] = [
    ("anonymous", Kind::Anonymous),
    ("unconfirmed", Kind::Unconfirmed),
    ("service_admin", Kind::Account("ada.admin@example.org")),
    ("programme_admin", Kind::Account("priya.programme@example.org")),
    ("panel_member", Kind::Account("pat.panel@example.org")),
    ("place_lead", Kind::Account("lee.lead@example.org")),
    ("enabler", Kind::Account("eden.enabler@example.org")),
    ("participant", Kind::Account("parker.participant@example.org")),
    ("other_place_lead", Kind::Account(OTHER_LEAD)),
    ("other_programme_admin", Kind::Account(OTHER_ADMIN)),
    ("other_round_panel", Kind::Account(OTHER_PANEL)),
    ("conflicted_panel", Kind::Account(CONFLICTED_PANEL)),
];

/// One row of the table.
#[derive(Debug, Clone)]
struct Row {
    line: usize,
    method: String,
    route: String,
    path: String,
    body: Option<String>,
    expected: Vec<String>,
}

/// The table: its principals (columns) and rows.
struct Table {
    principals: Vec<&'static str>,
    rows: Vec<Row>,
}

fn parse_table(text: &str) -> Table {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    let (_, header) = lines.next().expect("permissions.tsv has a header row");
    let names: Vec<&str> = header.split('\t').collect();
    assert_eq!(
        names[..4],
        ["method", "route", "path", "body"],
        "permissions.tsv: the header starts method, route, path, body"
    );
    let principals: Vec<&'static str> = names[4..]
        .iter()
        .map(|n| {
            COLUMNS
                .iter()
                .find(|(c, _)| c == n)
                .unwrap_or_else(|| panic!("permissions.tsv: unknown principal column {n}"))
                .0
        })
        .collect();
    for (column, _) in COLUMNS {
        assert_eq!(
            principals.iter().filter(|p| **p == column).count(),
            1,
            "permissions.tsv: the header names {column} once"
        );
    }
    let rows = lines
        .map(|(i, l)| {
            let cells: Vec<&str> = l.split('\t').collect();
            assert_eq!(
                cells.len(),
                names.len(),
                "permissions.tsv line {}: {} cells, the header has {}",
                i + 1,
                cells.len(),
                names.len()
            );
            for c in &cells[4..] {
                assert!(
                    *c == "login" || (c.len() == 3 && c.parse::<u16>().is_ok()),
                    "permissions.tsv line {}: {c:?} is neither a status nor login",
                    i + 1
                );
            }
            Row {
                line: i + 1,
                method: cells[0].to_string(),
                route: cells[1].to_string(),
                path: cells[2].to_string(),
                body: (cells[3] != "-").then(|| cells[3].to_string()),
                expected: cells[4..].iter().map(|c| c.to_string()).collect(),
            }
        })
        .collect();
    Table { principals, rows }
}

/// The route patterns of the router as served, read from its `Debug` output (see the top).
fn route_patterns(debug: &str) -> BTreeMap<String, Option<BTreeSet<String>>> {
    let own = &debug[..debug
        .find("fallback_router")
        .expect("axum's Router Debug output names its fallback_router")];
    let mut paths: BTreeMap<u64, String> = BTreeMap::new();
    let mut allowed: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
    let mut rest = own;
    while let Some(at) = rest.find("RouteId(") {
        rest = &rest[at + "RouteId(".len()..];
        let Some(close) = rest.find("): ") else { break };
        let Ok(id) = rest[..close].parse::<u64>() else {
            continue;
        };
        let after = &rest[close + 3..];
        if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"').expect("a closing quote");
            paths.insert(id, quoted[..end].to_string());
        } else if after.starts_with("MethodRouter(") {
            // This route's methods, as its Allow header lists them.
            let entry = &after[..after.find("RouteId(").unwrap_or(after.len())];
            if let Some(a) = entry.find("allow_header: Bytes(b\"") {
                let list = &entry[a + "allow_header: Bytes(b\"".len()..];
                let list = &list[..list.find('"').unwrap_or(0)];
                allowed.insert(
                    id,
                    list.split(',')
                        .filter(|m| METHODS.contains(m))
                        .map(str::to_string)
                        .collect(),
                );
            }
        }
    }
    assert!(
        paths.len() > 50,
        "could not read the routes from the router's Debug output:\n{own}"
    );
    paths
        .into_iter()
        .map(|(id, path)| (path, allowed.remove(&id)))
        .collect()
}

/// A pattern with every parameter filled in, for probing the router.
fn probe_path(pattern: &str) -> String {
    pattern
        .split('/')
        .map(|segment| {
            if segment.starts_with("{*") {
                "x"
            } else if segment.starts_with('{') {
                "1"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every (method, pattern) the router serves, found by asking it (see the top).
async fn routed_methods(app: &TestApp) -> BTreeSet<(String, String)> {
    let router = convene_web::build_app(app.state.clone());
    let patterns = route_patterns(&format!("{router:?}"));
    let prober = app.client();
    let mut routed = BTreeSet::new();
    for (pattern, allow_header) in &patterns {
        let path = probe_path(pattern);
        let mut found = BTreeSet::new();
        for method in METHODS {
            let mut req = prober.request(method.parse().unwrap(), app.at(&path));
            if method == "POST" && !path.starts_with("/api/") {
                let (_, html) = app.get(&prober, "/sign-in").await;
                let token = csrf_token(&html);
                req = req
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("csrf_token={token}"));
            }
            let status = req.send().await.unwrap().status().as_u16();
            if status != 405 {
                found.insert(method.to_string());
            }
        }
        if let Some(allow) = allow_header {
            assert_eq!(
                &found, allow,
                "{pattern}: the methods that do not answer 405 differ from the route's Allow header"
            );
        }
        assert!(!found.is_empty(), "{pattern} answers 405 to every method");
        for m in found {
            routed.insert((m, pattern.clone()));
        }
    }
    routed
}

/// A person asking: their browser (with its session cookie and CSRF token) and API token.
struct Principal {
    column: &'static str,
    kind: Kind,
    page: reqwest::Client,
    csrf: String,
    token: Option<String>,
}

/// The CSRF token of a client's session, from the account page when it may see it, else
/// from the sign-in page.
async fn csrf_of(app: &TestApp, client: &reqwest::Client) -> String {
    let (status, html) = app.get(client, "/account").await;
    if status == 200 {
        return csrf_token(&html);
    }
    let (status, html) = app.get(client, "/sign-in").await;
    assert_eq!(status, 200, "the sign-in page shows a form");
    csrf_token(&html)
}

/// Signs every principal in (again): a new browser, its CSRF token and an API token.
async fn connect(app: &TestApp, unconfirmed_id: i64) -> Vec<Principal> {
    let mut out = Vec::new();
    for (column, kind) in COLUMNS {
        let (page, token) = match kind {
            Kind::Anonymous => (app.client(), None),
            // It cannot sign in: a session and a token written straight into the store.
            Kind::Unconfirmed => (
                app.forged_session(unconfirmed_id).await,
                Some(app.forged_api_token(unconfirmed_id).await),
            ),
            Kind::Account(email) => {
                let client = app.signed_in(email).await;
                let token = app.create_api_token(&client, "matrix").await;
                (client, Some(token))
            }
        };
        let csrf = csrf_of(app, &page).await;
        out.push(Principal {
            column,
            kind,
            page,
            csrf,
            token,
        });
    }
    out
}

/// A member of the 2013 round's panel (as pat is) who has declared a conflict with the
/// place of {app} (PL-0009), through the store.
async fn conflicted_panel_member(app: &TestApp, local_vision: convene_domain::ProgrammeId) {
    let db = &app.state.db;
    let r2013 = convene_store::programmes::rounds(db, local_vision)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "2013")
        .unwrap()
        .id;
    let id = extra_account(
        app,
        CONFLICTED_PANEL,
        "Cora Conflicted",
        Role::PanelMember,
        Some(r2013.0),
    )
    .await;
    let place = convene_domain::PlaceId(app.place_id("PL-0009").await);
    let mut tx = db.begin().await.unwrap();
    let with = convene_domain::panels::conflicts::ConflictWith::Place(place);
    convene_store::panels::conflicts::declare(
        &mut tx,
        r2013,
        UserId(id),
        with,
        "I chair its board",
        common::now(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Creates an account (not a demo one) with one role, through the store.
async fn extra_account(app: &TestApp, email: &str, name: &str, role: Role, scope: Option<i64>) -> i64 {
    let hash = hash_password(DEMO_PASSWORD).unwrap();
    let now = common::now();
    let mut tx = app.state.db.begin().await.unwrap();
    let id = convene_store::users::create(
        &mut tx,
        &convene_domain::Email::parse(email).unwrap(),
        name,
        &hash,
        now,
    )
    .await
    .unwrap();
    convene_store::users::grant(&mut tx, UserId(id), Grant::new(role, scope).unwrap(), now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn user_by_email(app: &TestApp, email: &str) -> Option<convene_store::users::User> {
    convene_store::users::by_email(&app.state.db, &convene_domain::Email::parse(email).unwrap())
        .await
        .unwrap()
}

/// Registers the unconfirmed account through the register page; returns its id.
async fn register_unconfirmed(app: &TestApp) -> i64 {
    let visitor = app.client();
    let res = app
        .post_form(
            &visitor,
            "/register",
            "/register",
            &[
                ("name", "Una Unconfirmed"),
                ("email", UNCONFIRMED),
                ("organisation", "Westermoor Council"),
                ("job_role", "Policy officer"),
                ("password", "Granite meadow lanterns"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 200, "registering shows 'check your email'");
    // The account may be made after the answer is sent (the same work for a used address).
    for _ in 0..100 {
        if let Some(user) = user_by_email(app, UNCONFIRMED).await {
            assert!(!user.email_verified, "a registered address stays unconfirmed");
            return user.id.0;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("registering did not make an account");
}

/// The `Location` of a redirect.
fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// The lead starts a place's application to the open round through the pages; its id.
async fn start_application(app: &TestApp, lead: &reqwest::Client, place_id: i64) -> i64 {
    let path = "/programmes/local-vision/rounds/demo-open/apply";
    let res = app
        .post_form(lead, path, path, &[("place", &place_id.to_string())])
        .await;
    assert_eq!(res.status().as_u16(), 303, "the lead starts an application");
    location(&res)
        .trim_start_matches("/applications/")
        .parse::<i64>()
        .unwrap()
}

/// The award of `{app}` (accepted), and a declined award of the 2013 round whose place no
/// reserve has been offered yet: made in the store on a not-funded application, announced
/// and declined, so the chair's offer of its place to the top reserve has an award to name.
async fn award_fixtures(app: &TestApp, round: RoundId, funded: ApplicationId) -> (i64, i64) {
    use convene_domain::awards::AwardStatus;
    let accepted = convene_store::awards::of_application(&app.state.db, funded)
        .await
        .unwrap()
        .unwrap()
        .id;
    let not_funded = common::enablers::not_funded(app, round).await;
    let declined = common::enablers::award_on(app, (round, not_funded), AwardStatus::Declined).await;
    (accepted, declined)
}

/// The demo's engagement of lee's place (PL-0001) with eden, its first contact entry and
/// the query lee raised on its second.
async fn engagement_fixtures(app: &TestApp, place: i64) -> (i64, i64, i64) {
    use convene_store::enablers::engagements;
    let db = &app.state.db;
    let lee = convene_domain::Email::parse("lee.lead@example.org").unwrap();
    let lee = convene_store::users::by_email(db, &lee)
        .await
        .unwrap()
        .unwrap()
        .id;
    let theirs = engagements::of_person(db, lee).await.unwrap();
    let engagement = theirs.iter().find(|e| e.place_id.0 == place).unwrap();
    assert_eq!(engagement.enabler_name, "Eden Enablewell");
    let entry = engagements::contact(db, engagement.id).await.unwrap()[0].id;
    let query = convene_store::enablers::queries::of_engagement(db, engagement.id)
        .await
        .unwrap()[0]
        .id;
    (engagement.id, entry, query)
}

/// Eden's place in Local Vision's enabler pool, and a request by lee for a support offer
/// for {award}, waiting for a decision (both through the store).
async fn enabler_fixtures(app: &TestApp, award: i64) -> (i64, i64) {
    use convene_store::enablers::{self as pool, support};
    let db = &app.state.db;
    let lv = convene_store::programmes::by_slug(db, "local-vision")
        .await
        .unwrap()
        .unwrap()
        .id;
    let eden = user_by_email(app, "eden.enabler@example.org").await.unwrap().id;
    let enabler = pool::of_user(db, eden)
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.programme_id == lv)
        .unwrap()
        .id;
    let lee = user_by_email(app, "lee.lead@example.org").await.unwrap().id;
    let now = common::now();
    let mut tx = db.begin().await.unwrap();
    let kind = ("consultancy_days", "Matrix consultancy days", "Matrix Partners");
    let offer = support::create_offer(&mut tx, lv, kind, 10, now).await.unwrap();
    let request = support::request(&mut tx, (offer, award), 2, "For the matrix", lee, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (enabler, request)
}

/// The records the table's paths name, by placeholder (the table's header says which).
async fn fixtures(
    app: &TestApp,
    people: &[Principal],
    checks: &mut Vec<(String, String)>,
) -> BTreeMap<&'static str, String> {
    use convene_store::{applications, news, programmes, requests, signoffs, tokens, uploads};
    let db = &app.state.db;
    let now = common::now();
    let by = |column: &str| people.iter().find(|p| p.column == column).unwrap();
    let lee = &by("place_lead").page;
    let mut f: BTreeMap<&'static str, String> = BTreeMap::new();

    let lv = programmes::by_slug(db, "local-vision").await.unwrap().unwrap();
    let rounds = programmes::rounds(db, lv.id).await.unwrap();
    let round = |slug: &str| rounds.iter().find(|r| r.slug == slug).unwrap().clone();
    let (r2013, open) = (round("2013"), round("demo-open"));
    // A round that opens next year, with its form.
    let london = |y, m, d| Timestamp::from_london(y, m, d, 9, 0, 0).unwrap();
    let plan = convene_domain::rounds::RoundPlan {
        name: "Local Vision 2027".into(),
        slug: "matrix-2027".into(),
        reference_prefix: "LV-2027".into(),
        opens_at: london(2027, 3, 1),
        closes_at: london(2027, 4, 30),
        places_offered: 5,
        value_per_place: convene_domain::Pence::pounds(35_000),
        eligibility: "Places in England.".into(),
        review_ends_at: london(2027, 5, 14),
        notify_by: london(2027, 5, 21),
        launch_event_at: None,
        launch_event_location: None,
        themes: vec!["Other".into()],
    };
    let mut tx = db.begin().await.unwrap();
    let future = programmes::insert_round(&mut tx, lv.id, &plan, false)
        .await
        .unwrap();
    let template = convene_domain::forms::local_vision_template();
    convene_store::forms::insert_version(&mut tx, RoundId(future), &template, now, true)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state.catalogue.invalidate();

    let place = app.place_id("PL-0001").await;
    let second_place = app.place_id("PL-0009").await;
    let submitted = applications::for_place_in_round(db, r2013.id, PlaceId(second_place))
        .await
        .unwrap()
        .unwrap();
    // The lead starts the drafts through the pages.
    let draft = start_application(app, lee, place).await;
    let signoff_draft = start_application(app, lee, second_place).await;
    let contacts = format!("/applications/{draft}/sign-off/contacts");
    let res = app
        .post_form(
            lee,
            &format!("/applications/{draft}/sign-off"),
            &contacts,
            &[
                ("contact_name", "Sam Partner"),
                ("contact_email", "sam.partner@example.org"),
                ("contact_organisation", "Westermoor Voluntary Action"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "the lead adds a partner contact");
    let contact = signoffs::contacts(db, ApplicationId(draft)).await.unwrap()[0].id;
    let res = app
        .post_form(
            lee,
            &format!("/places/{place}"),
            &format!("/places/{place}/chair/proposals"),
            &[
                ("chair_name", "Robin Newchair"),
                ("chair_email", "robin.newchair@example.org"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "the lead proposes a chair");
    let proposal = programmes::open_chair_proposals(db, PlaceId(place))
        .await
        .unwrap()[0]
        .id;

    // A live sign-off link of the second draft, a file on the submitted application, links
    // for the participant, and an invitation, made in the store with secrets we know.
    let signoff_token = new_secret();
    let invitation_token = new_secret();
    let reset_token = new_secret();
    let verify_token = new_secret();
    let participant = user_by_email(app, "parker.participant@example.org")
        .await
        .unwrap();
    let admin = user_by_email(app, "priya.programme@example.org").await.unwrap();
    let file = new_secret()[..24].to_string();
    let answers = applications::by_id(db, signoff_draft)
        .await
        .unwrap()
        .unwrap()
        .answers_digest;
    let mut tx = db.begin().await.unwrap();
    signoffs::request(
        &mut tx,
        ApplicationId(signoff_draft),
        &signoffs::NewRequest {
            kind: signoffs::CHAIR,
            name: "Chair of Oakhurst Cross Health and Wellbeing Board",
            email: "hwb.chair@oakhurst-cross.example.org",
            organisation: "Health and Wellbeing Board",
            token_digest: &secret_digest(&signoff_token),
            answers_digest: &answers,
            expires_at: now.plus_seconds(14 * 24 * 3600),
        },
        now,
    )
    .await
    .unwrap();
    uploads::insert(
        &mut tx,
        &uploads::NewUpload {
            public_id: &file,
            application_id: submitted.id.0,
            question_key: "supporting_letter",
            file_name: "letter.txt",
            content_type: "text/plain",
            content: b"A letter of support.",
            uploaded_by: None,
        },
        now,
    )
    .await
    .unwrap();
    tokens::create_password_reset(
        &mut tx,
        participant.id,
        &secret_digest(&reset_token),
        now,
        now.plus_seconds(3600),
    )
    .await
    .unwrap();
    tokens::create_email_verification(
        &mut tx,
        participant.id,
        &participant.email,
        &secret_digest(&verify_token),
        "",
        now,
        now.plus_seconds(24 * 3600),
    )
    .await
    .unwrap();
    requests::create_invitation(
        &mut tx,
        "ivy.invitee@example.org",
        Role::PlaceLead,
        Some(app.place_id("PL-0002").await),
        lv.id,
        &secret_digest(&invitation_token),
        admin.id.0,
        now,
        now.plus_seconds(7 * 24 * 3600),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // The participant asks to act for the lead's place through the API. The answer must not
    // name the place's leads to them (the admins see them on the request's page).
    let res = reqwest::Client::new()
        .post(app.at("/api/v1/programmes/local-vision/role-requests"))
        .bearer_auth(by("participant").token.as_ref().unwrap())
        .json(&serde_json::json!({"place_id": place, "reason": "I coordinate the partnership's work."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 201, "the participant asks for a role");
    let body: serde_json::Value = res.json().await.unwrap();
    let request = body["id"].as_i64().unwrap();
    if body.to_string().contains("Lee Leadbetter") {
        checks.push((
            "LEAK POST /api/v1/programmes/{slug}/role-requests existing_leads".into(),
            format!(
                "the requester is told who leads the place: {}",
                body["existing_leads"]
            ),
        ));
    }

    // A spare token of the service admin's, to be revoked.
    app.create_api_token(&by("service_admin").page, "spare").await;
    let owner = user_by_email(app, "ada.admin@example.org").await.unwrap().id;
    let spare = tokens::api_tokens_of(db, owner)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "spare")
        .unwrap()
        .id;

    let (award, declined_award) = award_fixtures(app, r2013.id, submitted.id).await;
    let (engagement, entry, query) = engagement_fixtures(app, place).await;
    let (enabler, support_request) = enabler_fixtures(app, award).await;

    let news = news::by_slug(db, "applications-for-the-next-nine-cohorts-open-on-27-august")
        .await
        .unwrap()
        .unwrap();
    for (name, value) in [
        ("lv", lv.slug.clone()),
        ("round_2013", r2013.slug.clone()),
        ("round_open", open.slug.clone()),
        ("round_2013_id", r2013.id.to_string()),
        ("round_open_id", open.id.to_string()),
        ("round_future_id", future.to_string()),
        ("place", place.to_string()),
        ("app", submitted.id.to_string()),
        ("draft", draft.to_string()),
        ("section", template.sections[0].key.clone()),
        ("file", file),
        ("contact", contact.to_string()),
        ("signoff_token", signoff_token),
        ("news", news.slug.clone()),
        ("news_id", news.id.to_string()),
        ("request", request.to_string()),
        ("proposal", proposal.to_string()),
        ("reset_token", reset_token),
        ("verify_token", verify_token),
        ("invitation_token", invitation_token),
        ("bogus_token", new_secret()),
        ("participant_id", participant.id.to_string()),
        ("participant_email", participant.email.clone()),
        ("revoke_token_id", spare.to_string()),
        ("asset", "convene.css".into()),
        ("award", award.to_string()),
        ("declined_award", declined_award.to_string()),
        ("engagement", engagement.to_string()),
        ("entry", entry.to_string()),
        ("query", query.to_string()),
        ("enabler", enabler.to_string()),
        ("support_request", support_request.to_string()),
    ] {
        f.insert(name, value);
    }
    f
}

/// `text` with every `{placeholder}` filled in; panics on one it does not know.
fn fill(text: &str, fixtures: &BTreeMap<&'static str, String>) -> String {
    let mut out = text.to_string();
    for (name, value) in fixtures {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    let mut rest = out.as_str();
    while let Some(open) = rest.find('{') {
        let word: String = rest[open + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(
            word.is_empty() || !rest[open + 1 + word.len()..].starts_with('}'),
            "permissions.tsv: unknown placeholder {{{word}}} in {text}"
        );
        rest = &rest[open + 1..];
    }
    out
}

/// What a response comes to, as the table writes it.
fn cell(res: &reqwest::Response) -> String {
    let status = res.status().as_u16();
    if status == 303 && location(res).starts_with("/sign-in?next=") {
        "login".into()
    } else {
        status.to_string()
    }
}

/// A row's request as `who` would send it.
fn request(
    app: &TestApp,
    api: &reqwest::Client,
    who: &Principal,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> reqwest::RequestBuilder {
    let method: reqwest::Method = method.parse().unwrap();
    let url = app.at(path);
    if path.starts_with("/api/") {
        // The API takes a bearer token and never the session cookie: no cookies here.
        let mut req = api.request(method.clone(), url);
        if let Some(token) = &who.token {
            req = req.bearer_auth(token);
        }
        if method != reqwest::Method::GET {
            req = req
                .header("content-type", "application/json")
                .body(body.unwrap_or("{}").to_string());
        }
        req
    } else if method == reqwest::Method::POST {
        let mut form = format!("csrf_token={}", who.csrf);
        if let Some(b) = body {
            form.push('&');
            form.push_str(b);
        }
        who.page
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
    } else {
        who.page.request(method, url)
    }
}

/// Checks that every principal still holds the session it was given: its CSRF token still
/// works (else a refused POST would be refused for the wrong reason) and an account is still
/// signed in. Run before each row that ends sessions and after the last row.
async fn sessions_intact(
    app: &TestApp,
    people: &[Principal],
    line: usize,
    checks: &mut Vec<(String, String)>,
) {
    for who in people {
        let res = who
            .page
            .post(app.at("/forgot-password"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("csrf_token={}", who.csrf))
            .send()
            .await
            .unwrap();
        let signed_in = match who.kind {
            Kind::Account(_) => app.get(&who.page, "/account").await.0 == 200,
            _ => true,
        };
        if res.status() != 200 || !signed_in {
            checks.push((
                format!("SESSION {}", who.column),
                format!(
                    "by line {line}, the session was lost (CSRF token works: {}; signed in: {signed_in})",
                    res.status() == 200
                ),
            ));
        }
    }
}

/// Who may read a round's form before the round opens: its programme's admins (and service
/// admins), as `Resource::RoundForm` says and the pages show.
const FORM_READERS_BEFORE_OPENING: [&str; 2] = ["service_admin", "programme_admin"];

/// `GET /api/v1/rounds/{id}` of a round not yet open answers everyone holding a token (its
/// facts are public), but its form only to those who may read it: a body check, since the
/// status is the same.
async fn round_form_before_opening(
    app: &TestApp,
    api: &reqwest::Client,
    people: &[Principal],
    fx: &BTreeMap<&'static str, String>,
    checks: &mut Vec<(String, String)>,
) {
    let path = fill("/api/v1/rounds/{round_future_id}", fx);
    for who in people {
        let res = request(app, api, who, "GET", &path, None).send().await.unwrap();
        if res.status() != 200 {
            continue; // No token, or refused: the matrix checks the status.
        }
        let body: serde_json::Value = res.json().await.unwrap();
        let reader = FORM_READERS_BEFORE_OPENING.contains(&who.column);
        let shown = body.get("form").is_some_and(|f| !f.is_null());
        if shown != reader {
            checks.push((
                format!("LEAK GET /api/v1/rounds/{{id}} form {}", who.column),
                format!(
                    "the form of a round not yet open is {} to {} ({path})",
                    if shown { "shown" } else { "not shown" },
                    who.column
                ),
            ));
        }
    }
}

/// True for a cell that refuses (sign in, 401, 403, 404).
fn refused(cell: &str) -> bool {
    matches!(cell, "login" | "401" | "403" | "404")
}

async fn check_matrix(app: TestApp) {
    let table = parse_table(TABLE);
    let mut problems: Vec<String> = Vec::new();

    // Every routed method has exactly one row, and every row is routed.
    let routed = routed_methods(&app).await;
    let mut rows_by_route: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for row in &table.rows {
        rows_by_route
            .entry((row.method.clone(), row.route.clone()))
            .or_default()
            .push(row.line);
    }
    for key in &routed {
        if !rows_by_route.contains_key(key) {
            problems.push(format!(
                "{} {} is routed but has no row in permissions.tsv",
                key.0, key.1
            ));
        }
    }
    for (key, lines) in &rows_by_route {
        if !routed.contains(key) {
            problems.push(format!("{} {} (line {lines:?}) is not routed", key.0, key.1));
        }
        if lines.len() > 1 {
            problems.push(format!("{} {} has several rows: lines {lines:?}", key.0, key.1));
        }
    }
    assert!(
        problems.is_empty(),
        "permissions.tsv does not match the router:\n{}",
        problems.join("\n")
    );

    // The people: the demo's, three more made in the store, and an unconfirmed registration.
    let local_vision = convene_store::programmes::by_slug(&app.state.db, "local-vision")
        .await
        .unwrap()
        .unwrap()
        .id;
    let fund_2019 = convene_store::programmes::by_slug(&app.state.db, "system-leadership-fund-2019")
        .await
        .unwrap()
        .unwrap()
        .id;
    assert_ne!(local_vision, fund_2019);
    let open_round = convene_store::programmes::rounds(&app.state.db, local_vision)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.slug == "demo-open")
        .unwrap()
        .id;
    let other_place = app.place_id("PL-0010").await;
    extra_account(
        &app,
        OTHER_LEAD,
        "Olwen Otherlead",
        Role::PlaceLead,
        Some(other_place),
    )
    .await;
    extra_account(
        &app,
        OTHER_ADMIN,
        "Osric Otheradmin",
        Role::ProgrammeAdmin,
        Some(fund_2019.0),
    )
    .await;
    extra_account(
        &app,
        OTHER_PANEL,
        "Opal Otherpanel",
        Role::PanelMember,
        Some(open_round.0),
    )
    .await;
    conflicted_panel_member(&app, local_vision).await;
    let unconfirmed = register_unconfirmed(&app).await;
    let mut people = connect(&app, unconfirmed).await;
    let mut checks: Vec<(String, String)> = Vec::new();
    let fx = fixtures(&app, &people, &mut checks).await;

    // The matrix.
    let api = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut cells = 0;
    // What the app answered, in the table's layout, when PERMISSIONS_DUMP names a file: for
    // reading a failure side by side with the table (never for copying into it).
    let mut dump: Vec<String> = Vec::new();
    for (i, row) in table.rows.iter().enumerate() {
        let path = fill(&row.path, &fx);
        let body = row.body.as_deref().map(|b| fill(b, &fx));
        // Those to be refused ask first, all at once, while the record is as set up; then
        // those allowed (an allowed request may remove what the path names: a contact, a
        // token, a proposal), at once for a GET, one by one otherwise (two writers at once
        // could meet SQLite's lock, which is not what is tested here).
        let mut answered: BTreeMap<&str, String> = BTreeMap::new();
        for allowed in [false, true] {
            let at_once = !allowed || row.method == "GET";
            let mut asked = tokio::task::JoinSet::new();
            for (column, expected) in table.principals.iter().zip(&row.expected) {
                if refused(expected) == allowed {
                    continue;
                }
                let who = people.iter().find(|p| p.column == *column).unwrap();
                let req = request(&app, &api, who, &row.method, &path, body.as_deref());
                let column = *column;
                if at_once {
                    asked.spawn(async move { (column, cell(&req.send().await.unwrap())) });
                } else {
                    answered.insert(column, cell(&req.send().await.unwrap()));
                }
            }
            while let Some(answer) = asked.join_next().await {
                let (column, got) = answer.unwrap();
                answered.insert(column, got);
            }
        }
        for (column, expected) in table.principals.iter().zip(&row.expected) {
            let got = &answered[column];
            cells += 1;
            if got != expected {
                checks.push((
                    format!("{} {} {column}", row.method, row.route),
                    format!(
                        "expected {expected}, got {got} ({} {path}, line {})",
                        row.method, row.line
                    ),
                ));
            }
        }
        let got: Vec<String> = table
            .principals
            .iter()
            .map(|c| answered.get(c).cloned().unwrap_or_default())
            .collect();
        dump.push(format!(
            "{}\t{}\t{}\t{}\t{}",
            row.method,
            row.route,
            row.path,
            row.body.as_deref().unwrap_or("-"),
            got.join("\t")
        ));
        let ends = ENDS_SESSIONS.contains(&(row.method.as_str(), row.route.as_str()));
        let next_ends = table
            .rows
            .get(i + 1)
            .is_some_and(|next| ENDS_SESSIONS.contains(&(next.method.as_str(), next.route.as_str())));
        if !ends && (next_ends || i + 1 == table.rows.len()) {
            sessions_intact(&app, &people, row.line, &mut checks).await;
        }
        if ends && i + 1 < table.rows.len() {
            people = connect(&app, unconfirmed).await;
        }
    }

    if let Ok(file) = std::env::var("PERMISSIONS_DUMP") {
        let file = format!("{file}.{}", app.state.db.backend());
        std::fs::write(&file, dump.join("\n") + "\n").unwrap();
    }
    round_form_before_opening(&app, &api, &people, &fx, &mut checks).await;

    let unexpected: Vec<String> = checks
        .iter()
        .filter(|(id, _)| !KNOWN_BUGS.contains(&id.as_str()))
        .map(|(id, why)| format!("{id}: {why}"))
        .collect();
    let fixed: Vec<&&str> = KNOWN_BUGS
        .iter()
        .filter(|k| !checks.iter().any(|(id, _)| id == **k))
        .collect();
    println!(
        "permission matrix: {} routes, {} rows x {} principals = {cells} cells; {} known bugs",
        routed.iter().map(|(_, r)| r).collect::<BTreeSet<_>>().len(),
        table.rows.len(),
        table.principals.len(),
        KNOWN_BUGS.len()
    );
    app.stop().await;
    assert!(
        unexpected.is_empty() && fixed.is_empty(),
        "{} cells or checks differ from permissions.tsv (not counting KNOWN_BUGS):\n{}\n\nlisted in KNOWN_BUGS but now as expected (remove them):\n{fixed:#?}",
        unexpected.len(),
        unexpected.join("\n")
    );
}

/// On each store (as `on_both!`, with two worker threads so a row's requests run at once).
mod matrix {
    use super::*;
    use convene_store::testing::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        check_matrix(TestApp::spawn(Backend::Sqlite).await).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        check_matrix(TestApp::spawn(Backend::Postgres).await).await;
    }
}
