-- Security fixes (issue 16): sign-in and code throttles counted in one statement, secrets
-- kept encrypted at rest. Each section below names what it is for.

-- Sign-in and two-factor throttles: one counter per key ("password:<digest of the address>",
-- "client:<address>", "code:<user id>"), taken, counted and checked by one statement.
CREATE TABLE attempt_counts (
    key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    ready_at BIGINT NOT NULL,
    counted BIGINT NOT NULL
);

-- Recovery codes of at least 80 bits, stored as keyed digests ("h1:" and an HMAC-SHA256;
-- see convene_domain::two_factor::recovery_code_digest). The old codes (ten characters,
-- about 52 bits, stored as plain SHA-256) are removed: a copy of the table let anyone find
-- them by trying every code. People set two-factor sign-in up again for new ones.
-- TOTP secrets cannot be encrypted here (SQL never sees the secret key): `convene serve`
-- and `convene demo` seal any left plain when they start with a key.
DELETE FROM recovery_codes WHERE code_digest NOT LIKE 'h1:%';
