//! Two-factor sign-in: time-based codes (RFC 6238, as every authenticator app makes them)
//! and one-time recovery codes. Pure rules; the secret is stored by the caller.

use rand::RngCore;
use totp_rs::{Builder, Secret, Totp};

/// How many recovery codes a person is given.
pub const RECOVERY_CODES: usize = 10;

/// A fresh 160-bit secret, base32 as apps and people type it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::from(bytes).to_base32()
}

fn totp(secret_base32: &str, account: &str) -> Option<Totp> {
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account)
        .with_issuer(Some("Convene"))
        .build()
        .ok()
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn setup_url(secret_base32: &str, account: &str) -> Option<String> {
    totp(secret_base32, account)?.to_url().ok()
}

/// The code an app shows at `unix_seconds` (for tests and the setup check).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Option<String> {
    Some(totp(secret_base32, "")?.generate(unix_seconds).to_string())
}

/// Checks a typed code (spaces allowed) against the secret at `unix_seconds`, allowing one
/// step of clock drift each way. Returns the 30-second step it matched, which must be later
/// than `last_step` so that a code cannot be used twice.
pub fn verify(secret_base32: &str, typed: &str, unix_seconds: u64, last_step: Option<i64>) -> Option<i64> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let step = totp(secret_base32, "")?.check(&code, unix_seconds)?;
    let step = i64::try_from(step).ok()?;
    match last_step {
        Some(last) if step <= last => None,
        _ => Some(step),
    }
}

/// Fresh recovery codes, each ten letters and digits in two groups ("k7f3q-9zm2x"),
/// avoiding characters that are easily confused.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..10)
                .map(|_| ALPHABET[(rng.next_u32() as usize) % ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// A typed recovery code as stored: lower case, without spaces or dashes.
pub fn normalise_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_works_once_within_its_window() {
        let secret = new_secret();
        let now = 1_795_428_000;
        let code = code_at(&secret, now).unwrap();
        let step = verify(&secret, &code, now, None).expect("the current code");
        assert_eq!(verify(&secret, &code, now, Some(step)), None, "not twice");
        // One step of drift each way is allowed; more is not.
        assert!(verify(&secret, &code, now + 30, None).is_some());
        assert_eq!(verify(&secret, &code, now + 120, None), None);
        assert_eq!(verify(&secret, "12345", now, None), None);
        assert_eq!(verify(&secret, "abcdef", now, None), None);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(verify(&secret, &spaced, now, None).is_some());
    }

    #[test]
    fn the_setup_address_names_the_service_and_account() {
        let url = setup_url(&new_secret(), "lee.lead@example.org").unwrap();
        assert!(
            url.starts_with("otpauth://totp/Convene:lee.lead%40example.org?secret="),
            "{url}"
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        assert_eq!(normalise_recovery_code(" K7F3Q-9ZM2X "), "k7f3q9zm2x");
    }
}
