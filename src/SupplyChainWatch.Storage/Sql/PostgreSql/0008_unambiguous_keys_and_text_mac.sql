-- Schema version 8: unambiguous idempotency keys, and a keyed MAC of grievance text in the vault.

-- 1. Idempotency keys. Before this version the parts of a key were joined with ':' as they were, and ids may contain
--    ':', so audit 'A' + finding 'X:F' and audit 'A:X' + finding 'F' shared 'finding:A:X:F'. Keys are now built by
--    IdempotencyKeys (Contracts) with every part percent-encoded ('%' as '%25', ':' as '%3A'); ids without ':' encode to
--    themselves, so only rows whose ids contain ':' change. Their parts are read back from the row's own content, which
--    is unambiguous. The row hash covers the key as it was written, so that key moves to chained_key and the chain
--    keeps verifying over it; idempotency_key holds the new form, under which a resubmission still finds the row.
--    Profile and link keys carry a fresh GUID per change and are never looked up, so they stay as written.
--    Only rows with more separators than their kind's parts need are touched (and parsed): a row whose content is
--    not JSON (quarantined) is left as it is.
ALTER TABLE evidence_log ADD COLUMN chained_key text NULL;

UPDATE evidence_log
SET chained_key = idempotency_key,
    idempotency_key = COALESCE('finding:'
        || replace(replace((content_json::jsonb #>> '{detail,auditId}'), '%', '%25'), ':', '%3A') || ':'
        || replace(replace((content_json::jsonb #>> '{detail,findingId}'), '%', '%25'), ':', '%3A'), idempotency_key)
WHERE kind = 'finding' AND chained_key IS NULL
  AND length(idempotency_key) - length(replace(idempotency_key, ':', '')) > 2
  AND content_json LIKE '{%}';

UPDATE evidence_log
SET chained_key = idempotency_key,
    idempotency_key = COALESCE('finding-status:'
        || replace(replace((content_json::jsonb ->> 'auditId'), '%', '%25'), ':', '%3A') || ':'
        || replace(replace((content_json::jsonb ->> 'findingId'), '%', '%25'), ':', '%3A')
        || substr(idempotency_key, length('finding-status:' || (content_json::jsonb ->> 'auditId') || ':' || (content_json::jsonb ->> 'findingId')) + 1), idempotency_key)
WHERE kind = 'finding-status' AND chained_key IS NULL
  AND length(idempotency_key) - length(replace(idempotency_key, ':', '')) > 4
  AND content_json LIKE '{%}';

UPDATE evidence_log
SET chained_key = idempotency_key,
    idempotency_key = COALESCE('grievance:' || replace(replace((content_json::jsonb #>> '{detail,grievanceId}'), '%', '%25'), ':', '%3A'), idempotency_key)
WHERE kind = 'grievance' AND chained_key IS NULL
  AND length(idempotency_key) - length(replace(idempotency_key, ':', '')) > 1
  AND content_json LIKE '{%}';

UPDATE evidence_log
SET chained_key = idempotency_key,
    idempotency_key = COALESCE('grievance-status:'
        || replace(replace((content_json::jsonb ->> 'grievanceId'), '%', '%25'), ':', '%3A')
        || substr(idempotency_key, length('grievance-status:' || (content_json::jsonb ->> 'grievanceId')) + 1), idempotency_key)
WHERE kind = 'grievance-status' AND chained_key IS NULL
  AND length(idempotency_key) - length(replace(idempotency_key, ':', '')) > 3
  AND content_json LIKE '{%}';

UPDATE evidence_log
SET chained_key = idempotency_key,
    idempotency_key = COALESCE('fee:' || replace(replace((content_json::jsonb #>> '{detail,reportId}'), '%', '%25'), ':', '%3A'), idempotency_key)
WHERE kind = 'fee-report' AND chained_key IS NULL
  AND length(idempotency_key) - length(replace(idempotency_key, ':', '')) > 1
  AND content_json LIKE '{%}';

-- A row whose content did not yield its parts (no such field) kept its key: it has nothing to chain apart.
UPDATE evidence_log SET chained_key = NULL WHERE chained_key = idempotency_key;

-- 2. Grievance text MAC. The evidence log used to hold an unsalted SHA-256 of narrative and contact (a phone number
--    falls to a few thousand guesses); new rows hold none. The vault keeps an HMAC-SHA256 of the text instead, under a
--    service key from confidential_mac_keys (each key stored encrypted with Data Protection, rotated; text_mac names
--    the key it was made with), and a resubmission's text is compared by that MAC.
ALTER TABLE grievance_confidential ADD COLUMN text_mac text NULL;

CREATE TABLE confidential_mac_keys
(
    key_id        TEXT NOT NULL PRIMARY KEY,
    protected_key TEXT NOT NULL,
    created_at    timestamptz NOT NULL
);
