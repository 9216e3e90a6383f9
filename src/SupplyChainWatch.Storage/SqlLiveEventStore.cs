using System.Data.Common;
using System.Globalization;
using System.Text;

namespace SupplyChainWatch.Storage;

/// <summary>One event of the live stream as stored: its type, subject, instant and payload (ids, scores and codes only).</summary>
public sealed record LiveEventRecord(string Type, string SubjectId, DateTimeOffset At, string PayloadJson);

/// <summary>
/// The durable positions of the live event stream: risk changes and escalations in one sequence, appended with the
/// derived views of the turn that raised them (see <see cref="SqlDerivedStore"/>) before they are published, so that an SSE client reconnecting with
/// <c>Last-Event-ID</c> reads what it missed from here. Rows older than <see cref="Retention"/> are pruned.
/// On PostgreSQL, identity values of transactions committing out of order can become visible late (as for escalations):
/// a client resuming in that instant may miss such a row.
/// </summary>
public sealed class SqlLiveEventStore
{
    /// <summary>How long events stay resumable.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public const int MaxLimit = 5000;
    private const int RowsPerInsert = 200;
    private const int PruneEveryBatches = 256;

    private readonly StorageDatabase _database;
    private int _batches;

    public SqlLiveEventStore(StorageDatabase database)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
    }

    /// <summary>
    /// Events after position <paramref name="afterSeq"/>, oldest first, at most <paramref name="limit"/>; <c>Pruned</c> when
    /// events after it are gone (older than the retention), so the reader missed some that cannot be replayed.
    /// </summary>
    public async Task<(IReadOnlyList<(long Seq, LiveEventRecord Event)> Items, bool Pruned)> ReadAfterAsync(long afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT seq, type, subject_id, at, payload_json FROM live_events WHERE seq > @after ORDER BY seq LIMIT @limit;");
        StorageDatabase.AddParameter(command, "@after", afterSeq);
        StorageDatabase.AddParameter(command, "@limit", Math.Clamp(limit, 1, MaxLimit));
        var items = new List<(long, LiveEventRecord)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add((reader.GetInt64(0), new LiveEventRecord(reader.GetString(1), reader.GetString(2), _database.ReadTimestamp(reader, 3), reader.GetString(4))));
            }
        }

        // Positions are dense but for pruning (and rare rolled-back identities): a first row beyond the next position, or
        // none at all below a newer one, means the reader's next events were pruned.
        await using var oldest = StorageDatabase.CreateCommand(connection, null, "SELECT MIN(seq) FROM live_events;");
        await using var bounds = await oldest.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var pruned = false;
        if (await bounds.ReadAsync(cancellationToken).ConfigureAwait(false) && !bounds.IsDBNull(0))
        {
            pruned = afterSeq + 1 < bounds.GetInt64(0);
        }

        return (items, pruned);
    }

    /// <summary>
    /// Inserts the events inside the caller's transaction (the derived writer's, so an event is durable exactly when the
    /// derived views of its turn are) and answers their positions in order; now and then prunes what is past retention.
    /// </summary>
    internal async Task<List<long>> InsertInAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LiveEventRecord> events)
    {
        var rows = events as List<LiveEventRecord> ?? [.. events];
        var assigned = new List<long>(rows.Count);
        if (rows.Count == 0)
        {
            return assigned;
        }

        for (var offset = 0; offset < rows.Count; offset += RowsPerInsert)
        {
            assigned.AddRange(await InsertChunkAsync(connection, transaction, rows.GetRange(offset, Math.Min(RowsPerInsert, rows.Count - offset))).ConfigureAwait(false));
        }

        if (Interlocked.Increment(ref _batches) % PruneEveryBatches == 1)
        {
            await using var delete = StorageDatabase.CreateCommand(connection, transaction, "DELETE FROM live_events WHERE at < @cutoff;");
            // On the events' own clock (the service clock they were stamped with): a day before the newest of them.
            StorageDatabase.AddParameter(delete, "@cutoff", _database.TimestampParameter(rows.Max(r => r.At) - Retention));
            await delete.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        return assigned;
    }

    private async Task<List<long>> InsertChunkAsync(DbConnection connection, DbTransaction transaction, List<LiveEventRecord> rows)
    {
        await using var command = StorageDatabase.CreateCommand(connection, transaction, "");
        var sql = new StringBuilder("INSERT INTO live_events (type, subject_id, at, payload_json) VALUES ");
        for (var i = 0; i < rows.Count; i++)
        {
            var p = "@l" + i.ToString(CultureInfo.InvariantCulture) + "_";
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({p}type, {p}subject, {p}at, {p}payload)");
            StorageDatabase.AddParameter(command, p + "type", rows[i].Type);
            StorageDatabase.AddParameter(command, p + "subject", rows[i].SubjectId);
            StorageDatabase.AddParameter(command, p + "at", _database.TimestampParameter(rows[i].At));
            StorageDatabase.AddParameter(command, p + "payload", rows[i].PayloadJson);
        }

        command.CommandText = sql.Append(" RETURNING seq;").ToString();
        var seqs = new List<long>(rows.Count);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            seqs.Add(reader.GetInt64(0));
        }

        // Identities are assigned in VALUES order within the statement; RETURNING's row order is not promised, so sort.
        seqs.Sort();
        return seqs;
    }

}
