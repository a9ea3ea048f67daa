#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly by design.
//! Attacks: each finding of the security review, tried as an attacker would, on both stores.
//! Each test is named after its finding and failed on the code before the fix.

mod common;

#[path = "attacks/accounts.rs"]
mod accounts;
#[path = "attacks/awards.rs"]
mod awards;
#[path = "attacks/enablers_api.rs"]
mod enablers_api;
#[path = "attacks/enablers_pages.rs"]
mod enablers_pages;
#[path = "attacks/engagements.rs"]
mod engagements;
#[path = "attacks/erasure.rs"]
mod erasure;
#[path = "attacks/mail_secrets.rs"]
mod mail_secrets;
#[path = "attacks/panels.rs"]
mod panels;
#[path = "attacks/secrets.rs"]
mod secrets;
#[path = "attacks/support_pages.rs"]
mod support_pages;
