//! What the use-case tests share: the demo loaded on a fresh store with the clock at a
//! chosen time, Local Vision's admin and its accepted awards, and principals as grants.
#![allow(dead_code, clippy::unwrap_used)] // Each test uses part of it; tests fail loudly.

use convene_app::{App, Settings};
use convene_domain::accounts::{Grant, Role};
use convene_domain::awards::AwardStatus;
use convene_domain::policy::Principal;
use convene_domain::time::FixedClock;
use convene_domain::{Email, ProgrammeId, Timestamp, UserId};
use convene_store::awards::{self, Award};
use convene_store::testing::{Backend, TestDb};
use convene_store::{demo, users};
use std::sync::Arc;

/// The demo on a fresh store.
pub struct Demo {
    pub t: TestDb,
    pub app: App,
    pub clock: Arc<FixedClock>,
    /// Local Vision.
    pub programme: ProgrammeId,
    /// Its printed admin, and as a principal.
    pub admin_id: UserId,
    pub admin: Principal,
    /// Its accepted awards, oldest first.
    pub accepted: Vec<Award>,
}

impl Demo {
    /// Loads the demo at `now` on `backend`.
    pub async fn at(backend: Backend, now: Timestamp) -> Demo {
        let t = TestDb::new(backend).await;
        demo::load(&t.db, now).await.unwrap();
        let clock = Arc::new(FixedClock::at(now));
        let app = App::new(t.db.clone(), clock.clone(), Settings::default());
        let programme = convene_store::programmes::by_slug(&t.db, "local-vision")
            .await
            .unwrap()
            .unwrap()
            .id;
        let email = Email::parse("priya.programme@example.org").unwrap();
        let admin_id = users::by_email(&t.db, &email).await.unwrap().unwrap().id;
        let accepted = awards::of_programme(&t.db, programme)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.status == AwardStatus::Accepted)
            .collect();
        Demo {
            admin: principal(admin_id, &[(Role::ProgrammeAdmin, Some(programme.0))]),
            t,
            app,
            clock,
            programme,
            admin_id,
            accepted,
        }
    }

    /// Someone (the admin's account, standing in) leading the place of the `i`th accepted award.
    pub fn lead(&self, i: usize) -> Principal {
        principal(
            self.admin_id,
            &[(Role::PlaceLead, Some(self.accepted[i].place_id.0))],
        )
    }
}

/// A principal holding these grants.
pub fn principal(user: UserId, grants: &[(Role, Option<i64>)]) -> Principal {
    let grants = grants
        .iter()
        .map(|(role, scope_id)| Grant {
            role: *role,
            scope_id: *scope_id,
        })
        .collect();
    Principal {
        user_id: user,
        grants,
    }
}

/// A new account (its name made up).
pub async fn account(db: &convene_store::Db, email: &str) -> UserId {
    let mut tx = db.begin().await.unwrap();
    let email = Email::parse(email).unwrap();
    let id = users::create(&mut tx, &email, "Fern Test-Person", "x", Timestamp(0))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    UserId(id)
}

/// A new enabler in the programme's pool, approved by `admin`, holding `capacity` places:
/// their id in the pool and their principal.
pub async fn enabler(demo: &Demo, email: &str, capacity: i64) -> (i64, Principal) {
    use convene_store::enablers::{self as pool, PoolStatus, Profile};
    let db = &demo.t.db;
    let user = account(db, email).await;
    let mut tx = db.begin().await.unwrap();
    let profile = Profile {
        capacity,
        ..Profile::default()
    };
    let id = pool::ask_to_join(&mut tx, demo.programme, user, &profile, Timestamp(0))
        .await
        .unwrap()
        .unwrap();
    let moved = (PoolStatus::Pending, PoolStatus::Approved);
    let approved = pool::set_status(&mut tx, id, moved, demo.admin_id, Timestamp(0)).await;
    assert!(approved.unwrap());
    tx.commit().await.unwrap();
    (id, principal(user, &[(Role::Enabler, None)]))
}
