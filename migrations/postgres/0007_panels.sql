-- Panel review (issue 18): a round's panel and its chair, conflicts of interest, bids, the
-- reviewer assignment and its hand changes, rubric scores and the moderation record.

-- Reviews each application of the round needs.
ALTER TABLE rounds ADD COLUMN reviews_per_application BIGINT NOT NULL DEFAULT 3;

-- A member of a round's panel. The member also holds the panel_member grant for the round
-- (the grant lets them in; this row holds what the assignment needs). One may be chair.
CREATE TABLE panel_members (
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    is_chair BIGINT NOT NULL DEFAULT 0,
    load_cap BIGINT NOT NULL,
    region TEXT,
    -- The round's themes the member knows, one to a line.
    themes TEXT NOT NULL DEFAULT '',
    added_at BIGINT NOT NULL,
    PRIMARY KEY (round_id, user_id)
);
CREATE UNIQUE INDEX panel_members_one_chair ON panel_members(round_id) WHERE is_chair = 1;
CREATE INDEX panel_members_user ON panel_members(user_id);

-- A member's declared conflict with an organisation or a place, with their reason.
CREATE TABLE conflicts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    organisation_id BIGINT REFERENCES organisations(id),
    place_id BIGINT REFERENCES places(id),
    reason TEXT NOT NULL,
    declared_at BIGINT NOT NULL,
    CHECK ((organisation_id IS NULL) <> (place_id IS NULL))
);
CREATE INDEX conflicts_member ON conflicts(round_id, user_id);

-- How much a member would like to review an application (0 to 3).
CREATE TABLE review_bids (
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    bid BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, user_id)
);
CREATE INDEX review_bids_user ON review_bids(user_id);

-- A round's rubric as JSON (convene_domain::panels::rubric::Rubric).
CREATE TABLE rubrics (
    round_id BIGINT PRIMARY KEY REFERENCES rounds(id) ON DELETE CASCADE,
    definition TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Each run of the reviewer assignment and what it found ('assigned' or 'short'; the
-- explanation is JSON naming the applications left short).
CREATE TABLE assignment_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    run_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    run_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    total_affinity BIGINT NOT NULL,
    explanation TEXT NOT NULL
);
CREATE INDEX assignment_runs_round ON assignment_runs(round_id, run_at);

-- Who reviews what.
CREATE TABLE review_assignments (
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    affinity BIGINT NOT NULL,
    by_hand BIGINT NOT NULL DEFAULT 0,
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, user_id)
);
CREATE INDEX review_assignments_member ON review_assignments(round_id, user_id);

-- An admin's change of one pair after a run, with the affinity it lost.
CREATE TABLE assignment_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    removed_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    added_user_id BIGINT REFERENCES users(id) ON DELETE SET NULL,
    affinity_lost BIGINT NOT NULL,
    changed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX assignment_changes_round ON assignment_changes(round_id, changed_at);

-- A reviewer's scores on one application: a draft until submitted, saved over a version.
CREATE TABLE reviews (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    submitted_at BIGINT,
    UNIQUE (application_id, user_id)
);
CREATE INDEX reviews_round ON reviews(round_id);

CREATE TABLE review_scores (
    review_id BIGINT NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    criterion TEXT NOT NULL,
    score BIGINT,
    comment TEXT NOT NULL,
    PRIMARY KEY (review_id, criterion)
);

-- The panel's agreed score (in tenths, 10 to 50) and note on an application, saved over a
-- version so the later of two saves is told.
CREATE TABLE moderations (
    application_id BIGINT PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    agreed_tenths BIGINT NOT NULL,
    note TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX moderations_round ON moderations(round_id);
