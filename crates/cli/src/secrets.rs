//! The secret key that seals two-factor secrets: read, made for the demo, checked against
//! the store, and rotated (`convene secret-key`).

use crate::{Fail, KeyArgs, SecretKeyCommand, open};
use convene_domain::secret_box::{self, SecretKey};
use convene_store::Db;
use std::io::Write;

/// The secret key from `--secret-key-file` or `CONVENE_SECRET_KEY`, if either is set.
pub fn load_key(args: &KeyArgs) -> Result<Option<SecretKey>, Fail> {
    let from_env = std::env::var("CONVENE_SECRET_KEY")
        .ok()
        .filter(|k| !k.trim().is_empty());
    match (&args.secret_key_file, from_env) {
        (Some(_), Some(_)) => Err(Fail(
            "give the secret key once: --secret-key-file or CONVENE_SECRET_KEY, not both".into(),
        )),
        (Some(path), None) => read_key_file(path).map(Some),
        (None, Some(text)) => SecretKey::parse(&text)
            .map(Some)
            .map_err(|e| Fail(format!("CONVENE_SECRET_KEY: {e}"))),
        (None, None) => Ok(None),
    }
}

pub fn read_key_file(path: &std::path::Path) -> Result<SecretKey, Fail> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Fail(format!("cannot read the secret key file {}: {e}", path.display())))?;
    let key = SecretKey::parse(&text).map_err(|e| Fail(format!("{}: {e}", path.display())))?;
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(file = %path.display(), "the secret key file can be read by others: chmod 600 it");
        }
    }
    Ok(key)
}

/// Writes a new key to `path`, which must not exist yet, readable only by its owner.
pub fn write_new_key_file(path: &std::path::Path, key: &SecretKey) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    writeln!(file, "{}", key.to_text())?;
    file.sync_all()
}

/// The demo's key: the one given, else the one beside the demo database (made on the first
/// run, mode 0600, and reused after).
pub fn demo_key(args: &KeyArgs, database: &str) -> Result<SecretKey, Fail> {
    if let Some(key) = load_key(args)? {
        return Ok(key);
    }
    let path = std::path::Path::new(database).with_extension("key");
    if path.exists() {
        return read_key_file(&path);
    }
    let key = SecretKey::generate();
    write_new_key_file(&path, &key).map_err(|e| {
        Fail(format!(
            "cannot write the demo's secret key to {}: {e}",
            path.display()
        ))
    })?;
    Ok(key)
}

/// Checks the secret key against the database before serving: a database that holds
/// two-factor secrets needs the key that sealed them (without it nobody with two-factor
/// sign-in could sign in). Secrets left plain by an older version are sealed now.
pub async fn prepare_secrets(db: &Db, key: Option<&SecretKey>) -> Result<(), Fail> {
    let stored = convene_store::two_factor::stored_secrets(db).await?;
    if stored.is_empty() {
        return Ok(());
    }
    let Some(key) = key else {
        return Err(Fail(format!(
            "the database holds {} two-factor secrets: give the secret key they were encrypted with (CONVENE_SECRET_KEY or --secret-key-file)",
            stored.len()
        )));
    };
    for (user_id, value) in &stored {
        if secret_box::is_sealed(value) {
            key.open(&secret_box::totp_secret_context(*user_id), value)
                .map_err(|_| {
                    Fail(format!(
                        "the secret key does not open the two-factor secret of user {user_id}: is it the key this database was encrypted with?"
                    ))
                })?;
        }
    }
    if stored.iter().any(|(_, value)| !secret_box::is_sealed(value)) {
        let sealed = convene_store::two_factor::reseal_all(db, |user_id, value| {
            Ok((!secret_box::is_sealed(value))
                .then(|| key.seal_text(&secret_box::totp_secret_context(user_id), value)))
        })
        .await?
        .map_err(Fail)?;
        tracing::info!(sealed, "two-factor secrets left unencrypted are now encrypted");
    }
    Ok(())
}

pub async fn command(command: SecretKeyCommand) -> Result<(), Fail> {
    match command {
        SecretKeyCommand::Generate { out: None } => println!("{}", SecretKey::generate().to_text()),
        SecretKeyCommand::Generate { out: Some(path) } => {
            write_new_key_file(&path, &SecretKey::generate())
                .map_err(|e| Fail(format!("cannot write {}: {e}", path.display())))?;
            println!(
                "Wrote a new secret key to {} (readable only by you).",
                path.display()
            );
        }
        SecretKeyCommand::Rotate {
            new_key_file,
            key,
            database_url,
        } => {
            let old = load_key(&key)?.ok_or_else(|| {
                Fail(
                    "give the current secret key (CONVENE_SECRET_KEY or --secret-key-file) to rotate it"
                        .into(),
                )
            })?;
            let new = read_key_file(&new_key_file)?;
            let db = open(&database_url, 1).await?;
            let rotated = convene_store::two_factor::reseal_all(&db, |user_id, value| {
                let context = secret_box::totp_secret_context(user_id);
                let secret = if secret_box::is_sealed(value) {
                    old.open_text(&context, value).map_err(|_| {
                        format!(
                            "the current secret key does not open the two-factor secret of user {user_id}: nothing was changed"
                        )
                    })?
                } else {
                    value.to_string()
                };
                Ok(Some(new.seal_text(&context, &secret)))
            })
            .await?
            .map_err(Fail)?;
            println!(
                "Re-encrypted {rotated} two-factor secrets with the new key. Start Convene with the new key now."
            );
        }
    }
    Ok(())
}
