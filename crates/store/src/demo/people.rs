//! The demo's people: one printed account per role, all with the same password.

use crate::{Result, Tx, users};
use convene_domain::Email;
use convene_domain::Timestamp;
use convene_domain::UserId;
use convene_domain::accounts::{Grant, Role, hash_password};

/// The password every printed demo account shares.
pub const DEMO_PASSWORD: &str = "convene-demo-2026";

/// A demo account as printed by `convene demo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAccount {
    pub role: Role,
    pub name: &'static str,
    pub email: &'static str,
}

/// The accounts `convene demo` prints, one per role.
pub const DEMO_ACCOUNTS: [DemoAccount; 6] = [
    DemoAccount {
        role: Role::ServiceAdmin,
        name: "Ada Admin",
        email: "ada.admin@example.org",
    },
    DemoAccount {
        role: Role::ProgrammeAdmin,
        name: "Priya Programme",
        email: "priya.programme@example.org",
    },
    DemoAccount {
        role: Role::PanelMember,
        name: "Pat Panelworth",
        email: "pat.panel@example.org",
    },
    DemoAccount {
        role: Role::PlaceLead,
        name: "Lee Leadbetter",
        email: "lee.lead@example.org",
    },
    DemoAccount {
        role: Role::Enabler,
        name: "Eden Enablewell",
        email: "eden.enabler@example.org",
    },
    DemoAccount {
        role: Role::Participant,
        name: "Parker Partwell",
        email: "parker.participant@example.org",
    },
];

/// Makes the printed accounts (unless they exist) and gives each its role: the admin runs
/// Local Vision, the panel member reviews the 2013 round, and the lead leads the first
/// place and the ninth.
pub(super) async fn load_accounts(
    tx: &mut Tx,
    local_vision: i64,
    round_2013: i64,
    place_ids: &[i64],
    now: Timestamp,
) -> Result<()> {
    for account in DEMO_ACCOUNTS {
        let email = Email::parse(account.email).map_err(|e| crate::StoreError::Malformed(e.to_string()))?;
        let user_id = match users::by_email_tx(tx, &email).await? {
            Some(id) => id,
            None => {
                let hash =
                    hash_password(DEMO_PASSWORD).map_err(|e| crate::StoreError::Malformed(e.to_string()))?;
                users::create(tx, &email, account.name, &hash, now).await?
            }
        };
        let scope = match account.role {
            Role::ProgrammeAdmin => Some(local_vision),
            Role::PanelMember => Some(round_2013),
            Role::PlaceLead => place_ids.first().copied(),
            _ => None,
        };
        let grant =
            Grant::new(account.role, scope).map_err(|e| crate::StoreError::Malformed(e.to_string()))?;
        users::grant(tx, UserId(user_id), grant, now).await?;
        if account.role == Role::PlaceLead {
            // The demo lead leads a second place too, so the journey starts by asking which.
            let second = Grant::new(Role::PlaceLead, place_ids.get(8).copied())
                .map_err(|e| crate::StoreError::Malformed(e.to_string()))?;
            users::grant(tx, UserId(user_id), second, now).await?;
        }
    }
    Ok(())
}

/// A made-up member of the third round's panel: their account, load cap, region and the
/// round's themes they know.
pub(super) struct PanelPerson {
    pub name: &'static str,
    pub email: &'static str,
    pub load_cap: u32,
    pub region: &'static str,
    pub themes: &'static [&'static str],
}

/// The third round's panel: Pat (a printed account, the chair) and five more made-up
/// reviewers who share the demo password.
pub(super) const THIRD_ROUND_PANEL: [PanelPerson; 6] = [
    PanelPerson {
        name: "Pat Panelworth",
        email: "pat.panel@example.org",
        load_cap: 15,
        region: "London",
        themes: &["Integrated care pathways", "Support for vulnerable older people"],
    },
    PanelPerson {
        name: "Casey Critwell",
        email: "casey.critwell@example.org",
        load_cap: 16,
        region: "North East",
        themes: &["Alcohol", "Physical activity"],
    },
    PanelPerson {
        name: "Jordan Judgeley",
        email: "jordan.judgeley@example.org",
        load_cap: 16,
        region: "South West",
        themes: &["Data sharing between agencies"],
    },
    PanelPerson {
        name: "Morgan Marksby",
        email: "morgan.marksby@example.org",
        load_cap: 16,
        region: "West Midlands",
        themes: &["Physical activity", "Integrated care pathways", "Other"],
    },
    PanelPerson {
        name: "Robin Reviewsmith",
        email: "robin.reviewsmith@example.org",
        load_cap: 16,
        region: "Yorkshire and the Humber",
        themes: &["Support for vulnerable older people", "Alcohol"],
    },
    PanelPerson {
        name: "Sasha Scorewell",
        email: "sasha.scorewell@example.org",
        load_cap: 16,
        region: "East of England",
        themes: &["Data sharing between agencies", "Other"],
    },
];

/// The accounts of [`THIRD_ROUND_PANEL`], made unless they exist (confirmed, with the demo
/// password); returns their ids in its order.
pub(super) async fn panel_accounts(tx: &mut Tx, now: Timestamp) -> Result<Vec<UserId>> {
    let mut ids = Vec::new();
    // Hashing is slow on purpose: done once, and only when an account is missing.
    let mut hash = None;
    for person in &THIRD_ROUND_PANEL {
        let email = Email::parse(person.email).map_err(|e| crate::StoreError::Malformed(e.to_string()))?;
        let id = match users::by_email_tx(tx, &email).await? {
            Some(id) => id,
            None => {
                if hash.is_none() {
                    hash = Some(
                        hash_password(DEMO_PASSWORD)
                            .map_err(|e| crate::StoreError::Malformed(e.to_string()))?,
                    );
                }
                let hash = hash.as_deref().unwrap_or_default();
                users::create(tx, &email, person.name, hash, now).await?
            }
        };
        ids.push(UserId(id));
    }
    Ok(ids)
}
