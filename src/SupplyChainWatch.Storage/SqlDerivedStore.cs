using System.Data.Common;
using System.Globalization;
using System.Text;

namespace SupplyChainWatch.Storage;

/// <summary>How far a subject's evidence log is derived (see <see cref="IDerivedStore"/>).</summary>
/// <param name="DerivedSeq">Subject sequence of the last log row whose consequences are stored.</param>
/// <param name="Revision">Re-evaluations without new evidence counted by then (part of escalation ids).</param>
/// <param name="BasisJson">The evaluation the consequences were derived from, as the subject grain serialises it; null when unknown.</param>
public sealed record DerivedMark(long DerivedSeq, long Revision, string? BasisJson);

/// <summary>Everything one grain turn derived from the log up to <paramref name="DerivedSeq"/>, written in one transaction.</summary>
/// <param name="SubjectId">Prefixed subject key.</param>
/// <param name="DerivedSeq">Subject sequence the consequences are derived up to (the new mark).</param>
/// <param name="Revision">See <see cref="DerivedMark.Revision"/>.</param>
/// <param name="BasisJson">See <see cref="DerivedMark.BasisJson"/>.</param>
/// <param name="Escalations">New escalation events (deterministic ids: a replayed one is ignored and not delivered again).</param>
/// <param name="Withdrawals">Ids of overdue events the evidence disproved.</param>
/// <param name="At">The instant of the turn (withdrawal time).</param>
/// <param name="Summary">The read-model row.</param>
public sealed record DerivedWrite(
    string SubjectId, long DerivedSeq, long Revision, string? BasisJson, IReadOnlyList<StoredEscalation> Escalations, IReadOnlyList<string> Withdrawals,
    DateTimeOffset At, SubjectSummary Summary)
{
    /// <summary>The turn's live events (risk change, new escalations), stored in the same transaction and published after it.</summary>
    public IReadOnlyList<LiveEventRecord> LiveEvents { get; init; } = [];
}

/// <summary>
/// The derived views of the evidence log and the durable high-water mark of what was derived. A write stores a turn's
/// escalations (with their webhook outbox rows), withdrawals, read-model row and mark in one transaction, so a mark never
/// claims consequences that are not stored and stored consequences are never derived twice.
/// </summary>
public interface IDerivedStore
{
    /// <summary>
    /// Queues a write; writes are coalesced into batched transactions. The task completes once it is durable, with the
    /// positions its live events were given (in order).
    /// </summary>
    Task<IReadOnlyList<long>> WriteAsync(DerivedWrite write, CancellationToken cancellationToken = default);

    Task<DerivedMark?> ReadMarkAsync(string subjectId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Subjects with evidence-log rows after global position <paramref name="afterSeq"/> that their mark does not cover,
    /// and the highest global position looked at (pass it next time to look only at newer rows).
    /// </summary>
    Task<(IReadOnlyList<string> Subjects, long ThroughSeq)> ListBehindAsync(long afterSeq, CancellationToken cancellationToken = default);
}

/// <summary><see cref="IDerivedStore"/> over SQLite or PostgreSQL, group-committed.</summary>
public sealed class SqlDerivedStore : IDerivedStore, IAsyncDisposable
{
    private const int RowsPerInsert = 500;

    private readonly StorageDatabase _database;
    private readonly SqlEscalationStore _escalations;
    private readonly SqlReadModelStore _readModel;
    private readonly SqlLiveEventStore _liveEvents;
    private readonly GroupCommitQueue<WriteRequest> _queue;

    /// <param name="database">The store's database.</param>
    /// <param name="escalations">Writes events and their outbox rows inside the batch's transaction.</param>
    /// <param name="readModel">Writes read-model rows inside the batch's transaction.</param>
    /// <param name="liveEvents">Writes live events inside the batch's transaction.</param>
    /// <param name="linger">How long a batch gathers (see <see cref="StorageOptions.DerivedWriteDelay"/>).</param>
    public SqlDerivedStore(StorageDatabase database, SqlEscalationStore escalations, SqlReadModelStore readModel, SqlLiveEventStore liveEvents, TimeSpan linger = default)
    {
        _liveEvents = liveEvents ?? throw new ArgumentNullException(nameof(liveEvents));
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _escalations = escalations ?? throw new ArgumentNullException(nameof(escalations));
        _readModel = readModel ?? throw new ArgumentNullException(nameof(readModel));
        _queue = new GroupCommitQueue<WriteRequest>(WriteBatchAsync, static (request, error) => request.Completion.TrySetException(error), 1024, linger);
    }

    public Task<IReadOnlyList<long>> WriteAsync(DerivedWrite write, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentException.ThrowIfNullOrWhiteSpace(write.SubjectId, nameof(write));
        var request = new WriteRequest(write, new TaskCompletionSource<IReadOnlyList<long>>(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Enqueue(request);
        return request.Completion.Task.WaitAsync(cancellationToken);
    }

    public async Task<DerivedMark?> ReadMarkAsync(string subjectId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectId);
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null, "SELECT derived_seq, revision, basis_json FROM derived_marks WHERE subject_id = @subject;");
        StorageDatabase.AddParameter(command, "@subject", subjectId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new DerivedMark(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2))
            : null;
    }

    public async Task<(IReadOnlyList<string> Subjects, long ThroughSeq)> ListBehindAsync(long afterSeq, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        long through;
        await using (var head = StorageDatabase.CreateCommand(connection, null, "SELECT coalesce(max(seq), 0) FROM evidence_log;"))
        {
            through = Convert.ToInt64(await head.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }

        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT e.subject_id FROM evidence_log e LEFT JOIN derived_marks m ON m.subject_id = e.subject_id" +
            " WHERE e.seq > @after AND e.seq <= @through GROUP BY e.subject_id HAVING max(e.subject_seq) > coalesce(max(m.derived_seq), 0) ORDER BY e.subject_id;");
        StorageDatabase.AddParameter(command, "@after", afterSeq);
        StorageDatabase.AddParameter(command, "@through", through);
        var subjects = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            subjects.Add(reader.GetString(0));
        }

        return (subjects, through);
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private async Task WriteBatchAsync(IReadOnlyList<WriteRequest> batch)
    {
        var writes = batch.Select(r => r.Write).ToList();
        var liveSeqs = new List<long>();
        var outboxRows = await _database.WriteAsync(async (connection, transaction) =>
        {
            liveSeqs.Clear(); // A retried transaction starts over.
            liveSeqs.AddRange(await _liveEvents.InsertInAsync(connection, transaction, [.. writes.SelectMany(w => w.LiveEvents)]).ConfigureAwait(false));
            var outbox = await _escalations.InsertInAsync(connection, transaction, [.. writes.SelectMany(w => w.Escalations)]).ConfigureAwait(false);
            foreach (var withdrawn in writes.Where(w => w.Withdrawals.Count > 0))
            {
                await _escalations.WithdrawInAsync(connection, transaction, withdrawn.Withdrawals, withdrawn.At).ConfigureAwait(false);
            }

            await _readModel.UpsertInAsync(connection, transaction, [.. writes.Select(w => w.Summary)]).ConfigureAwait(false);

            // The newest mark per subject (writes of one subject arrive in the order its grain made them).
            var marks = new Dictionary<string, DerivedWrite>(StringComparer.Ordinal);
            foreach (var write in writes)
            {
                marks[write.SubjectId] = write;
            }

            var rows = marks.Values.ToList();
            for (var offset = 0; offset < rows.Count; offset += RowsPerInsert)
            {
                await UpsertMarksAsync(connection, transaction, rows.GetRange(offset, Math.Min(RowsPerInsert, rows.Count - offset))).ConfigureAwait(false);
            }

            return outbox;
        }, CancellationToken.None).ConfigureAwait(false);

        _escalations.NotifyOutbox(outboxRows);
        var next = 0;
        foreach (var request in batch)
        {
            var count = request.Write.LiveEvents.Count;
            request.Completion.TrySetResult(count == 0 ? [] : liveSeqs.GetRange(next, count));
            next += count;
        }
    }

    private async Task UpsertMarksAsync(DbConnection connection, DbTransaction transaction, List<DerivedWrite> rows)
    {
        await using var command = StorageDatabase.CreateCommand(connection, transaction, "");
        var sql = new StringBuilder("INSERT INTO derived_marks (subject_id, derived_seq, revision, basis_json, updated_at) VALUES ");
        for (var i = 0; i < rows.Count; i++)
        {
            var p = "@d" + i.ToString(CultureInfo.InvariantCulture) + "_";
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({p}id, {p}seq, {p}rev, {p}basis, {p}at)");
            var row = rows[i];
            StorageDatabase.AddParameter(command, p + "id", row.SubjectId);
            StorageDatabase.AddParameter(command, p + "seq", row.DerivedSeq);
            StorageDatabase.AddParameter(command, p + "rev", row.Revision);
            StorageDatabase.AddParameter(command, p + "basis", row.BasisJson);
            StorageDatabase.AddParameter(command, p + "at", _database.TimestampParameter(row.At));
        }

        // A mark never moves back: a late write of an older activation (a silo that failed over) leaves a newer one alone.
        sql.Append(" ON CONFLICT (subject_id) DO UPDATE SET derived_seq = excluded.derived_seq, revision = excluded.revision, basis_json = excluded.basis_json,")
            .Append(" updated_at = excluded.updated_at WHERE excluded.derived_seq > derived_marks.derived_seq")
            .Append(" OR (excluded.derived_seq = derived_marks.derived_seq AND excluded.revision >= derived_marks.revision);");
        command.CommandText = sql.ToString();
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private sealed record WriteRequest(DerivedWrite Write, TaskCompletionSource<IReadOnlyList<long>> Completion);
}
