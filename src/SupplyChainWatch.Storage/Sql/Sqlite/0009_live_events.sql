-- The live stream's durable positions: every risk change and escalation sent to Server-Sent Events clients, in one
-- sequence, so a client that reconnects with Last-Event-ID resumes after its last event. Rows older than the resume
-- horizon are pruned (SqlLiveEventStore.Retention).
CREATE TABLE live_events
(
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    type         TEXT    NOT NULL,
    subject_id   TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    payload_json TEXT    NOT NULL
);

CREATE INDEX ix_live_events_at ON live_events (at);
