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

/// The letters and digits recovery codes are made of: lower case, without those easily
/// confused (no i, l, o, 0 or 1), so 31 characters.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Characters in a recovery code: 20 from 31 carry 20 * log2(31), about 99 bits, well over
/// the 80 the security review asks, so no code can be guessed online or found offline.
pub const RECOVERY_CODE_CHARS: usize = 20;

/// Fresh recovery codes, each 20 letters and digits in four groups of five
/// ("k7f3q-9zm2x-h4wbn-c8tpe"), avoiding characters that are easily confused.
pub fn new_recovery_codes() -> Vec<String> {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: Vec<char> = (0..RECOVERY_CODE_CHARS)
                .map(|_| RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            chars
                .chunks(5)
                .map(|group| group.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// A typed recovery code as it is digested: lower case, without spaces or dashes.
pub fn normalise_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What is stored for a recovery code: `h1:` and an HMAC-SHA256 of the normalised code.
///
/// Why a keyed hash and not a slow one: a code carries about 99 random bits, so a slow hash
/// adds nothing against guessing, and it would cost an argon2 run per stored code on every
/// attempt. Keyed, a copy of the table alone lets no one test a code at all.
///
/// The key is derived from the person's TOTP secret, itself kept encrypted under the
/// service's secret key: a database without the secret key gives nothing to test codes
/// against, and anyone who could open the TOTP secret could make sign-in codes anyway. It
/// also means rotating the secret key (which re-encrypts the TOTP secret but leaves it the
/// same) leaves every recovery code working, which a digest keyed by the secret key itself
/// could not do: it cannot be recomputed without the codes, which are never kept. Setting
/// two-factor sign-in up again makes a new secret and new codes together.
pub fn recovery_code_digest(secret_base32: &str, typed: &str) -> Option<String> {
    use hmac::{KeyInit, Mac};
    type HmacSha256 = hmac::Hmac<sha2_v011::Sha256>;
    let secret = Secret::try_from_base32(secret_base32).ok()?;
    let mut derive = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    derive.update(b"convene recovery codes v1");
    let key = derive.finalize().into_bytes();
    let mut mac = HmacSha256::new_from_slice(&key).ok()?;
    mac.update(normalise_recovery_code(typed).as_bytes());
    Some(format!("h1:{}", hex::encode(mac.finalize().into_bytes())))
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

    #[test]
    fn recovery_codes_carry_80_bits_in_readable_groups() {
        let bits = RECOVERY_CODE_CHARS as f64 * (RECOVERY_ALPHABET.len() as f64).log2();
        assert!(bits >= 80.0, "{bits} bits");
        for code in new_recovery_codes() {
            let groups: Vec<&str> = code.split('-').collect();
            assert_eq!(groups.len(), 4, "{code}");
            assert!(groups.iter().all(|g| g.len() == 5), "{code}");
            let plain = normalise_recovery_code(&code);
            assert_eq!(plain.len(), RECOVERY_CODE_CHARS);
            assert!(!plain.contains(['i', 'l', 'o', '0', '1']), "{code}");
        }
    }

    #[test]
    fn recovery_digests_are_keyed_by_the_secret() {
        let secret = new_secret();
        let code = &new_recovery_codes()[0];
        let digest = recovery_code_digest(&secret, code).unwrap();
        assert!(digest.starts_with("h1:"), "{digest}");
        assert_eq!(
            recovery_code_digest(&secret, &code.to_uppercase().replace('-', " ")).as_deref(),
            Some(digest.as_str()),
            "typed in capitals, with spaces"
        );
        assert_ne!(recovery_code_digest(&new_secret(), code), Some(digest.clone()));
        assert!(!digest.contains(&crate::accounts::secret_digest(&normalise_recovery_code(code))));
    }
}
