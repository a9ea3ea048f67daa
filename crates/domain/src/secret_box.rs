//! Secrets kept encrypted at rest (two-factor secrets), under the service's secret key.
//!
//! The key is 32 random bytes, written as base64 or 64 hex digits (`CONVENE_SECRET_KEY`, or a
//! file named by `--secret-key-file`). Each value is sealed with XChaCha20-Poly1305 (RustCrypto's
//! `chacha20poly1305`; the extended-nonce variant, so a fresh random 192-bit nonce per value
//! never repeats in practice) and written as text, versioned so the format can change:
//!
//! ```text
//! v1:<nonce, base64url>:<ciphertext and tag, base64url>
//! ```
//!
//! Every value is sealed with a context (for example `totp-secret/user/42`) as associated data,
//! so a sealed value copied to another row or another use does not open. Pure: no I/O.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};
use rand::RngCore;

/// The prefix of the current format.
const V1: &str = "v1";

/// The service's secret key. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the secret key is empty")]
    Empty,
    #[error(
        "the secret key must be 32 bytes written as base64 or 64 hex digits (make one with `convene secret-key generate`)"
    )]
    Malformed,
}

/// Why a sealed value could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("the value is not in a sealed format this version knows")]
    Format,
    #[error("the value does not open with this key (another key sealed it, or it was changed)")]
    WrongKey,
}

impl SecretKey {
    /// A fresh random key.
    pub fn generate() -> SecretKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        SecretKey(bytes)
    }

    /// Reads a key written as base64 (standard or URL-safe, padded or not) or as 64 hex
    /// digits; surrounding whitespace (a file's last newline) is ignored.
    pub fn parse(text: &str) -> Result<SecretKey, KeyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(KeyError::Empty);
        }
        let bytes = if text.len() == 64 && text.chars().all(|c| c.is_ascii_hexdigit()) {
            hex::decode(text).map_err(|_| KeyError::Malformed)?
        } else {
            [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(text).ok())
                .ok_or(KeyError::Malformed)?
        };
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(SecretKey(bytes))
    }

    /// The key as text (standard base64), as `parse` reads it.
    pub fn to_text(&self) -> String {
        STANDARD.encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&Key::from(self.0))
    }

    /// Seals `plaintext` for `context`, with a fresh nonce: `v1:<nonce>:<ciphertext>`.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context.as_bytes(),
                },
            )
            // Encryption only fails for messages of hundreds of gigabytes.
            .unwrap_or_default();
        format!(
            "{V1}:{}:{}",
            URL_SAFE_NO_PAD.encode(nonce),
            URL_SAFE_NO_PAD.encode(sealed)
        )
    }

    /// Seals text.
    pub fn seal_text(&self, context: &str, plaintext: &str) -> String {
        self.seal(context, plaintext.as_bytes())
    }

    /// Opens a value sealed for `context` by this key.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, OpenError> {
        let mut parts = sealed.trim().split(':');
        let (Some(V1), Some(nonce), Some(body), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(OpenError::Format);
        };
        let nonce: [u8; 24] = URL_SAFE_NO_PAD
            .decode(nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or(OpenError::Format)?;
        let body = URL_SAFE_NO_PAD.decode(body).map_err(|_| OpenError::Format)?;
        self.cipher()
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &body,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| OpenError::WrongKey)
    }

    /// Opens sealed text.
    pub fn open_text(&self, context: &str, sealed: &str) -> Result<String, OpenError> {
        String::from_utf8(self.open(context, sealed)?).map_err(|_| OpenError::Format)
    }
}

/// True when `value` is in a sealed format (so not a plaintext left from before encryption).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with("v1:")
}

/// The context a person's TOTP secret is sealed for, in the database.
pub fn totp_secret_context(user_id: i64) -> String {
    format!("totp-secret/user/{user_id}")
}

/// The context a TOTP secret being set up is sealed for, in the person's session.
pub fn totp_setup_context(user_id: i64) -> String {
    format!("totp-setup/user/{user_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_with_their_key_and_context() {
        let key = SecretKey::generate();
        let sealed = key.seal_text("totp-secret/user/1", "JBSWY3DPEHPK3PXP");
        assert!(sealed.starts_with("v1:"), "{sealed}");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(
            key.open_text("totp-secret/user/1", &sealed).as_deref(),
            Ok("JBSWY3DPEHPK3PXP")
        );
        assert_eq!(
            key.open_text("totp-secret/user/2", &sealed),
            Err(OpenError::WrongKey),
            "moved to another person's row"
        );
        assert_eq!(
            SecretKey::generate().open_text("totp-secret/user/1", &sealed),
            Err(OpenError::WrongKey)
        );
        assert_ne!(
            sealed,
            key.seal_text("totp-secret/user/1", "JBSWY3DPEHPK3PXP"),
            "a fresh nonce each time"
        );
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
        assert!(key.open_text("totp-secret/user/1", &tampered).is_err());
        assert_eq!(key.open("c", "JBSWY3DPEHPK3PXP"), Err(OpenError::Format));
        assert_eq!(key.open("c", "v2:a:b"), Err(OpenError::Format));
    }

    #[test]
    fn keys_read_as_base64_or_hex() {
        let key = SecretKey::generate();
        assert_eq!(SecretKey::parse(&format!("{}\n", key.to_text())), Ok(key.clone()));
        assert_eq!(SecretKey::parse(&hex::encode(key.0)), Ok(key.clone()));
        assert_eq!(SecretKey::parse(&URL_SAFE_NO_PAD.encode(key.0)), Ok(key));
        assert_eq!(SecretKey::parse("  "), Err(KeyError::Empty));
        assert_eq!(SecretKey::parse("short"), Err(KeyError::Malformed));
        assert_eq!(
            SecretKey::parse(&STANDARD.encode([7u8; 16])),
            Err(KeyError::Malformed),
            "16 bytes is too few"
        );
        assert_eq!(format!("{:?}", SecretKey::generate()), "SecretKey(..)");
    }
}
