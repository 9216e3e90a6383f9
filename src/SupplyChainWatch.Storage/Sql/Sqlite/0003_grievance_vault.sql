-- Confidential grievance text, apart from every table that roles outside grievance handling read.
-- (Encryption at rest of these two columns comes with the security work; nothing else may hold them.)
CREATE TABLE grievance_confidential
(
    grievance_id     TEXT NOT NULL PRIMARY KEY,
    narrative        TEXT NULL,
    reporter_contact TEXT NULL,
    stored_at        TEXT NOT NULL
);
