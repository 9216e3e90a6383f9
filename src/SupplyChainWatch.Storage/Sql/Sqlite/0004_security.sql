-- Security: who read which grievance's confidential text, and the Data Protection key ring.

-- One row per read of a grievance's narrative and contact through the API: who, when, which grievance.
-- Append-only; the text read is never copied here.
CREATE TABLE grievance_access_log
(
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    grievance_id TEXT    NOT NULL,
    accessed_by  TEXT    NOT NULL,
    accessed_at  TEXT    NOT NULL
);

CREATE INDEX ix_grievance_access_log_grievance ON grievance_access_log (grievance_id, seq);

-- ASP.NET Core Data Protection keys (XML elements), kept in the service's own database so every silo
-- protects and unprotects the grievance vault with the same key ring.
CREATE TABLE data_protection_keys
(
    friendly_name TEXT NOT NULL PRIMARY KEY,
    xml           TEXT NOT NULL,
    stored_at     TEXT NOT NULL
);
