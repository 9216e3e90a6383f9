-- Security: who read which grievance's confidential text, and the Data Protection key ring.

-- One row per read of a grievance's narrative and contact through the API: who, when, which grievance.
-- Append-only; the text read is never copied here.
CREATE TABLE grievance_access_log
(
    seq          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grievance_id text        NOT NULL,
    accessed_by  text        NOT NULL,
    accessed_at  timestamptz NOT NULL
);

CREATE INDEX ix_grievance_access_log_grievance ON grievance_access_log (grievance_id, seq);

-- ASP.NET Core Data Protection keys (XML elements), kept in the service's own database so every silo
-- protects and unprotects the grievance vault with the same key ring.
CREATE TABLE data_protection_keys
(
    friendly_name text        NOT NULL PRIMARY KEY,
    xml           text        NOT NULL,
    stored_at     timestamptz NOT NULL
);
