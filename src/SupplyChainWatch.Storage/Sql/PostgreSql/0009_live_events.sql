-- The live stream's durable positions: every risk change and escalation sent to Server-Sent Events clients, in one
-- sequence, so a client that reconnects with Last-Event-ID resumes after its last event. Rows older than the resume
-- horizon are pruned (SqlLiveEventStore.Retention).
CREATE TABLE live_events
(
    seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type         text        NOT NULL,
    subject_id   text        NOT NULL,
    at           timestamptz NOT NULL,
    payload_json text        NOT NULL
);

CREATE INDEX ix_live_events_at ON live_events (at);
