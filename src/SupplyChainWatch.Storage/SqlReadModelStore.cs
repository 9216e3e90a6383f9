using System.Data.Common;
using System.Globalization;
using System.Text;

namespace SupplyChainWatch.Storage;

/// <summary>
/// <see cref="IReadModelStore"/> over SQLite or PostgreSQL. Upserts are group-committed: everything queued is written in one
/// transaction, several updates of one subject collapse to the newest, and an older summary never overwrites a newer one
/// (updated_at guard), so out-of-order upserts from replays are harmless.
/// </summary>
public sealed class SqlReadModelStore : IReadModelStore, IAsyncDisposable
{
    public const int MaxLimit = 500;
    private const int RowsPerInsert = 500; // SQLite's multi-row VALUES lists; PostgreSQL takes arrays.
    private const string Columns = "subject_id, subject_type, name, country, sector, score, band, forced_labour, updated_at";

    // Only a change of what the row shows moves updated_at: a re-evaluation that changes nothing (a replay on activation, a
    // counterpart's unchanged score) leaves the row as it was.
    private const string UpsertOnConflict =
        " ON CONFLICT (subject_id) DO UPDATE SET subject_type = excluded.subject_type, name = excluded.name, country = excluded.country," +
        " sector = excluded.sector, score = excluded.score, band = excluded.band, forced_labour = excluded.forced_labour, updated_at = excluded.updated_at" +
        " WHERE excluded.updated_at >= read_model.updated_at AND (excluded.subject_type IS DISTINCT FROM read_model.subject_type" +
        " OR excluded.name IS DISTINCT FROM read_model.name OR excluded.country IS DISTINCT FROM read_model.country" +
        " OR excluded.sector IS DISTINCT FROM read_model.sector OR excluded.score IS DISTINCT FROM read_model.score" +
        " OR excluded.band IS DISTINCT FROM read_model.band OR excluded.forced_labour IS DISTINCT FROM read_model.forced_labour);";

    private readonly StorageDatabase _database;
    private readonly GroupCommitQueue<UpsertRequest> _queue;

    public SqlReadModelStore(StorageDatabase database)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _queue = new GroupCommitQueue<UpsertRequest>(WriteBatchAsync, static (request, error) => request.Completion.TrySetException(error), 1024);
    }

    public Task UpsertAsync(SubjectSummary summary, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary.SubjectId, nameof(summary));
        ArgumentException.ThrowIfNullOrWhiteSpace(summary.SubjectType, nameof(summary));
        var request = new UpsertRequest(summary, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _queue.Enqueue(request);
        return request.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Subjects of one type counted by country, sector and band (the dashboard's portfolio view), in one grouped query
    /// instead of paging through every row.
    /// </summary>
    public async Task<IReadOnlyList<SubjectCount>> CountAsync(string subjectType, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectType);
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT country, sector, band, count(*) FROM read_model WHERE subject_type = @type GROUP BY country, sector, band;");
        StorageDatabase.AddParameter(command, "@type", subjectType);
        var counts = new List<SubjectCount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            counts.Add(new SubjectCount(
                reader.IsDBNull(0) ? null : reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.GetString(2),
                Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture)));
        }

        return counts;
    }

    /// <summary>Subjects of one type whose row changed at or after <paramref name="since"/>, most recent first.</summary>
    public async Task<IReadOnlyList<SubjectSummary>> ChangedSinceAsync(string subjectType, DateTimeOffset since, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectType);
        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            $"SELECT {Columns} FROM read_model WHERE subject_type = @type AND updated_at >= @since ORDER BY updated_at DESC, subject_id LIMIT @limit;");
        StorageDatabase.AddParameter(command, "@type", subjectType);
        StorageDatabase.AddParameter(command, "@since", _database.TimestampParameter(since));
        StorageDatabase.AddParameter(command, "@limit", Math.Clamp(limit, 1, MaxLimit));
        var items = new List<SubjectSummary>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(Read(reader));
        }

        return items;
    }

    public async Task<SubjectPage> QueryAsync(SubjectQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentException.ThrowIfNullOrWhiteSpace(query.SubjectType, nameof(query));
        var limit = Math.Clamp(query.Limit, 1, MaxLimit);

        await using var connection = await _database.OpenReadConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = StorageDatabase.CreateCommand(connection, null, "");
        var sql = new StringBuilder($"SELECT {Columns} FROM read_model WHERE subject_type = @type");
        StorageDatabase.AddParameter(command, "@type", query.SubjectType);
        AddFilter(command, sql, "country", query.Country);
        AddFilter(command, sql, "sector", query.Sector);
        AddFilter(command, sql, "band", query.Band);
        if (query.HasProfile is { } hasProfile)
        {
            // Every profile has a name (it is required), and only a profile gives a subject one.
            sql.Append(hasProfile ? " AND name IS NOT NULL" : " AND name IS NULL");
        }

        if (query.MinScore is { } minScore)
        {
            sql.Append(" AND score >= @minScore");
            StorageDatabase.AddParameter(command, "@minScore", minScore);
        }

        if (query.Cursor is not null)
        {
            // Keyset paging on (score, subject_id): stable under concurrent inserts, no OFFSET scans.
            if (!Cursor.TryReadSubjectPage(query.Cursor, query.SortByScoreDescending, out var score, out var subjectId))
            {
                throw new ArgumentException("The cursor " + Cursor.Rule + ".", nameof(query));
            }

            sql.Append(query.SortByScoreDescending
                ? " AND (score < @cursorScore OR (score = @cursorScore AND subject_id > @cursorId))"
                : " AND (score > @cursorScore OR (score = @cursorScore AND subject_id > @cursorId))");
            StorageDatabase.AddParameter(command, "@cursorScore", score);
            StorageDatabase.AddParameter(command, "@cursorId", subjectId);
        }

        sql.Append(query.SortByScoreDescending ? " ORDER BY score DESC, subject_id ASC" : " ORDER BY score ASC, subject_id ASC");
        sql.Append(" LIMIT @limit;");
        StorageDatabase.AddParameter(command, "@limit", limit + 1);
        command.CommandText = sql.ToString();

        var items = new List<SubjectSummary>(limit + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                items.Add(Read(reader));
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            var last = items[^1];
            next = Cursor.SubjectPage(query.SortByScoreDescending, last.Score, last.SubjectId);
        }

        return new SubjectPage(items, next);
    }

    private SubjectSummary Read(System.Data.Common.DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.IsDBNull(2) ? null : reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetInt32(5),
        reader.GetString(6),
        reader.GetString(7),
        _database.ReadTimestamp(reader, 8));

    public ValueTask DisposeAsync() => _queue.DisposeAsync();

    private static void AddFilter(DbCommand command, StringBuilder sql, string column, string? value)
    {
        if (value is null)
        {
            return;
        }

        sql.Append(CultureInfo.InvariantCulture, $" AND {column} = @{column}");
        StorageDatabase.AddParameter(command, "@" + column, value);
    }

    private async Task WriteBatchAsync(IReadOnlyList<UpsertRequest> batch)
    {
        var rows = batch.Select(r => r.Summary).ToList();
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await UpsertInAsync(connection, transaction, rows).ConfigureAwait(false);
            return true;
        }, CancellationToken.None).ConfigureAwait(false);

        foreach (var request in batch)
        {
            request.Completion.TrySetResult();
        }
    }

    /// <summary>Upserts summaries inside the caller's transaction, the newest per subject.</summary>
    internal async Task UpsertInAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SubjectSummary> summaries)
    {
        // One row per subject per statement (PostgreSQL refuses to upsert a row twice in one statement): keep the newest.
        var latest = new Dictionary<string, SubjectSummary>(StringComparer.Ordinal);
        foreach (var summary in summaries)
        {
            if (!latest.TryGetValue(summary.SubjectId, out var current) || summary.UpdatedAt >= current.UpdatedAt)
            {
                latest[summary.SubjectId] = summary;
            }
        }

        var rows = latest.Values.ToList();
        if (rows.Count == 0)
        {
            return;
        }

        if (_database.IsPostgreSql)
        {
            await UpsertArraysAsync(connection, transaction, rows).ConfigureAwait(false);
        }
        else
        {
            for (var offset = 0; offset < rows.Count; offset += RowsPerInsert)
            {
                await UpsertChunkAsync(connection, transaction, rows.GetRange(offset, Math.Min(RowsPerInsert, rows.Count - offset))).ConfigureAwait(false);
            }
        }
    }

    /// <summary>PostgreSQL: the whole batch as one statement over array parameters (see <see cref="SqlEvidenceLog"/> for why).</summary>
    private static async Task UpsertArraysAsync(DbConnection connection, DbTransaction transaction, List<SubjectSummary> rows)
    {
        await using var command = StorageDatabase.CreateCommand(connection, transaction,
            $"INSERT INTO read_model ({Columns}) SELECT * FROM unnest(@ids::text[], @types::text[], @names::text[], @countries::text[], @sectors::text[]," +
            " @scores::integer[], @bands::text[], @fls::text[], @ats::timestamptz[])" + UpsertOnConflict);
        StorageDatabase.AddParameter(command, "@ids", rows.Select(r => r.SubjectId).ToArray());
        StorageDatabase.AddParameter(command, "@types", rows.Select(r => r.SubjectType).ToArray());
        StorageDatabase.AddParameter(command, "@names", rows.Select(r => r.Name).ToArray());
        StorageDatabase.AddParameter(command, "@countries", rows.Select(r => r.Country).ToArray());
        StorageDatabase.AddParameter(command, "@sectors", rows.Select(r => r.Sector).ToArray());
        StorageDatabase.AddParameter(command, "@scores", rows.Select(r => r.Score).ToArray());
        StorageDatabase.AddParameter(command, "@bands", rows.Select(r => r.Band).ToArray());
        StorageDatabase.AddParameter(command, "@fls", rows.Select(r => r.ForcedLabour).ToArray());
        StorageDatabase.AddParameter(command, "@ats", rows.Select(r => StorageDatabase.Normalize(r.UpdatedAt)).ToArray());
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task UpsertChunkAsync(DbConnection connection, DbTransaction transaction, List<SubjectSummary> rows)
    {
        await using var command = StorageDatabase.CreateCommand(connection, transaction, "");
        var sql = new StringBuilder($"INSERT INTO read_model ({Columns}) VALUES ");
        for (var i = 0; i < rows.Count; i++)
        {
            var p = "@m" + i.ToString(CultureInfo.InvariantCulture) + "_";
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"({p}id, {p}type, {p}name, {p}country, {p}sector, {p}score, {p}band, {p}fl, {p}at)");
            var row = rows[i];
            StorageDatabase.AddParameter(command, p + "id", row.SubjectId);
            StorageDatabase.AddParameter(command, p + "type", row.SubjectType);
            StorageDatabase.AddParameter(command, p + "name", row.Name);
            StorageDatabase.AddParameter(command, p + "country", row.Country);
            StorageDatabase.AddParameter(command, p + "sector", row.Sector);
            StorageDatabase.AddParameter(command, p + "score", row.Score);
            StorageDatabase.AddParameter(command, p + "band", row.Band);
            StorageDatabase.AddParameter(command, p + "fl", row.ForcedLabour);
            StorageDatabase.AddParameter(command, p + "at", _database.TimestampParameter(row.UpdatedAt));
        }

        command.CommandText = sql.Append(UpsertOnConflict).ToString();
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private sealed record UpsertRequest(SubjectSummary Summary, TaskCompletionSource Completion);
}
