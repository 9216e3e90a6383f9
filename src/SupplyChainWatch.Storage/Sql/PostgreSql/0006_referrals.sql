-- Referral packages (one case's evidence for one recipient) and the access log of every build, refusal and read.

-- A package as built: the JSON answered to the case officer, kept so that GET and verify compare against it.
-- Packages hold evidence-log content (never grievance narratives or contacts: those stay in the vault).
CREATE TABLE referrals
(
    referral_id    TEXT NOT NULL PRIMARY KEY,
    subject_id     TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    recipient_type TEXT NOT NULL,
    built_by       TEXT NOT NULL,
    built_at       timestamptz NOT NULL,
    package_json   TEXT NOT NULL
);

CREATE INDEX ix_referrals_case ON referrals (subject_id, case_id);

-- Append-only: who did what with which case's package, when, and under which safety override.
CREATE TABLE referral_access_log
(
    seq            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    referral_id    TEXT NULL,
    subject_id     TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    action         TEXT NOT NULL,
    actor          TEXT NOT NULL,
    at             timestamptz NOT NULL,
    recipient_type TEXT NOT NULL,
    override_kind  TEXT NULL,
    detail         TEXT NOT NULL
);

CREATE INDEX ix_referral_access_log_case ON referral_access_log (subject_id, case_id, seq);
