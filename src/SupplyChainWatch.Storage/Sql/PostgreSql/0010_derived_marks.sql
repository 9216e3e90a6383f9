-- Derived views (escalations with their webhook outbox rows, read-model rows) are written behind the answer to a
-- submission. One row per subject says how far the evidence log has been derived: derived_seq is the subject_seq of the
-- last log row whose consequences are stored, basis_json the evaluation they were derived from (score, band, indicated
-- cases, zero-tolerance hits) and revision the count of re-evaluations without new evidence. Written in the same
-- transaction as the derived rows, so a subject whose log is ahead of its mark has consequences still to derive.
CREATE TABLE derived_marks
(
    subject_id  text        PRIMARY KEY,
    derived_seq bigint      NOT NULL,
    revision    bigint      NOT NULL DEFAULT 0,
    basis_json  text        NULL,
    updated_at  timestamptz NOT NULL
);

-- Before this version every consequence was written before the answer: all of the log is derived.
INSERT INTO derived_marks (subject_id, derived_seq, revision, basis_json, updated_at)
SELECT subject_id, max(subject_seq), 0, NULL, now() FROM evidence_log GROUP BY subject_id;
