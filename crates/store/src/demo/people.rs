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
