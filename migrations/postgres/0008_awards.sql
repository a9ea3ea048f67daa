-- Selection within budget, decisions, awards and outcome letters (issue 19).

-- The programme's 360Giving identifier prefix ("360G-" and the funders' own part), for
-- its open data; empty until an admin sets it (the export then refuses to run).
ALTER TABLE programmes ADD COLUMN grant_prefix TEXT NOT NULL DEFAULT '';

-- The councils a place covers when it is not a council itself (an integrated care system
-- is listed in open data as its councils: the ONS codelist has no E54).
CREATE TABLE place_areas (
    place_id BIGINT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    ons_code TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (place_id, ons_code)
);

-- A round's balance rules for the selection helper: at most `amount` places in a region
-- ('at_most_in_region'), or at least `amount` in a theme ('at_least_in_theme').
CREATE TABLE selection_rules (
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (round_id, kind, name)
);

-- An award value other than the round's value per place, set by an admin.
CREATE TABLE award_values (
    application_id BIGINT PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    value_pence BIGINT NOT NULL CHECK (value_pence > 0),
    set_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    set_at BIGINT NOT NULL
);
CREATE INDEX award_values_round ON award_values(round_id);

-- Each run of the selection helper and what it proposed ('proposed', 'infeasible' or
-- 'nothing_affordable'), with its explanation as JSON.
CREATE TABLE selection_runs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    run_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    run_at BIGINT NOT NULL,
    outcome TEXT NOT NULL,
    budget_pence BIGINT NOT NULL,
    total_score BIGINT NOT NULL,
    explanation TEXT NOT NULL
);
CREATE INDEX selection_runs_round ON selection_runs(round_id, run_at);

-- The panel's decision on an application ('fund', 'reserve' or 'decline') with its
-- feedback; `override_reason` when recorded before every review was in.
CREATE TABLE decisions (
    application_id BIGINT PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    outcome TEXT NOT NULL,
    feedback TEXT NOT NULL,
    override_reason TEXT,
    version BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    decided_at BIGINT NOT NULL
);
CREATE INDEX decisions_round ON decisions(round_id);

-- An award made from a programme's fund to a place ('offered', 'accepted' or 'declined').
-- `offered_at` is the award date: the round's notification date, or the moment a reserve
-- was offered a declined place. `announced_at` is set when its letter goes out: before
-- then only staff know of it. Awards made before Convene have no round or application.
CREATE TABLE awards (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    round_id BIGINT REFERENCES rounds(id) ON DELETE SET NULL,
    application_id BIGINT UNIQUE REFERENCES applications(id) ON DELETE SET NULL,
    place_id BIGINT NOT NULL REFERENCES places(id),
    reference TEXT NOT NULL UNIQUE,
    recipient_organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    value_pence BIGINT NOT NULL CHECK (value_pence > 0),
    match_pledge_pence BIGINT NOT NULL CHECK (match_pledge_pence >= 0),
    breakthrough_issue TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    offered_at BIGINT NOT NULL,
    announced_at BIGINT,
    respond_by BIGINT NOT NULL,
    status TEXT NOT NULL,
    responded_at BIGINT,
    responded_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    -- The declined award whose place this one took.
    replaces_award_id BIGINT REFERENCES awards(id) ON DELETE SET NULL,
    created_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX awards_programme ON awards(programme_id, status);
CREATE INDEX awards_place ON awards(place_id);

-- An outcome letter ('funded', 'reserve', 'not_funded' or 'offered' after a decline), with
-- the panel's feedback, sent by the outcome-letters job once `send_after` has come, and
-- shown to the place's leads from the moment it is sent (`sent_at`), never before.
CREATE TABLE outcome_letters (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    round_id BIGINT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    feedback TEXT NOT NULL,
    send_after BIGINT NOT NULL,
    sent_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX outcome_letters_due ON outcome_letters(sent_at, send_after);
CREATE INDEX outcome_letters_application ON outcome_letters(application_id);
