-- SupplyChainWatch: Orleans ADO.NET tables and query texts for PostgreSQL (grain state, reminders, membership).
-- Written for the Orleans 10.4.2 ADO.NET contract: the providers read "SELECT QueryKey, QueryText FROM OrleansQuery"
-- at start-up, bind @-named parameters (Npgsql rewrites them) and read result columns by name (Npgsql falls back to a
-- case-insensitive match, so unquoted lower-case identifiers are fine).
-- Each text is a single statement (CTEs instead of plpgsql functions) so it is atomic without an explicit transaction.
-- Parameters whose type PostgreSQL cannot infer (NULL-able ints in SELECT lists) are CAST explicitly.

CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

-- Grain state. The natural key is unique (the stock script only indexes the two hashes) so a race between two first
-- writes cannot create two rows. GrainIdExtensionString may be NULL and NULLs are distinct in a unique index, hence the
-- COALESCE plus IS NULL pair: NULL and '' stay different keys. Works on PostgreSQL versions without NULLS NOT DISTINCT.
CREATE TABLE OrleansStorage
(
    GrainIdHash            integer      NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainTypeString        varchar(512) NOT NULL,
    GrainIdExtensionString varchar(512) NULL,
    ServiceId              varchar(150) NOT NULL,
    PayloadBinary          bytea        NULL,
    ModifiedOn             timestamptz  NOT NULL,
    Version                integer      NULL
);

CREATE UNIQUE INDEX UX_OrleansStorage_Key ON OrleansStorage
(
    GrainIdHash, GrainTypeHash, GrainIdN0, GrainIdN1, GrainTypeString,
    COALESCE(GrainIdExtensionString, ''), (GrainIdExtensionString IS NULL), ServiceId
);

-- Write contract: one row with column NewGrainStateVersion.
--   success           -> the new version (old + 1, or 1 for a first write);
--   version mismatch  -> the caller's version unchanged (Orleans compares it with the ETag and throws InconsistentStateException);
--   first write lost a race (ETag NULL, row exists) -> no row (NULL equals the NULL ETag: also InconsistentStateException).
-- A concurrent first insert waits on the unique index and then does nothing.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('WriteToStorageKey', '
WITH expected AS (
    SELECT CAST(@GrainStateVersion AS integer) AS version
), updated AS (
    UPDATE OrleansStorage AS s
    SET PayloadBinary = @PayloadBinary, ModifiedOn = now(), Version = s.Version + 1
    FROM expected AS e
    WHERE e.version IS NOT NULL
      AND s.GrainIdHash = @GrainIdHash AND s.GrainTypeHash = @GrainTypeHash
      AND s.GrainIdN0 = @GrainIdN0 AND s.GrainIdN1 = @GrainIdN1
      AND s.GrainTypeString = @GrainTypeString
      AND s.GrainIdExtensionString IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
      AND s.ServiceId = @ServiceId
      AND s.Version = e.version
    RETURNING s.Version
), inserted AS (
    INSERT INTO OrleansStorage
        (GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeHash, GrainTypeString, GrainIdExtensionString, ServiceId, PayloadBinary, ModifiedOn, Version)
    SELECT @GrainIdHash, @GrainIdN0, @GrainIdN1, @GrainTypeHash, @GrainTypeString, CAST(@GrainIdExtensionString AS varchar), @ServiceId,
           @PayloadBinary, now(), 1
    FROM expected AS e
    WHERE e.version IS NULL
    ON CONFLICT DO NOTHING
    RETURNING Version
)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT Version FROM inserted
UNION ALL
SELECT e.version FROM expected AS e WHERE e.version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM updated);
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ReadFromStorageKey', '
SELECT PayloadBinary, Version
FROM OrleansStorage
WHERE GrainIdHash = @GrainIdHash AND GrainTypeHash = @GrainTypeHash
  AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
  AND GrainTypeString = @GrainTypeString
  AND GrainIdExtensionString IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
  AND ServiceId = @ServiceId
LIMIT 1;
');

-- Clear keeps the row (payload NULL, version + 1); same result contract as write.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('ClearStorageKey', '
WITH expected AS (
    SELECT CAST(@GrainStateVersion AS integer) AS version
), updated AS (
    UPDATE OrleansStorage AS s
    SET PayloadBinary = NULL, ModifiedOn = now(), Version = s.Version + 1
    FROM expected AS e
    WHERE s.GrainIdHash = @GrainIdHash AND s.GrainTypeHash = @GrainTypeHash
      AND s.GrainIdN0 = @GrainIdN0 AND s.GrainIdN1 = @GrainIdN1
      AND s.GrainTypeString = @GrainTypeString
      AND s.GrainIdExtensionString IS NOT DISTINCT FROM CAST(@GrainIdExtensionString AS varchar)
      AND s.ServiceId = @ServiceId
      AND s.Version = e.version
    RETURNING s.Version
)
SELECT Version AS NewGrainStateVersion FROM updated
UNION ALL
SELECT e.version FROM expected AS e WHERE e.version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM updated);
');

-- Reminders. GrainHash is the grain's uniform hash stored as a signed 32-bit integer; range queries compare signed values.
CREATE TABLE OrleansRemindersTable
(
    ServiceId    varchar(150) NOT NULL,
    GrainId      varchar(150) NOT NULL,
    ReminderName varchar(150) NOT NULL,
    StartTime    timestamptz  NOT NULL,
    Period       bigint       NOT NULL,
    GrainHash    integer      NOT NULL,
    Version      integer      NOT NULL,
    CONSTRAINT PK_RemindersTable_ServiceId_GrainId_ReminderName PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IX_OrleansRemindersTable_GrainHash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpsertReminderRowKey', '
INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, CAST(@Period AS bigint), @GrainHash, 0)
ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE SET
    StartTime = excluded.StartTime,
    Period = excluded.Period,
    GrainHash = excluded.GrainHash,
    Version = r.Version + 1
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

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowKey', '
WITH deleted AS (
    DELETE FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version
    RETURNING 1
)
SELECT CAST(count(*) AS integer) AS Deleted FROM deleted;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteReminderRowsKey', '
DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId;
');

-- Membership (clustering). One version row per deployment; every membership change bumps it atomically with the
-- row change, and Orleans passes the version it read as @Version (optimistic concurrency).
CREATE TABLE OrleansMembershipVersionTable
(
    DeploymentId varchar(150) NOT NULL,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0,
    CONSTRAINT PK_OrleansMembershipVersionTable_DeploymentId PRIMARY KEY (DeploymentId)
);

CREATE TABLE OrleansMembershipTable
(
    DeploymentId varchar(150)  NOT NULL,
    Address      varchar(45)   NOT NULL,
    Port         integer       NOT NULL,
    Generation   integer       NOT NULL,
    SiloName     varchar(150)  NOT NULL,
    HostName     varchar(150)  NOT NULL,
    Status       integer       NOT NULL,
    ProxyPort    integer       NULL,
    SuspectTimes varchar(8000) NULL,
    StartTime    timestamptz   NOT NULL,
    IAmAliveTime timestamptz   NOT NULL,
    CONSTRAINT PK_MembershipTable_DeploymentId PRIMARY KEY (DeploymentId, Address, Port, Generation),
    CONSTRAINT FK_MembershipTable_MembershipVersionTable_DeploymentId
        FOREIGN KEY (DeploymentId) REFERENCES OrleansMembershipVersionTable (DeploymentId)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateIAmAlivetimeKey', '
UPDATE OrleansMembershipTable
SET IAmAliveTime = @IAmAliveTime
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation;
');

-- Result: one row, one column, non-zero when the version row was created.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipVersionKey', '
WITH inserted AS (
    INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
    ON CONFLICT (DeploymentId) DO NOTHING
    RETURNING 1
)
SELECT CAST(count(*) AS integer) AS Inserted FROM inserted;
');

-- The version bump is the gate: it only happens when @Version is current and the silo row does not exist yet; the
-- row lock on the version row serialises concurrent membership writers.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('InsertMembershipKey', '
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId AND Version = @Version
      AND NOT EXISTS (
          SELECT 1 FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), inserted AS (
    INSERT INTO OrleansMembershipTable
        (DeploymentId, Address, Port, Generation, SiloName, HostName, Status, ProxyPort, StartTime, IAmAliveTime)
    SELECT b.DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM bumped AS b
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT CAST(count(*) AS integer) AS Inserted FROM inserted;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('UpdateMembershipKey', '
WITH bumped AS (
    UPDATE OrleansMembershipVersionTable
    SET Version = Version + 1, Timestamp = now()
    WHERE DeploymentId = @DeploymentId AND Version = @Version
      AND EXISTS (
          SELECT 1 FROM OrleansMembershipTable
          WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
    RETURNING DeploymentId
), updated AS (
    UPDATE OrleansMembershipTable AS m
    SET Status = @Status, SuspectTimes = CAST(@SuspectTimes AS varchar), IAmAliveTime = @IAmAliveTime
    FROM bumped AS b
    WHERE m.DeploymentId = b.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    RETURNING 1
)
SELECT CAST(count(*) AS integer) AS Updated FROM updated;
');

-- The LEFT JOIN returns the version row even when there is no membership row (StartTime NULL means "no entry").
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadRowKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m
       ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
WHERE v.DeploymentId = @DeploymentId;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('MembershipReadAllKey', '
SELECT v.DeploymentId, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
       m.SuspectTimes, m.StartTime, m.IAmAliveTime, v.Version
FROM OrleansMembershipVersionTable AS v
LEFT JOIN OrleansMembershipTable AS m ON m.DeploymentId = v.DeploymentId
WHERE v.DeploymentId = @DeploymentId;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('DeleteMembershipTableEntriesKey', '
DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId;
DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId;
');

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('GatewaysQueryKey', '
SELECT Address, ProxyPort, Generation
FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0;
');

-- Bulk clean-up of silos that stopped heart-beating before @IAmAliveTime and are not Active (3).
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntriesKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3;
');

-- Per-row clean-up: Orleans decided in .NET that this Dead (6) row is old enough and passes the start and heartbeat
-- times it read; the row is deleted only if it is still that same dead row.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES ('CleanupDefunctSiloEntryKey', '
DELETE FROM OrleansMembershipTable
WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
  AND Status = 6 AND StartTime = @StartTime AND IAmAliveTime = @IAmAliveTime;
');
