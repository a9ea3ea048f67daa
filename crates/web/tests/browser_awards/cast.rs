//! What the awards journey works on, read from the demo data and from the helper's own
//! proposal, and the people it sets up: the third round's places have no lead in the demo,
//! so each place the panel decides on gets one, made through the store.

use crate::common::{TestApp, now};
use convene_app::awards::selection::{self, Line, Proposal};
use convene_domain::accounts::{Grant, Role, hash_password};
use convene_domain::policy::Principal;
use convene_domain::{Email, RoundId, Timestamp, UserId};
use convene_store::demo::DEMO_PASSWORD;
use std::collections::BTreeMap;

pub const PAT: &str = "pat.panel@example.org";

/// The third round and what its chair may see of it.
pub struct Cast {
    pub round: i64,
    pub round_name: String,
    pub notify_by: Timestamp,
    /// The round's submitted applications as the chair's helper weighs them (Pat stands
    /// aside from one), highest moderated score first.
    pub lines: Vec<Line>,
}

impl Cast {
    pub async fn read(app: &TestApp) -> Cast {
        let db = &app.state.db;
        let rounds = convene_store::programmes::all_rounds(db).await.unwrap();
        let round = rounds.iter().find(|r| r.slug == "2026-third-round").unwrap();
        assert!(round.notify_by > now(), "the notification date is still to come");
        let helper = selection::helper(&app.state, &principal(app, PAT).await, round.id)
            .await
            .unwrap();
        assert!(helper.latest.is_none(), "no selection has been proposed yet");
        Cast {
            round: round.id.0,
            round_name: round.name.clone(),
            notify_by: round.notify_by,
            lines: helper.lines,
        }
    }

    pub fn line(&self, id: i64) -> &Line {
        self.lines.iter().find(|l| l.application_id.0 == id).unwrap()
    }

    /// The helper's latest proposal, as stored with its run.
    pub async fn proposal(&self, app: &TestApp) -> Proposal {
        let run = convene_store::awards::selection::latest_run(&app.state.db, RoundId(self.round))
            .await
            .unwrap()
            .expect("a selection has been proposed");
        serde_json::from_str(&run.explanation).unwrap()
    }

    /// The balance rules the chair sets, from the first proposal: at most one place in a
    /// region that has two or more proposed, and at least one in a theme that has none
    /// proposed but a scored application.
    pub fn rules(&self, first: &Proposal) -> (String, String) {
        let mut by_region: BTreeMap<&str, usize> = BTreeMap::new();
        for id in &first.chosen {
            if let Some(r) = self.line(*id).region.as_deref() {
                *by_region.entry(r).or_default() += 1;
            }
        }
        let region = by_region
            .iter()
            .find(|(_, n)| **n >= 2)
            .map(|(r, _)| r.to_string())
            .expect("a region with two places proposed");
        let proposed: Vec<Option<&str>> = first
            .chosen
            .iter()
            .map(|id| self.line(*id).theme.as_deref())
            .collect();
        let theme = self
            .lines
            .iter()
            .filter(|l| l.score.is_some())
            .filter_map(|l| l.theme.as_deref())
            .find(|t| !proposed.contains(&Some(*t)))
            .expect("a scored theme with nothing proposed")
            .to_string();
        (region, theme)
    }

    /// The three applications the chair decides on: the top of the proposal (fund), the
    /// first just outside it (reserve) and the first with no score at all (decline).
    pub fn picks(&self, proposal: &Proposal) -> Picks {
        let pick = |id: i64, email: &'static str, name: &'static str| Pick {
            id,
            reference: self.line(id).reference.clone(),
            place: self.line(id).place.clone(),
            lead: (email, name),
        };
        let declined = self
            .lines
            .iter()
            .find(|l| l.score.is_none())
            .expect("an application nobody has scored")
            .application_id
            .0;
        Picks {
            fund: pick(proposal.chosen[0], "fenella.funded@example.org", "Fenella Funded"),
            reserve: pick(
                proposal.outside[0].application_id,
                "rory.reserve@example.org",
                "Rory Reserve",
            ),
            decline: pick(declined, "dora.declined@example.org", "Dora Declined"),
        }
    }
}

/// One application the chair decides on, and the lead the test gives its place.
pub struct Pick {
    pub id: i64,
    pub reference: String,
    pub place: String,
    /// The lead's email and name.
    pub lead: (&'static str, &'static str),
}

pub struct Picks {
    pub fund: Pick,
    pub reserve: Pick,
    pub decline: Pick,
}

impl Picks {
    pub fn all(&self) -> [&Pick; 3] {
        [&self.fund, &self.reserve, &self.decline]
    }

    /// Gives each picked application's place a lead with the demo password, through the
    /// store as an admin's grant would.
    pub async fn add_leads(&self, app: &TestApp) {
        let db = &app.state.db;
        let hash = hash_password(DEMO_PASSWORD).unwrap();
        for pick in self.all() {
            let application = convene_store::applications::by_id(db, pick.id)
                .await
                .unwrap()
                .unwrap();
            let (email, name) = pick.lead;
            let mut tx = db.begin().await.unwrap();
            let id = convene_store::users::create(&mut tx, &Email::parse(email).unwrap(), name, &hash, now())
                .await
                .unwrap();
            let grant = Grant::new(Role::PlaceLead, Some(application.place_id.0)).unwrap();
            convene_store::users::grant(&mut tx, UserId(id), grant, now())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
    }
}

/// Someone as the use cases see them: their id and grants.
pub async fn principal(app: &TestApp, email: &str) -> Principal {
    let db = &app.state.db;
    let user = convene_store::users::by_email(db, &Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap();
    Principal {
        user_id: user.id,
        grants: convene_store::users::grants(db, user.id).await.unwrap(),
    }
}

/// The round's outcome letters in the outbox: (to, subject, text).
pub async fn letters_in_outbox(app: &TestApp, round_name: &str) -> Vec<(String, String, String)> {
    let prefix = format!("{round_name}: ");
    convene_store::outbox::recent(&app.state.db, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.subject.starts_with(&prefix))
        .map(|m| (m.to_address, m.subject, m.body_text))
        .collect()
}
