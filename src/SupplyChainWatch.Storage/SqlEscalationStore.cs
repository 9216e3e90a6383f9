using System.Data.Common;
using System.Globalization;
using System.Text;

namespace SupplyChainWatch.Storage;

/// <summary>
/// <see cref="IEscalationStore"/> over SQLite or PostgreSQL. Adds are group-committed; an event whose id is already stored is
/// ignored (replays never duplicate). Listing pages by the monotonic <c>seq</c>. On PostgreSQL, identity values of
/// transactions committing out of order can become visible late, so a cursor is a reading position, not an outbox:
/// delivery uses its own table.
/// </summary>
public sealed class SqlEscalationStore : IEscalationStore, IAsyncDisposable
{
    public const int MaxLimit = 500;
    private const int RowsPerInsert = 500; // SQLite's multi-row VALUES lists; PostgreSQL takes arrays.

    private readonly StorageDatabase _database;
    private readonly GroupCommitQueue<AddRequest> _queue;
    private readonly SqlWebhookStore? _webhooks;

    /// <param name="database">The store's database.</param>
    /// <param name="webhooks">When given, each new event gets its webhook outbox rows in the same transaction.</param>
    public SqlEscalationStore(StorageDatabase database, SqlWebhookStore? webhooks = null)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _webhooks = webhooks;
        _queue = new GroupCommitQueue<AddRequest>(WriteBatchAsync, static (request, error) => request.Completion.TrySetException(error), 256);
    }

    public Task AddAsync(IReadOnlyList<StoredEscalation> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e);
            ArgumentException.ThrowIfNullOrWhiteSpace(e.EventId, nameof(events));
        }

        var request = new AddRequest(events.ToArray(), new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Enqueue(request);
        return request.Completion.Task.WaitAsync(cancellationToken);
    }

    public async Task<EscalationPage> ListAsync(EscalationQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, MaxLimit);
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null, "");
        var sql = new StringBuilder("SELECT seq, event_id, type, subject_id, subject_seq, created_at, payload_json, withdrawn_at FROM escalation_events WHERE seq > @after");
        if (!query.IncludeWithdrawn)
        {
            sql.Append(" AND withdrawn_at IS NULL");
        }

        StorageDatabase.AddParameter(command, "@after", query.Cursor is null ? 0L : ParseCursor(query.Cursor));
        if (query.SubjectId is not null)
        {
            sql.Append(" AND subject_id = @subject");
            StorageDatabase.AddParameter(command, "@subject", query.SubjectId);
        }

        if (query.Type is not null)
        {
            sql.Append(" AND type = @type");
            StorageDatabase.AddParameter(command, "@type", query.Type);
        }

        sql.Append(" ORDER BY seq LIMIT @limit;");
        StorageDatabase.AddParameter(command, "@limit", limit + 1);
        command.CommandText = sql.ToString();

        var items = new List<(long Seq, StoredEscalation Event)>(limit + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add((reader.GetInt64(0), new StoredEscalation(
                    reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), _database.ReadTimestamp(reader, 5), reader.GetString(6),
                    reader.IsDBNull(7) ? null : _database.ReadTimestamp(reader, 7))));
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = Cursor.EscalationPage(items[^1].Seq);
        }

        return new EscalationPage(items.Select(i => i.Event).ToArray(), next);
    }

    /// <summary>
    /// Events after store position <paramref name="afterSeq"/> (0: from the start), oldest first, each with its position:
    /// the durable ids of the live event stream. A negative <paramref name="afterSeq"/> answers only the latest position
    /// (an empty list, with <c>Last</c> set), so a new reader starts at the end.
    /// </summary>
    public async Task<(IReadOnlyList<(long Seq, StoredEscalation Event)> Items, long Last)> ReadAfterAsync(long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null, "");
        if (afterSeq < 0)
        {
            command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM escalation_events;";
            var last = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
            return ([], last);
        }

        command.CommandText = "SELECT seq, event_id, type, subject_id, subject_seq, created_at, payload_json, withdrawn_at FROM escalation_events " +
            "WHERE seq > @after AND withdrawn_at IS NULL ORDER BY seq LIMIT @limit;";
        StorageDatabase.AddParameter(command, "@after", afterSeq);
        StorageDatabase.AddParameter(command, "@limit", Math.Clamp(limit, 1, MaxLimit));
        var items = new List<(long Seq, StoredEscalation Event)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add((reader.GetInt64(0), new StoredEscalation(
                    reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), _database.ReadTimestamp(reader, 5), reader.GetString(6),
                    reader.IsDBNull(7) ? null : _database.ReadTimestamp(reader, 7))));
            }
        }

        return (items, items.Count > 0 ? items[^1].Seq : afterSeq);
    }

    public async Task WithdrawAsync(IReadOnlyList<string> eventIds, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        if (eventIds.Count == 0)
        {
            return;
        }

        // Rare (a false alarm disproved by later evidence), so a plain write rather than a group-committed one.
        await _database.WriteAsync((connection, transaction) => WithdrawInAsync(connection, transaction, eventIds, at), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As <see cref="WithdrawAsync"/>, inside the caller's transaction.</summary>
    internal async Task<int> WithdrawInAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<string> eventIds, DateTimeOffset at)
    {
        if (eventIds.Count == 0)
        {
            return 0;
        }

        await using var command = StorageDatabase.CreateCommand(connection, transaction, "");
        var sql = new StringBuilder("UPDATE escalation_events SET withdrawn_at = @at WHERE withdrawn_at IS NULL AND event_id IN (");
        StorageDatabase.AddParameter(command, "@at", _database.TimestampParameter(at));
        for (var i = 0; i < eventIds.Count; i++)
        {
            var name = "@id" + i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "" : ", ").Append(name);
            StorageDatabase.AddParameter(command, name, eventIds[i]);
        }

        command.CommandText = sql.Append(");").ToString();
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private static long ParseCursor(string cursor)
    {
        return Cursor.TryReadEscalationPage(cursor, out var seq) ? seq : throw new ArgumentException("The cursor " + Cursor.Rule + ".", nameof(cursor));
    }

    private async Task WriteBatchAsync(IReadOnlyList<AddRequest> batch)
    {
        var rows = batch.SelectMany(r => r.Events).ToList();
        var outboxRows = await _database.WriteAsync((connection, transaction) => InsertInAsync(connection, transaction, rows), CancellationToken.None).ConfigureAwait(false);
        NotifyOutbox(outboxRows);
        foreach (var request in batch)
        {
            request.Completion.TrySetResult();
        }
    }

    /// <summary>Wakes the webhook dispatcher once outbox rows written by <see cref="InsertInAsync"/> are committed.</summary>
    internal void NotifyOutbox(int outboxRows)
    {
        if (outboxRows > 0)
        {
            _webhooks?.NotifyEnqueued();
        }
    }

    /// <summary>
    /// Inserts events inside the caller's transaction (an id already stored is ignored) with the outbox rows of the events
    /// stored just now; returns how many outbox rows were written (pass it to <see cref="NotifyOutbox"/> after the commit).
    /// </summary>
    internal async Task<int> InsertInAsync(DbConnection connection, DbTransaction transaction, List<StoredEscalation> rows)
    {
        if (rows.Count == 0)
        {
            return 0;
        }

        var inserted = new HashSet<string>(StringComparer.Ordinal);
        if (_database.IsPostgreSql)
        {
            await InsertArraysAsync(connection, transaction, rows, inserted).ConfigureAwait(false);
        }
        else
        {
            for (var offset = 0; offset < rows.Count; offset += RowsPerInsert)
            {
                await InsertChunkAsync(connection, transaction, rows.GetRange(offset, Math.Min(RowsPerInsert, rows.Count - offset)), inserted).ConfigureAwait(false);
            }
        }

        if (_webhooks is null || inserted.Count == 0)
        {
            return 0;
        }

        // Only events stored just now (a replayed event was ignored above and gets no second delivery); the first
        // occurrence of an id within the batch is the one stored.
        var fresh = rows.Where(r => inserted.Remove(r.EventId)).ToList();
        return await _webhooks.EnqueueAsync(connection, transaction, fresh).ConfigureAwait(false);
    }

    /// <summary>PostgreSQL: one statement over six array parameters (see <see cref="SqlEvidenceLog"/> for why).</summary>
    private static async Task InsertArraysAsync(DbConnection connection, DbTransaction transaction, List<StoredEscalation> rows, HashSet<string> inserted)
    {
        await using var command = StorageDatabase.CreateCommand(connection, transaction,
            "INSERT INTO escalation_events (event_id, type, subject_id, subject_seq, created_at, payload_json) " +
            "SELECT * FROM unnest(@ids::text[], @types::text[], @subjects::text[], @seqs::bigint[], @ats::timestamptz[], @payloads::text[]) " +
            "ON CONFLICT (event_id) DO NOTHING RETURNING event_id;");
        StorageDatabase.AddParameter(command, "@ids", rows.Select(r => r.EventId).ToArray());
        StorageDatabase.AddParameter(command, "@types", rows.Select(r => r.Type).ToArray());
        StorageDatabase.AddParameter(command, "@subjects", rows.Select(r => r.SubjectId).ToArray());
        StorageDatabase.AddParameter(command, "@seqs", rows.Select(r => r.SubjectSeq).ToArray());
        StorageDatabase.AddParameter(command, "@ats", rows.Select(r => StorageDatabase.Normalize(r.CreatedAt)).ToArray());
        StorageDatabase.AddParameter(command, "@payloads", rows.Select(r => r.PayloadJson).ToArray());
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            inserted.Add(reader.GetString(0));
        }
    }

    private async Task InsertChunkAsync(DbConnection connection, DbTransaction transaction, List<StoredEscalation> rows, HashSet<string> inserted)
    {
        await using var command = StorageDatabase.CreateCommand(connection, transaction, "");
        var sql = new StringBuilder("INSERT INTO escalation_events (event_id, type, subject_id, subject_seq, created_at, payload_json) VALUES ");
        for (var i = 0; i < rows.Count; i++)
        {
            var p = "@e" + i.ToString(CultureInfo.InvariantCulture) + "_";
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({p}id, {p}type, {p}subject, {p}seq, {p}at, {p}payload)");
            var row = rows[i];
            StorageDatabase.AddParameter(command, p + "id", row.EventId);
            StorageDatabase.AddParameter(command, p + "type", row.Type);
            StorageDatabase.AddParameter(command, p + "subject", row.SubjectId);
            StorageDatabase.AddParameter(command, p + "seq", row.SubjectSeq);
            StorageDatabase.AddParameter(command, p + "at", _database.TimestampParameter(row.CreatedAt));
            StorageDatabase.AddParameter(command, p + "payload", row.PayloadJson);
        }

        // Duplicates (replays, or the same id twice in one batch) are ignored; the first stored row stays.
        sql.Append(" ON CONFLICT (event_id) DO NOTHING RETURNING event_id;");
        command.CommandText = sql.ToString();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            inserted.Add(reader.GetString(0));
        }
    }

    private sealed record AddRequest(StoredEscalation[] Events, TaskCompletionSource Completion);
}
