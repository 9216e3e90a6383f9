-- SupplyChainWatch: Orleans ADO.NET tables and query texts for SQLite (grain state + reminders).
-- Written for the Orleans 10.4.2 ADO.NET contract: the providers read "SELECT QueryKey, QueryText FROM OrleansQuery"
-- at start-up, bind @-named parameters and read result columns by name.
-- SQLite has no stored procedures, so each text is one or more plain statements; results are read from
-- every statement's result set in order.

CREATE TABLE OrleansQuery
(
    QueryKey  TEXT NOT NULL PRIMARY KEY,
    QueryText TEXT NOT NULL
);

-- Grain state. Orleans identifies a row by (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString,
-- GrainIdExtensionString, ServiceId). The stock scripts only index the two hashes; we make the natural key unique so a
-- race between two first writes (ETag NULL) cannot create two rows. GrainIdExtensionString may be NULL and NULLs are
-- distinct in a unique index, hence the ifnull() plus IS NULL pair: NULL and '' stay different keys.
CREATE TABLE OrleansStorage
(
    GrainIdHash            INTEGER NOT NULL,
    GrainIdN0              INTEGER NOT NULL,
    GrainIdN1              INTEGER NOT NULL,
    GrainTypeHash          INTEGER NOT NULL,
    GrainTypeString        TEXT    NOT NULL,
    GrainIdExtensionString TEXT    NULL,
    ServiceId              TEXT    NOT NULL,
    PayloadBinary          BLOB    NULL,
    ModifiedOn             TEXT    NOT NULL,
    Version                INTEGER NULL
);

CREATE UNIQUE INDEX UX_OrleansStorage_Key ON OrleansStorage
(
    GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString,
    ifnull(GrainIdExtensionString, ''), (GrainIdExtensionString IS NULL), ServiceId
);

-- Write contract: one row with column NewGrainStateVersion.
--   success           -> the new version (old + 1, or 1 for a first write);
--   version mismatch  -> the caller's version unchanged (Orleans compares it with the ETag and throws InconsistentStateException);
--   first write lost a race (ETag NULL, row exists) -> no row (NULL equals the NULL ETag: also InconsistentStateException).
-- Statement order matters: changes() in the second statement reports the UPDATE of the first.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = @PayloadBinary,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''),
    Version = Version + 1
WHERE @GrainStateVersion IS NOT NULL
  AND GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

SELECT @GrainStateVersion AS NewGrainStateVersion
WHERE @GrainStateVersion IS NOT NULL AND changes() = 0;

INSERT INTO OrleansStorage
    (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, @GrainIdExtensionString, @ServiceId, @PayloadBinary,
       strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''), 1
WHERE @GrainStateVersion IS NULL
ON CONFLICT DO NOTHING
RETURNING Version AS NewGrainStateVersion;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId
LIMIT 1;
');

-- Clear keeps the row (payload NULL, version + 1) so the version history stays monotonic; same result contract as write.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
UPDATE OrleansStorage
SET PayloadBinary = NULL,
    ModifiedOn = strftime(''%Y-%m-%dT%H:%M:%fZ'', ''now''),
    Version = Version + 1
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS @GrainIdExtensionString
  AND ServiceId = @ServiceId
  AND Version = @GrainStateVersion
RETURNING Version AS NewGrainStateVersion;

SELECT @GrainStateVersion AS NewGrainStateVersion
WHERE @GrainStateVersion IS NOT NULL AND changes() = 0;
');

-- Reminders. GrainHash is the grain's uniform hash stored as a signed 32-bit integer; range queries compare signed values
-- (Orleans picks ReadRangeRows1Key when (int)begin < (int)end, ReadRangeRows2Key for the wrapping range).
CREATE TABLE OrleansRemindersTable
(
    ServiceId    TEXT    NOT NULL,
    GrainId      TEXT    NOT NULL,
    ReminderName TEXT    NOT NULL,
    StartTime    TEXT    NOT NULL,
    Period       INTEGER NOT NULL,
    GrainHash    INTEGER NOT NULL,
    Version      INTEGER NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IX_OrleansRemindersTable_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);

-- Result: column Version, the row's new ETag.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
INSERT INTO OrleansRemindersTable (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE SET
    StartTime = excluded.StartTime,
    Period = excluded.Period,
    GrainHash = excluded.GrainHash,
    Version = OrleansRemindersTable.Version + 1
RETURNING Version;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowsKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadReminderRowKey', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows1Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadRangeRows2Key', '
SELECT GrainId, ReminderName, StartTime, Period, Version
FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash);
');

-- Result: one row, one column, non-zero when the row with that ETag was deleted.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
DELETE FROM OrleansRemindersTable
WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version;

SELECT changes() AS Deleted;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
');
