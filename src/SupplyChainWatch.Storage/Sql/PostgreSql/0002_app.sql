-- SupplyChainWatch application tables for PostgreSQL.

-- The evidence log: append-only system of record, one hash chain per subject.
CREATE TABLE evidence_log
(
    seq             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_id      text        NOT NULL,
    subject_seq     bigint      NOT NULL,
    idempotency_key text        NOT NULL,
    kind            text        NOT NULL,
    content_json    text        NOT NULL,
    content_hash    char(64)    NOT NULL,
    previous_hash   char(64)    NOT NULL,
    row_hash        char(64)    NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    CONSTRAINT ux_evidence_log_subject_seq UNIQUE (subject_id, subject_seq),
    CONSTRAINT ux_evidence_log_subject_key UNIQUE (subject_id, idempotency_key)
);

CREATE INDEX ix_evidence_log_idempotency_key ON evidence_log (idempotency_key);

-- The read model: one row per subject for list and filter queries.
CREATE TABLE read_model
(
    subject_id    text        NOT NULL PRIMARY KEY,
    subject_type  text        NOT NULL,
    name          text        NULL,
    country       text        NULL,
    sector        text        NULL,
    score         integer     NOT NULL,
    band          text        NOT NULL,
    forced_labour text        NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX ix_read_model_type_score ON read_model (subject_type, score, subject_id);
CREATE INDEX ix_read_model_type_country_score ON read_model (subject_type, country, score);
CREATE INDEX ix_read_model_type_sector_score ON read_model (subject_type, sector, score);
CREATE INDEX ix_read_model_type_band_score ON read_model (subject_type, band, score);

-- Escalation events: event_id is the key (replays are no-ops), seq is the monotonic cursor for paging.
CREATE TABLE escalation_events
(
    event_id     text        NOT NULL PRIMARY KEY,
    seq          bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    type         text        NOT NULL,
    subject_id   text        NOT NULL,
    subject_seq  bigint      NOT NULL,
    created_at   timestamptz NOT NULL,
    payload_json text        NOT NULL
);

CREATE INDEX ix_escalation_events_subject ON escalation_events (subject_id, seq);
CREATE INDEX ix_escalation_events_type ON escalation_events (type, seq);
