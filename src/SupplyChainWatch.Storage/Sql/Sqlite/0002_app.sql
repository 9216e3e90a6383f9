-- SupplyChainWatch application tables for SQLite.
-- Timestamps are TEXT in one fixed-width UTC format (yyyy-MM-ddTHH:mm:ss.ffffffZ) so text order is time order.

-- The evidence log: append-only system of record, one hash chain per subject.
CREATE TABLE evidence_log
(
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    subject_id      TEXT    NOT NULL,
    subject_seq     INTEGER NOT NULL,
    idempotency_key TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    content_json    TEXT    NOT NULL,
    content_hash    TEXT    NOT NULL,
    previous_hash   TEXT    NOT NULL,
    row_hash        TEXT    NOT NULL,
    occurred_at     TEXT    NOT NULL,
    recorded_at     TEXT    NOT NULL,
    CONSTRAINT ux_evidence_log_subject_seq UNIQUE (subject_id, subject_seq),
    CONSTRAINT ux_evidence_log_subject_key UNIQUE (subject_id, idempotency_key)
);

CREATE INDEX ix_evidence_log_idempotency_key ON evidence_log (idempotency_key);

-- The read model: one row per subject for list and filter queries.
CREATE TABLE read_model
(
    subject_id    TEXT    NOT NULL PRIMARY KEY,
    subject_type  TEXT    NOT NULL,
    name          TEXT    NULL,
    country       TEXT    NULL,
    sector        TEXT    NULL,
    score         INTEGER NOT NULL,
    band          TEXT    NOT NULL,
    forced_labour TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE INDEX ix_read_model_type_score ON read_model (subject_type, score, subject_id);
CREATE INDEX ix_read_model_type_country_score ON read_model (subject_type, country, score);
CREATE INDEX ix_read_model_type_sector_score ON read_model (subject_type, sector, score);
CREATE INDEX ix_read_model_type_band_score ON read_model (subject_type, band, score);

-- Escalation events. SQLite allows AUTOINCREMENT only on an INTEGER PRIMARY KEY, so the monotonic seq is the
-- primary key here and event_id carries the UNIQUE constraint that makes replays no-ops.
CREATE TABLE escalation_events
(
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id     TEXT    NOT NULL UNIQUE,
    type         TEXT    NOT NULL,
    subject_id   TEXT    NOT NULL,
    subject_seq  INTEGER NOT NULL,
    created_at   TEXT    NOT NULL,
    payload_json TEXT    NOT NULL
);

CREATE INDEX ix_escalation_events_subject ON escalation_events (subject_id, seq);
CREATE INDEX ix_escalation_events_type ON escalation_events (type, seq);
