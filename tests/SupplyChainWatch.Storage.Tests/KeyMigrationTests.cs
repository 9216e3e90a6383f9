using System.Globalization;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

/// <summary>
/// Schema version 8 on rows written before it: keys whose ids contain ':' are re-encoded from the rows' own content, the
/// hash chain still verifies over the key as it was hashed, and a resubmission under the new key is still a duplicate.
/// </summary>
public abstract class KeyMigrationContract
{
    private const string Subject = "sup:s1";
    private static readonly DateTimeOffset At = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    // (old key, kind, content, key expected after version 8)
    private static readonly (string OldKey, string Kind, string Content, string NewKey)[] Rows =
    [
        ("finding:A:X:F", "finding", """{"supplierId":"s1","detail":{"auditId":"A","findingId":"X:F"}}""", "finding:A:X%3AF"),
        ("finding-status:A:X:F:remediated:2026-11-20", "finding-status", """{"auditId":"A","findingId":"X:F","status":"remediated","on":"2026-11-20"}""",
            "finding-status:A:X%3AF:remediated:2026-11-20"),
        ("grievance:G:1", "grievance", """{"supplierId":"s1","detail":{"grievanceId":"G:1"}}""", "grievance:G%3A1"),
        ("grievance-status:G:1:acknowledged:2026-11-21", "grievance-status", """{"grievanceId":"G:1","status":"acknowledged","on":"2026-11-21"}""",
            "grievance-status:G%3A1:acknowledged:2026-11-21"),
        ("fee:R:1", "fee-report", """{"recruiterId":"r1","detail":{"reportId":"R:1"}}""", "fee:R%3A1"),
        ("finding:B:F1", "finding", """{"supplierId":"s1","detail":{"auditId":"B","findingId":"F1"}}""", "finding:B:F1"),
        // Unreadable content (a quarantined row) keeps its key and does not stop the migration.
        ("finding:C:D:E", "finding", "not json", "finding:C:D:E"),
        ("link:sup:s1:r1:0f8fad5bd9cb469fa165708677289c30", "link", """{"supplierId":"s1","recruiterId":"r1"}""", "link:sup:s1:r1:0f8fad5bd9cb469fa165708677289c30"),
    ];

    protected abstract Task<StorageOptions> CreateDatabaseAsync();

    [Fact]
    public async Task Version_8_re_encodes_ambiguous_keys_keeps_the_chain_verifying_and_old_rows_deduplicating()
    {
        await using var database = new StorageDatabase(await CreateDatabaseAsync());
        var migrations = SchemaMigrator.LoadMigrations(database.Provider);
        Assert.Equal("unambiguous_keys_and_text_mac", migrations[7].Name);
        await new SchemaMigrator(database, [.. migrations.Take(7)]).MigrateAsync();
        await WriteOldFormRowsAsync(database);

        Assert.Equal(migrations.Count - 7, await new SchemaMigrator(database).MigrateAsync()); // version 8 and every later one

        await using var log = new SqlEvidenceLog(database);
        Assert.True((await log.VerifyChainAsync(Subject)).Valid);
        var stored = await log.ReadSubjectAsync(Subject, 0);
        Assert.Equal(Rows.Select(r => r.NewKey), stored.Select(r => r.IdempotencyKey));
        Assert.Equal(Rows.Select(r => r.OldKey), stored.Select(r => r.HashedKey));
        Assert.Equal(Rows.Select(r => r.OldKey == r.NewKey ? null : r.OldKey), stored.Select(r => r.ChainedKey));

        // Every old row is found, and deduplicated, under the key the service builds now.
        foreach (var row in Rows.Where(r => r.Content != "not json" && r.Kind != "link"))
        {
            var again = await log.AppendAsync([new EvidenceAppend(Subject, row.NewKey, row.Kind, row.Content, At)]);
            Assert.Equal(AppendOutcome.Duplicate, again.Outcome);
        }

        // The other reading of the old ambiguous key is a finding of its own now, and the chain goes on verifying.
        var other = await log.AppendAsync([new EvidenceAppend(Subject, "finding:A%3AX:F", "finding", """{"supplierId":"s1","detail":{"auditId":"A:X","findingId":"F"}}""", At)]);
        Assert.Equal(AppendOutcome.Appended, other.Outcome);
        Assert.True((await log.VerifyChainAsync(Subject)).Valid);
    }

    /// <summary>Rows as the service wrote them before version 8: the parts joined as they were, hashed over that key.</summary>
    private static async Task WriteOldFormRowsAsync(StorageDatabase database)
    {
        await database.WriteAsync(
            async (connection, transaction) =>
            {
                var previous = StorageDatabase.GenesisHash;
                for (var i = 0; i < Rows.Length; i++)
                {
                    var (key, kind, content, _) = Rows[i];
                    var contentHash = EvidenceHashing.ContentHash(content);
                    var rowHash = EvidenceHashing.RowHash(previous, Subject, i + 1, key, kind, contentHash);
                    await using var insert = StorageDatabase.CreateCommand(connection, transaction,
                        "INSERT INTO evidence_log (subject_id, subject_seq, idempotency_key, kind, content_json, content_hash, previous_hash, row_hash, occurred_at, recorded_at) " +
                        "VALUES (@subject, @seq, @key, @kind, @content, @contentHash, @previous, @rowHash, @at, @at)");
                    StorageDatabase.AddParameter(insert, "@subject", Subject);
                    StorageDatabase.AddParameter(insert, "@seq", (long)(i + 1));
                    StorageDatabase.AddParameter(insert, "@key", key);
                    StorageDatabase.AddParameter(insert, "@kind", kind);
                    StorageDatabase.AddParameter(insert, "@content", content);
                    StorageDatabase.AddParameter(insert, "@contentHash", contentHash);
                    StorageDatabase.AddParameter(insert, "@previous", previous);
                    StorageDatabase.AddParameter(insert, "@rowHash", rowHash);
                    StorageDatabase.AddParameter(insert, "@at", database.TimestampParameter(At.AddMinutes(i)));
                    await insert.ExecuteNonQueryAsync();
                    previous = rowHash;
                }

                return Rows.Length.ToString(CultureInfo.InvariantCulture);
            },
            CancellationToken.None);
    }
}

public sealed class SqliteKeyMigrationTests : KeyMigrationContract, IAsyncDisposable
{
    private readonly SqliteDatabaseFactory _factory = new();

    protected override Task<StorageOptions> CreateDatabaseAsync() => _factory.CreateAsync();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresKeyMigrationTests(PostgresServerFixture server) : KeyMigrationContract
{
    protected override Task<StorageOptions> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
