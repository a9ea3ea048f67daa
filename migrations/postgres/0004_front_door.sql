-- The front door: the public programme page in Markdown, news, self-service accounts
-- (email verification, role requests, invitations, two-factor sign-in) and personal data
-- rights (retention rules and the log of their runs).

ALTER TABLE programmes ADD COLUMN page_markdown TEXT NOT NULL DEFAULT '';

ALTER TABLE users ADD COLUMN organisation TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN job_role TEXT NOT NULL DEFAULT '';
-- Until set, the account can read but not ask for a role or apply.
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;
-- Base32 TOTP secret; two-factor sign-in is on once totp_enabled_at is set.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
-- The last 30-second step accepted, so a code cannot be replayed.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
-- Everyone made before self-service registration was made by an admin, who vouched for them.
UPDATE users SET email_verified_at = created_at;

-- A single-use link proving that someone holds an address (on registration, or a change
-- of address, in which case `email` is the new address).
CREATE TABLE email_verifications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    return_to TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_verifications_user ON email_verifications(user_id);

-- A person asks to hold a role (place lead for a place); an admin decides, with a reason.
CREATE TABLE role_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    scope_id BIGINT NOT NULL,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decided_at BIGINT,
    decision_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX role_requests_status ON role_requests(status, programme_id);
CREATE INDEX role_requests_user ON role_requests(user_id);

-- An admin invites someone by email with a role; the link creates or joins the account.
CREATE TABLE invitations (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    scope_id BIGINT,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    accepted_by BIGINT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX invitations_email ON invitations(email);

-- One-time codes for when the authenticator is lost; only digests are kept.
CREATE TABLE recovery_codes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    code_digest TEXT NOT NULL,
    used_at BIGINT
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- News and announcements, of one programme or (programme_id NULL) of the whole service.
-- An item is public from publish_at, which may be in the future.
CREATE TABLE news_items (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT REFERENCES programmes(id) ON DELETE CASCADE,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    body_markdown TEXT NOT NULL,
    publish_at BIGINT NOT NULL,
    author_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX news_items_publish ON news_items(publish_at);

CREATE TABLE news_tags (
    news_id BIGINT NOT NULL REFERENCES news_items(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (news_id, tag)
);
CREATE INDEX news_tags_tag ON news_tags(tag);

-- How long a programme keeps records it no longer needs, by kind of record.
CREATE TABLE retention_rules (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    after_days BIGINT NOT NULL,
    UNIQUE (programme_id, kind)
);

-- Each run of the retention rules, with what it removed.
CREATE TABLE retention_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at BIGINT NOT NULL,
    triggered_by TEXT NOT NULL,
    programme_id BIGINT REFERENCES programmes(id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    removed BIGINT NOT NULL
);
