-- The enabler pool, place–enabler matching, engagements with contact time, and support
-- offers (issue 20). Calendar dates (a contact's day, an engagement's first and last day)
-- are ISO text, 'YYYY-MM-DD': they are days in England, not instants.

-- How long a day of an enabler's time is, in minutes (7.5 hours unless the programme
-- sets another figure): contact hours are counted in days of this length.
ALTER TABLE programmes ADD COLUMN contact_day_minutes BIGINT NOT NULL DEFAULT 450
    CHECK (contact_day_minutes > 0);

-- A person's place in a programme's enabler pool and the profile places browse. It is
-- 'pending' while their request to join waits, 'approved' once an admin vets it, and
-- 'withdrawn' when they leave. `capacity` is how many places they can hold this year.
CREATE TABLE enablers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    bio TEXT NOT NULL,
    -- Newline-separated lists, as typed one per line.
    expertise TEXT NOT NULL,
    sectors TEXT NOT NULL,
    regions TEXT NOT NULL,
    capacity BIGINT NOT NULL CHECK (capacity > 0),
    available_from TEXT NOT NULL,
    available_to TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    approved_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    approved_at BIGINT,
    UNIQUE (programme_id, user_id)
);
CREATE INDEX enablers_programme ON enablers(programme_id, status);

-- A funded place's ranking of the enablers it would accept, best first (rank 1), by its
-- award.
CREATE TABLE place_choices (
    award_id BIGINT NOT NULL REFERENCES awards(id) ON DELETE CASCADE,
    enabler_id BIGINT NOT NULL REFERENCES enablers(id) ON DELETE CASCADE,
    rank BIGINT NOT NULL CHECK (rank > 0),
    PRIMARY KEY (award_id, enabler_id),
    UNIQUE (award_id, rank)
);
CREATE INDEX place_choices_enabler ON place_choices(enabler_id);

-- An enabler's ranking of the places that listed them (rank 1 best; none yet when NULL),
-- or a place they cannot take (`cannot_take` 1: a conflict).
CREATE TABLE enabler_choices (
    enabler_id BIGINT NOT NULL REFERENCES enablers(id) ON DELETE CASCADE,
    award_id BIGINT NOT NULL REFERENCES awards(id) ON DELETE CASCADE,
    rank BIGINT CHECK (rank > 0),
    cannot_take BIGINT NOT NULL DEFAULT 0 CHECK (cannot_take IN (0, 1)),
    PRIMARY KEY (enabler_id, award_id)
);

-- Each run of the matching for a programme: the pairs it proposed (and any changed by
-- hand) and why places were left unmatched, as JSON, until an admin confirms it.
CREATE TABLE matching_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    run_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    run_at BIGINT NOT NULL,
    result TEXT NOT NULL,
    version BIGINT NOT NULL,
    confirmed_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    confirmed_at BIGINT
);
CREATE INDEX matching_runs_programme ON matching_runs(programme_id, run_at);

-- A confirmed pair: the enabler supports the place from `starts_on` to `ends_on` (the 31
-- March after), with an allocation in minutes of the programme's day; `ended_on` when it
-- ends early, and `follows_id` for the engagement whose remaining time this one took.
CREATE TABLE engagements (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    award_id BIGINT NOT NULL REFERENCES awards(id) ON DELETE CASCADE,
    enabler_id BIGINT NOT NULL REFERENCES enablers(id),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    ended_on TEXT,
    allocation_minutes BIGINT NOT NULL CHECK (allocation_minutes >= 0),
    day_minutes BIGINT NOT NULL CHECK (day_minutes > 0),
    follows_id BIGINT REFERENCES engagements(id) ON DELETE SET NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX engagements_programme ON engagements(programme_id);
CREATE INDEX engagements_award ON engagements(award_id);
CREATE INDEX engagements_enabler ON engagements(enabler_id);

-- Contact an enabler logged against an engagement ('workshop', 'coaching', 'meeting' or
-- 'other'), in minutes.
CREATE TABLE contact_entries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id BIGINT NOT NULL REFERENCES engagements(id) ON DELETE CASCADE,
    on_date TEXT NOT NULL,
    minutes BIGINT NOT NULL CHECK (minutes > 0 AND minutes <= 1440),
    kind TEXT NOT NULL,
    notes TEXT NOT NULL,
    logged_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    logged_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX contact_entries_engagement ON contact_entries(engagement_id, on_date);

-- A place lead's query of a contact entry, the enabler's answer and an admin's settlement
-- ('upheld': the entry stands; 'corrected': the entry was changed or removed).
CREATE TABLE contact_queries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id BIGINT NOT NULL REFERENCES contact_entries(id) ON DELETE CASCADE,
    raised_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    raised_at BIGINT NOT NULL,
    answer TEXT,
    answered_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    answered_at BIGINT,
    settlement TEXT,
    settlement_note TEXT,
    settled_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    settled_at BIGINT
);
CREATE INDEX contact_queries_entry ON contact_queries(entry_id);

-- A limited offer of support in a programme ('consultancy_days' from a named partner,
-- 'national_programme' places, 'learning_network' memberships), `units` in all.
CREATE TABLE support_offers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    partner TEXT NOT NULL,
    units BIGINT NOT NULL CHECK (units > 0),
    created_at BIGINT NOT NULL
);
CREATE INDEX support_offers_programme ON support_offers(programme_id);

-- A funded place's request for units of an offer: 'requested', then 'approved' (within
-- what is left: approvals take the offer's row lock) or 'declined' with a reason.
CREATE TABLE support_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    offer_id BIGINT NOT NULL REFERENCES support_offers(id) ON DELETE CASCADE,
    award_id BIGINT NOT NULL REFERENCES awards(id) ON DELETE CASCADE,
    units BIGINT NOT NULL CHECK (units > 0),
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    requested_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decided_at BIGINT,
    decision_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX support_requests_offer ON support_requests(offer_id, status);
CREATE INDEX support_requests_award ON support_requests(award_id);
