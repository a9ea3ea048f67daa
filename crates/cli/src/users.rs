//! `convene user add`: an account with one role, made from the command line.

use crate::{Fail, UserCommand, open};
use anyhow::Context;
use convene_domain::Email;
use convene_domain::UserId;
use convene_domain::accounts::{Grant, Role, ScopeKind, check_new_password, hash_password};
use convene_domain::audit::AuditAction;
use convene_store::{Db, programmes, users};
use convene_web::state::SystemClock;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

/// `convene user add`.
pub async fn add(command: UserCommand) -> Result<(), Fail> {
    let UserCommand::Add {
        email,
        name,
        role,
        programme,
        round,
        place,
        password_stdin,
        database_url,
    } = command;
    let email = Email::parse(&email)?;
    let role = Role::from_key(&role).ok_or_else(|| Fail(format!("unknown role {role:?}")))?;
    if name.trim().is_empty() {
        return Err(Fail("--name must not be empty".into()));
    }
    let db = open(&database_url, 1).await?;
    let scope = match role.scope_kind() {
        ScopeKind::None => None,
        ScopeKind::Programme => {
            let slug = programme.ok_or_else(|| Fail("a programme admin needs --programme SLUG".into()))?;
            Some(
                programmes::by_slug(&db, &slug)
                    .await?
                    .ok_or_else(|| Fail(format!("no programme {slug:?}")))?
                    .id
                    .0,
            )
        }
        ScopeKind::Round => Some(round.ok_or_else(|| Fail("a panel member needs --round ID".into()))?),
        ScopeKind::Place => {
            let reference = place.ok_or_else(|| Fail("a place lead needs --place REF".into()))?;
            Some(place_id(&db, &reference).await?)
        }
    };
    let grant = Grant::new(role, scope)?;
    let password = read_password(password_stdin)?;
    check_new_password(&password)?;
    let hash = hash_password(&password)?;
    let app = convene_app::App::new(db, Arc::new(SystemClock), convene_app::Settings::default());
    let mut work = app.begin(None).await?;
    let now = work.now();
    let id = users::create(work.tx(), &email, name.trim(), &hash, now)
        .await
        .map_err(|e| match e {
            convene_store::StoreError::Duplicate(_) => Fail(format!("an account for {email} already exists")),
            other => Fail(other.to_string()),
        })?;
    users::grant(work.tx(), UserId(id), grant, now).await?;
    work.audit_with(AuditAction::UserAddedByCli, Some(id), role.key())
        .await?;
    work.commit().await?;
    println!("Created {} ({}) as {}.", name.trim(), email, role.label());
    Ok(())
}

async fn place_id(db: &Db, reference: &str) -> Result<i64, Fail> {
    programmes::place_by_reference(db, reference)
        .await?
        .ok_or_else(|| Fail(format!("no place with reference {reference:?}")))
}

fn read_password(from_stdin: bool) -> Result<String, Fail> {
    let stdin = std::io::stdin();
    if !from_stdin && stdin.is_terminal() {
        print!("Password (12 characters or more): ");
        std::io::stdout().flush().context("write prompt")?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("read password")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
