namespace SupplyChainWatch.Storage;

/// <summary>One row to append to the evidence log: one signal (or lifecycle change) as it concerns one subject.</summary>
/// <param name="SubjectId">Prefixed subject key, e.g. <c>sup:acme-1</c> or <c>rec:fast-jobs</c>.</param>
/// <param name="IdempotencyKey">Submitter's key, e.g. <c>finding:A1:F1</c>, <c>grievance:G1</c>, <c>fee:R1</c>. Unique per subject.</param>
/// <param name="Kind">What the content is: <c>profile</c>, <c>link</c>, <c>finding</c>, <c>finding-status</c>, <c>grievance</c>, <c>grievance-status</c>, <c>fee-report</c>.</param>
/// <param name="ContentJson">Canonical JSON of the content; its SHA-256 is the content hash that decides duplicate vs conflict.</param>
/// <param name="OccurredAt">The instant the content speaks of (used for "as of" replay).</param>
/// <param name="Parsed">
/// The record <paramref name="ContentJson"/> was serialised from, when the caller has it: never stored, only handed on
/// (with the row) to the subject's grain in the same process, so the grain does not parse the JSON the caller just wrote.
/// </param>
public sealed record EvidenceAppend(string SubjectId, string IdempotencyKey, string Kind, string ContentJson, DateTimeOffset OccurredAt, object? Parsed = null);

/// <summary>
/// A stored evidence-log row. <see cref="SubjectSeq"/> is contiguous per subject (1, 2, 3, …). The log's global position
/// (its <c>seq</c> column) is not part of it: nothing reads it, and leaving it out lets an append write without reading
/// back what it wrote.
/// </summary>
public sealed record EvidenceRow(
    string SubjectId,
    long SubjectSeq,
    string IdempotencyKey,
    string Kind,
    string ContentJson,
    string ContentHash,
    string PreviousHash,
    string RowHash,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt)
{
    /// <summary>
    /// The key as the row hash covers it, when schema version 8 re-encoded <see cref="IdempotencyKey"/> (ids containing
    /// <c>:</c> made ambiguous keys before it); null for every row written since, whose two keys are one.
    /// </summary>
    public string? ChainedKey { get; init; }

    /// <summary>The key the row hash was computed over: what verification must use.</summary>
    public string HashedKey => ChainedKey ?? IdempotencyKey;
}

public enum AppendOutcome
{
    /// <summary>Every row was new and is now durable.</summary>
    Appended,
    /// <summary>Every row already existed with the same content: nothing written, existing rows returned.</summary>
    Duplicate,
    /// <summary>Some rows existed, same content; the others were appended.</summary>
    PartlyDuplicate,
    /// <summary>At least one key exists for that subject with different content: nothing written.</summary>
    Conflict,
}

/// <param name="Outcome">What happened to the submission as a whole.</param>
/// <param name="Rows">For Appended/Duplicate/PartlyDuplicate: the rows as stored (new and existing), in request order. For Conflict: empty.</param>
/// <param name="ConflictingKeys">For Conflict: the idempotency keys whose stored content differs.</param>
public sealed record AppendResult(AppendOutcome Outcome, IReadOnlyList<EvidenceRow> Rows, IReadOnlyList<string> ConflictingKeys);

public sealed record ChainVerification(string SubjectId, long RowsChecked, bool Valid, long? FirstBrokenSubjectSeq);

/// <summary>
/// The append-only, hash-chained system of record. Implementations make an append durable (committed)
/// before the returned task completes, group concurrent appends into batched transactions, and keep one
/// hash chain per subject: row_hash = SHA-256(previous_hash | subject | subject_seq | key | kind | content_hash).
/// </summary>
public interface IEvidenceLog
{
    /// <summary>Appends all rows of one submission atomically: all are written or none.</summary>
    Task<AppendResult> AppendAsync(IReadOnlyList<EvidenceAppend> rows, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends many submissions at once (bulk import): each one is atomic and judged on its own exactly as
    /// <see cref="AppendAsync"/> judges it, but they share large batched transactions. Results are in input order.
    /// </summary>
    Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<IReadOnlyList<EvidenceAppend>> submissions, CancellationToken cancellationToken = default);

    /// <summary>Rows of one subject with SubjectSeq greater than <paramref name="afterSubjectSeq"/>, in order.</summary>
    Task<IReadOnlyList<EvidenceRow>> ReadSubjectAsync(string subjectId, long afterSubjectSeq, CancellationToken cancellationToken = default);

    /// <summary>All rows stored under one idempotency key (one per subject it concerned).</summary>
    Task<IReadOnlyList<EvidenceRow>> FindByKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default);

    /// <summary>Recomputes every hash of the subject's chain.</summary>
    Task<ChainVerification> VerifyChainAsync(string subjectId, CancellationToken cancellationToken = default);

    /// <summary>Distinct subjects that have rows (for re-scoring and verification).</summary>
    Task<IReadOnlyList<string>> ListSubjectsAsync(CancellationToken cancellationToken = default);

    Task<long> CountAsync(CancellationToken cancellationToken = default);
}

/// <summary>One row per subject for list and filter queries. Never holds grievance narratives or worker identities.</summary>
public sealed record SubjectSummary(
    string SubjectId,
    string SubjectType,
    string? Name,
    string? Country,
    string? Sector,
    int Score,
    string Band,
    string ForcedLabour,
    DateTimeOffset UpdatedAt);

public sealed record SubjectQuery(
    string SubjectType,
    string? Country,
    string? Sector,
    string? Band,
    int? MinScore,
    bool SortByScoreDescending,
    int Limit,
    string? Cursor,
    // true: only subjects with a profile; false: only those known from evidence alone (a mistyped id makes one).
    bool? HasProfile = null);

/// <summary>How many subjects of one country, sector and band the read model holds.</summary>
public sealed record SubjectCount(string? Country, string? Sector, string Band, int Count);

public sealed record SubjectPage(IReadOnlyList<SubjectSummary> Items, string? NextCursor);

public interface IReadModelStore
{
    /// <summary>Queues an upsert; implementations batch writes. The returned task completes when written.</summary>
    Task UpsertAsync(SubjectSummary summary, CancellationToken cancellationToken = default);

    Task<SubjectPage> QueryAsync(SubjectQuery query, CancellationToken cancellationToken = default);
}

/// <summary>An escalation event as stored. <see cref="EventId"/> is deterministic (subject + log sequence + rule).</summary>
public sealed record StoredEscalation(
    string EventId,
    string Type,
    string SubjectId,
    long SubjectSeq,
    DateTimeOffset CreatedAt,
    string PayloadJson,
    DateTimeOffset? WithdrawnAt = null)
{
    /// <summary>
    /// The data as webhook deliveries (NGO subscribers) may carry it, when the grievance consent behind the event lets
    /// them see less than <see cref="PayloadJson"/> (the escalation list's copy); null when both are the same. Not stored
    /// with the event: it goes into the outbox rows' bodies written in the same transaction.
    /// </summary>
    public string? WebhookPayloadJson { get; init; }
}

/// <summary>A page request over escalation events; unless <c>IncludeWithdrawn</c>, events withdrawn as false alarms are left out.</summary>
public sealed record EscalationQuery(string? SubjectId, string? Type, int Limit, string? Cursor, bool IncludeWithdrawn = false);

public sealed record EscalationPage(IReadOnlyList<StoredEscalation> Items, string? NextCursor);

public interface IEscalationStore
{
    /// <summary>Stores events durably; an event whose id exists is ignored (replays never duplicate).</summary>
    Task AddAsync(IReadOnlyList<StoredEscalation> events, CancellationToken cancellationToken = default);

    Task<EscalationPage> ListAsync(EscalationQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Marks stored events withdrawn at <paramref name="at"/> (false alarms the later evidence disproved). Ids not stored,
    /// or already withdrawn, are left as they are, so repeating a withdrawal changes nothing.
    /// </summary>
    Task WithdrawAsync(IReadOnlyList<string> eventIds, DateTimeOffset at, CancellationToken cancellationToken = default);
}
