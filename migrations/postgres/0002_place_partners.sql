-- The partner organisations engaged in a place.
CREATE TABLE place_partners (
    place_id BIGINT NOT NULL REFERENCES places(id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (place_id, organisation_id)
);
