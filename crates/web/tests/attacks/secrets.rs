//! Secrets at rest and in logs, metrics and the client address: the review's findings on
//! TOTP secrets (readable in a copy of the database), recovery codes (52 bits, unkeyed
//! digests), `/metrics` (open to anyone), `X-Forwarded-For` (the client's own left-most
//! value was trusted) and request logs (which wrote link secrets).

use crate::common::*;
use convene_domain::secret_box;
use convene_domain::two_factor;
use convene_web::{AppState, Config};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

const LEAD: &str = "lee.lead@example.org";

/// Every row of every table, as one text.
async fn dump(app: &TestApp) -> String {
    convene_store::testing::dump_all_text(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|(table, row)| format!("{table}: {row}\n"))
        .collect()
}

/// Sets two-factor sign-in up for the place lead through the pages; returns the secret the
/// app was given and the recovery codes shown once.
async fn set_up_two_factor(app: &TestApp) -> (String, Vec<String>) {
    let lead = app.signed_in(LEAD).await;
    let (status, setup) = app.get(&lead, "/account/two-factor").await;
    assert_eq!(status, 200);
    let secret = shown_secret(&setup);
    assert_eq!(secret.len(), 32, "a 160-bit base32 secret: {secret}");
    // While it is being set up the secret waits in the session, which is in the database.
    let during = dump(app).await;
    assert!(
        !during.contains(&secret),
        "the secret being set up is stored plainly:\n{during}"
    );
    let code = two_factor::code_at(&secret, app.unix_seconds()).unwrap();
    let res = app
        .post_form(
            &lead,
            "/account/two-factor",
            "/account/two-factor",
            &[("code", &code)],
        )
        .await;
    let html = res.text().await.unwrap();
    assert!(html.contains("Save your recovery codes"), "{html}");
    let codes = shown_recovery_codes(&html);
    assert_eq!(codes.len(), two_factor::RECOVERY_CODES);
    (secret, codes)
}

/// Signs in with the password, then `code`; the status of the code's answer and where it
/// sends the person.
async fn sign_in_with_code(app: &TestApp, code: &str) -> (u16, String) {
    let client = app.client();
    let res = app
        .post_form(
            &client,
            "/sign-in",
            "/sign-in",
            &[("email", LEAD), ("password", convene_store::demo::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(res.headers()["location"], "/sign-in/two-factor");
    let res = app
        .post_form(
            &client,
            "/sign-in/two-factor",
            "/sign-in/two-factor",
            &[("code", code)],
        )
        .await;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location)
}

crate::on_both!(totp_secret_is_encrypted_at_rest, |app| {
    let (secret, _) = set_up_two_factor(&app).await;
    let everything = dump(&app).await;
    assert!(
        !everything.contains(&secret),
        "the TOTP secret is readable in the database:\n{everything}"
    );
    // What is stored is the sealed text, and it opens with the service's key only.
    let user = convene_store::users::by_email(&app.state.db, &convene_domain::Email::parse(LEAD).unwrap())
        .await
        .unwrap()
        .unwrap();
    let (stored, _) = convene_store::two_factor::secret(&app.state.db, user.id)
        .await
        .unwrap()
        .unwrap();
    assert!(stored.starts_with("v1:"), "{stored}");
    let key = app.state.config.secret_key.clone().unwrap();
    let context = secret_box::totp_secret_context(user.id.0);
    assert_eq!(key.open_text(&context, &stored).unwrap(), secret);
    assert!(
        secret_box::SecretKey::generate()
            .open_text(&context, &stored)
            .is_err()
    );
    // And a code from the app still signs in.
    let next = two_factor::code_at(&secret, app.unix_seconds() + 30).unwrap();
    assert_eq!(sign_in_with_code(&app, &next).await, (303, "/dashboard".into()));
    app.stop().await;
});

crate::on_both!(recovery_codes_carry_80_bits_and_are_not_stored_plainly, |app| {
    let (_, codes) = set_up_two_factor(&app).await;
    // Readable: groups, lower case, none of i, l, o, 0, 1.
    const ALPHABET: &str = "abcdefghjkmnpqrstuvwxyz23456789";
    for code in &codes {
        let plain = two_factor::normalise_recovery_code(code);
        assert!(plain.chars().all(|c| ALPHABET.contains(c)), "{code}");
        assert!(code.contains('-'), "typed in groups: {code}");
        let bits = plain.len() as f64 * (ALPHABET.len() as f64).log2();
        assert!(bits >= 80.0, "{code} carries {bits:.0} bits");
    }
    let everything = dump(&app).await;
    for code in &codes {
        let plain = two_factor::normalise_recovery_code(code);
        let unkeyed = convene_domain::accounts::secret_digest(&plain);
        for stored in [code.as_str(), plain.as_str(), unkeyed.as_str()] {
            assert!(
                !everything.contains(stored),
                "{stored} is in the database:\n{everything}"
            );
        }
    }
    let digests: Vec<&str> = everything
        .lines()
        .filter(|l| l.starts_with("recovery_codes: "))
        .collect();
    assert_eq!(digests.len(), two_factor::RECOVERY_CODES, "{everything}");
    assert!(digests.iter().all(|l| l.contains("h1:")), "{digests:?}");
    // A code still works, once.
    assert_eq!(
        sign_in_with_code(&app, &codes[3]).await,
        (303, "/dashboard".into())
    );
    assert_eq!(sign_in_with_code(&app, &codes[3]).await.0, 200, "not twice");
    app.stop().await;
});

/// Serves the test app's store and caches again, on a new port, with changed settings;
/// returns its address.
async fn serve_variant(app: &TestApp, change: impl FnOnce(&mut Config)) -> String {
    let mut config = (*app.state.config).clone();
    change(&mut config);
    let state = AppState {
        config: Arc::new(config),
        ..app.state.clone()
    };
    serve_router(convene_web::build_app(state)).await
}

async fn serve_router(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    format!("http://{addr}")
}

crate::on_both!(metrics_refuse_without_token, |app| {
    let client = app.client();
    // The harness sets a token, as an operator would: nothing without it.
    let res = client.get(app.at("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 401, "metrics without a token");
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    for wrong in ["wrong", "test-metrics-toke", "test-metrics-token-and-more"] {
        let res = client
            .get(app.at("/metrics"))
            .bearer_auth(wrong)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "metrics with the token {wrong:?}");
    }
    let res = client
        .get(app.at("/metrics"))
        .header("authorization", format!("Basic {METRICS_TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "the token only as a bearer token");
    let res = client
        .get(app.at("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("http_requests_total"));
    // Without a token, the public address has no /metrics at all.
    let public = serve_variant(&app, |c| c.metrics_token = None).await;
    let res = client.get(format!("{public}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = client
        .get(format!("{public}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // ...and the separate metrics address (`--metrics-bind`) serves it.
    let mut state = app.state.clone();
    state.config = Arc::new(Config {
        metrics_token: None,
        ..(*app.state.config).clone()
    });
    let internal = serve_router(convene_web::server::metrics_app(state)).await;
    let res = client.get(format!("{internal}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("http_requests_total"));
    let res = client.get(format!("{internal}/sign-in")).send().await.unwrap();
    assert_eq!(res.status(), 404, "only metrics there");
    app.stop().await;
});

/// Posts a wrong sign-in for `email` to `base` as if through a proxy that wrote
/// `forwarded_for`; the page's text.
async fn failed_sign_in(base: &str, email: &str, forwarded_for: &str) -> String {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let html = client
        .get(format!("{base}/sign-in"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_token(&html);
    let body = serde_urlencoded::to_string([
        ("csrf_token", token.as_str()),
        ("email", email),
        ("password", "not the password at all"),
    ])
    .unwrap();
    client
        .post(format!("{base}/sign-in"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded_for)
        .body(body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

crate::on_both!(forwarded_for_takes_the_proxy_added_address, |app| {
    // Behind one nginx, which appends the address it was reached from.
    let base = serve_variant(&app, |c| c.trusted_proxies = 1).await;
    let mut throttled_after = None;
    for attempt in 0..40 {
        // Each attempt is for a different account, with a new address of the attacker's
        // choosing on the left: only the address nginx added (on the right) stays.
        let page = failed_sign_in(
            &base,
            &format!("nobody{attempt}@example.org"),
            &format!("198.51.100.{attempt}, 203.0.113.7"),
        )
        .await;
        if page.contains("Too many failed attempts") {
            throttled_after = Some(attempt);
            break;
        }
        assert!(page.contains("Enter a correct email address"), "{page}");
    }
    let throttled_after = throttled_after.expect(
        "failures from one address, each with a different client-written X-Forwarded-For value, were never throttled",
    );
    assert!(throttled_after >= 1, "the first attempt is never delayed");
    // Another address (as nginx saw it) is not held up by those, whatever is on the left.
    let page = failed_sign_in(&base, "someone.else@example.org", "198.51.100.0, 203.0.113.8").await;
    assert!(page.contains("Enter a correct email address"), "{page}");
    assert!(!page.contains("Too many failed attempts"), "{page}");
    app.stop().await;
});

/// A writer into a shared buffer, for a tracing subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

crate::on_both!(no_link_secret_in_log_lines, |app| {
    // Everything the server logs from this test's thread (the server runs on it too: a
    // `#[tokio::test]` runtime has one thread).
    // Everything at TRACE, with only the directives `convene` always adds to any RUST_LOG.
    let mut filter = tracing_subscriber::EnvFilter::new("trace");
    for directive in convene_web::server::LOG_DIRECTIVES {
        filter = filter.add_directive(directive.parse().unwrap());
    }
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let secret = convene_domain::accounts::new_secret();
    let client = app.client();
    for path in [format!("/sign-off/{secret}"), format!("/reset-password/{secret}")] {
        // A post without a CSRF token, as a forger (or a stale tab) sends it: refused.
        let res = client
            .post(app.at(&path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("confirm=yes")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path}");
        // Opening it: an unknown link.
        let res = client.get(app.at(&path)).send().await.unwrap();
        assert!(
            res.status().is_client_error() || res.status().is_success(),
            "{path}"
        );
    }
    // A path no route matches.
    let res = client
        .get(app.at(&format!("/no-such-page/{secret}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    drop(guard);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!logs.contains(&secret), "a link secret in the logs:\n{logs}");
    // The lines are there, naming the route.
    assert!(logs.contains("/sign-off/{token}"), "{logs}");
    assert!(logs.contains("/reset-password/{token}"), "{logs}");
    assert!(logs.contains("form post refused"), "{logs}");
    assert!(logs.contains("(no route)"), "{logs}");
    app.stop().await;
});
