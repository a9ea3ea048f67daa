//! The links' lifecycle on both stores, and each kind's route and lifetime.

use super::*;
use convene_domain::links::SECRET_LINK_ROUTES;

#[test]
fn every_kind_has_a_secret_route_and_every_secret_route_a_kind() {
    for kind in LinkKind::ALL {
        assert!(SECRET_LINK_ROUTES.contains(&kind.route()), "{kind:?}");
    }
    for route in SECRET_LINK_ROUTES {
        assert!(LinkKind::ALL.iter().any(|k| k.route() == *route), "{route}");
    }
}

#[test]
fn lifetimes_are_the_ones_the_emails_promise() {
    assert_eq!(LinkKind::Signoff.lifetime_seconds(), 14 * 24 * 3600);
    assert_eq!(LinkKind::Invitation.lifetime_seconds(), 14 * 24 * 3600);
    assert_eq!(LinkKind::EmailConfirmation.lifetime_seconds(), 24 * 3600);
    assert_eq!(LinkKind::PasswordReset.lifetime_seconds(), 3600);
}

#[test]
fn a_url_is_the_route_and_the_secret_under_the_public_address() {
    assert_eq!(
        LinkKind::Invitation.url("https://convene.example.org", "ab12"),
        "https://convene.example.org/invitations/ab12"
    );
    let url = LinkKind::Signoff.url("https://x.example", &"a".repeat(64));
    assert_eq!(convene_domain::links::redact_links(&url), "[link removed]");
}

#[test]
fn only_whole_secrets_are_well_formed() {
    assert!(well_formed(&new_secret()));
    assert!(!well_formed("abc"));
    assert!(!well_formed(&"g".repeat(64)));
}

const START: Timestamp = Timestamp(1_750_000_000_000_000);

/// The secret at the end of an issued link's URL.
fn secret(issued: &Issued) -> String {
    issued.url.rsplit('/').next().unwrap().to_string()
}

/// Use cases over a fresh database of `backend` with one account, on a clock the test moves.
async fn fresh(
    backend: convene_store::testing::Backend,
) -> (
    convene_store::testing::TestDb,
    App,
    std::sync::Arc<convene_domain::time::FixedClock>,
    i64,
) {
    let test = convene_store::testing::TestDb::new(backend).await;
    let clock = std::sync::Arc::new(convene_domain::time::FixedClock::at(START));
    let settings = crate::Settings {
        public_url: "https://convene.example.org".into(),
        ..Default::default()
    };
    let app = App::new(test.db.clone(), clock.clone(), settings);
    let mut work = app.begin(None).await.unwrap();
    let email = convene_domain::Email::parse("lee@example.org").unwrap();
    let user_id = convene_store::users::create(work.tx(), &email, "Lee", "x", START)
        .await
        .unwrap();
    work.commit().await.unwrap();
    (test, app, clock, user_id)
}

/// Issues, shows and spends links on a fresh database of `backend`.
async fn spent_once_on(backend: convene_store::testing::Backend) {
    let (_test, app, _clock, user_id) = fresh(backend).await;
    let mut work = app.begin(None).await.unwrap();
    let reset = issue(&app, &mut work, NewLink::PasswordReset { user_id })
        .await
        .unwrap();
    let spare = issue(&app, &mut work, NewLink::PasswordReset { user_id })
        .await
        .unwrap();
    work.commit().await.unwrap();
    assert!(
        reset
            .url
            .starts_with("https://convene.example.org/reset-password/")
    );
    assert_eq!(reset.expires_at, START.plus_seconds(3600));

    // Shown as live (any number of times), then spent once only.
    let shown = show(&app, LinkKind::PasswordReset, &secret(&reset))
        .await
        .unwrap();
    assert_eq!(shown.into_live(), Ok(Record::PasswordReset { user_id }));
    let mut work = app.begin(None).await.unwrap();
    let spent = spend(&app, &mut work, &secret(&reset), Spend::PasswordReset)
        .await
        .unwrap();
    assert_eq!(spent, Some(Record::PasswordReset { user_id }));
    let again = spend(&app, &mut work, &secret(&reset), Spend::PasswordReset)
        .await
        .unwrap();
    assert_eq!(again, None, "a link works once");
    work.commit().await.unwrap();
    let shown = show(&app, LinkKind::PasswordReset, &secret(&reset))
        .await
        .unwrap();
    assert_eq!(shown.state, LinkState::Used);
    let spare = show(&app, LinkKind::PasswordReset, &secret(&spare))
        .await
        .unwrap();
    assert_eq!(
        spare.state,
        LinkState::Used,
        "spending one reset link spends the others"
    );
    let unknown = show(&app, LinkKind::PasswordReset, &new_secret()).await.unwrap();
    assert_eq!(unknown.state, LinkState::Unknown);
}

/// Expires and voids links on a fresh database of `backend`.
async fn ended_early_on(backend: convene_store::testing::Backend) {
    let (_test, app, clock, user_id) = fresh(backend).await;
    let mut work = app.begin(None).await.unwrap();
    let confirm = NewLink::EmailConfirmation {
        user_id,
        email: "lee@example.org",
        return_to: "/dashboard",
    };
    let confirm = issue(&app, &mut work, confirm).await.unwrap();
    work.commit().await.unwrap();

    // Expired by its lifetime, or ended now.
    let state = |app: App, issued: Issued| async move {
        show(&app, issued.kind, &secret(&issued)).await.unwrap().state
    };
    assert_eq!(state(app.clone(), confirm.clone()).await, LinkState::Live);
    clock.set(START.plus_seconds(24 * 3600));
    assert_eq!(state(app.clone(), confirm.clone()).await, LinkState::Expired);
    clock.set(START);
    let mut work = app.begin(None).await.unwrap();
    assert!(
        expire(&mut work, LinkKind::EmailConfirmation, confirm.id)
            .await
            .unwrap()
    );
    work.commit().await.unwrap();
    assert_eq!(state(app.clone(), confirm.clone()).await, LinkState::Expired);

    // Voided: one link, or every link of a person.
    let mut work = app.begin(None).await.unwrap();
    let fresh = issue(&app, &mut work, NewLink::PasswordReset { user_id })
        .await
        .unwrap();
    assert!(void(&mut work, LinkKind::PasswordReset, fresh.id).await.unwrap());
    assert!(!void(&mut work, LinkKind::PasswordReset, fresh.id).await.unwrap());
    let other = issue(&app, &mut work, NewLink::PasswordReset { user_id })
        .await
        .unwrap();
    // The new reset link, and the confirmation link that expired unspent.
    assert_eq!(void_for_person(&mut work, UserId(user_id)).await.unwrap(), 2);
    work.commit().await.unwrap();
    for ended in [fresh, other] {
        assert_eq!(state(app.clone(), ended).await, LinkState::Used);
    }
}

#[tokio::test]
async fn a_link_is_spent_once_on_sqlite() {
    spent_once_on(convene_store::testing::Backend::Sqlite).await;
}

#[tokio::test]
async fn a_link_is_spent_once_on_postgres() {
    spent_once_on(convene_store::testing::Backend::Postgres).await;
}

#[tokio::test]
async fn a_link_ends_early_on_sqlite() {
    ended_early_on(convene_store::testing::Backend::Sqlite).await;
}

#[tokio::test]
async fn a_link_ends_early_on_postgres() {
    ended_early_on(convene_store::testing::Backend::Postgres).await;
}
