-- Applications: a round's form (frozen once the round opens; a new version is a new row),
-- each place's one application per round, its answers saved a section at a time (each
-- section versioned, so a save from a stale tab is refused, not applied), the sign-off
-- requests sent by signed link, and uploaded files, stored here so servers share them.

ALTER TABLE rounds ADD COLUMN signoff_required BIGINT NOT NULL DEFAULT 1;
ALTER TABLE rounds ADD COLUMN last_reference BIGINT NOT NULL DEFAULT 0;

CREATE TABLE forms (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- Set when the version becomes the one new applications use; a newer unpublished
    -- version is being prepared.
    published_at BIGINT,
    UNIQUE (round_id, version)
);

CREATE TABLE applications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    place_id BIGINT NOT NULL REFERENCES places(id),
    form_id BIGINT NOT NULL REFERENCES forms(id),
    status TEXT NOT NULL,
    reference TEXT UNIQUE,
    pledge_pence BIGINT,
    answers_digest TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    withdrawn_at BIGINT,
    withdrawn_reason TEXT,
    deadline_extended_to BIGINT,
    -- When the reminder before the deadline went out (once per application).
    reminded_at BIGINT,
    UNIQUE (round_id, place_id)
);
CREATE INDEX applications_round_status ON applications(round_id, status, id);
CREATE INDEX applications_place ON applications(place_id);

CREATE TABLE application_sections (
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    section_key TEXT NOT NULL,
    answers TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    PRIMARY KEY (application_id, section_key)
);

-- Partner contacts the applicant names; the board chair comes from the place record.
CREATE TABLE application_contacts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    organisation TEXT NOT NULL,
    UNIQUE (application_id, email)
);

-- One row per link sent. A link is spent by the confirming POST, voided when the answers
-- change or a new link is sent to the same person.
CREATE TABLE signoffs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    organisation TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    answers_digest TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    confirmed_at BIGINT,
    confirmed_name TEXT,
    confirmed_role TEXT,
    comment TEXT,
    voided_at BIGINT
);
CREATE INDEX signoffs_application ON signoffs(application_id);

CREATE TABLE uploads (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    question_key TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    content BYTEA NOT NULL,
    uploaded_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX uploads_application ON uploads(application_id);

-- A place lead's proposed change to the board chair's contact, until a programme admin
-- approves or rejects it (the sign-off email goes only to the contact on the place record).
CREATE TABLE chair_proposals (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place_id BIGINT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    proposed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    approved BIGINT
);
CREATE INDEX chair_proposals_place ON chair_proposals(place_id);
