using System.Diagnostics;
using SupplyChainWatch.Storage;
using Xunit.Abstractions;

namespace SupplyChainWatch.Storage.Tests;

public abstract class EvidenceLogContract(ITestOutputHelper output)
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<StorageOptions> CreateDatabaseAsync();

    private async Task<(StorageDatabase Database, SqlEvidenceLog Log)> CreateLogAsync()
    {
        var database = new StorageDatabase(await CreateDatabaseAsync());
        await new SchemaMigrator(database).MigrateAsync();
        return (database, new SqlEvidenceLog(database));
    }

    private static EvidenceAppend Row(string subject, string key, string content = "{\"v\":1}") =>
        new(subject, key, "finding", content, At);

    [Fact]
    public async Task Append_stores_rows_with_contiguous_subject_seq_and_a_hash_chain()
    {
        var (database, log) = await CreateLogAsync();
        await using var _ = database;
        await using var __ = log;

        var first = await log.AppendAsync([Row("sup:a", "finding:A1:F1"), Row("sup:a", "finding:A1:F2")]);
        var second = await log.AppendAsync([Row("sup:a", "finding:A1:F3")]);

        Assert.Equal(AppendOutcome.Appended, first.Outcome);
        Assert.Equal([1L, 2L], first.Rows.Select(r => r.SubjectSeq));
        Assert.Equal(3L, second.Rows.Single().SubjectSeq);
        Assert.Equal(StorageDatabase.GenesisHash, first.Rows[0].PreviousHash);
        Assert.Equal(first.Rows[0].RowHash, first.Rows[1].PreviousHash);
        Assert.Equal(first.Rows[1].RowHash, second.Rows[0].PreviousHash);
        Assert.Equal(EvidenceHashing.ContentHash("{\"v\":1}"), first.Rows[0].ContentHash);

        var stored = await log.ReadSubjectAsync("sup:a", 0);
        Assert.Equal(first.Rows.Concat(second.Rows), stored);
        Assert.Equal(At, stored[0].OccurredAt);
        Assert.Equal(stored.Skip(1), await log.ReadSubjectAsync("sup:a", 1));
        Assert.True((await log.VerifyChainAsync("sup:a")).Valid);
        Assert.Equal(3, await log.CountAsync());
    }

    [Fact]
    public async Task Same_key_and_content_is_a_duplicate_and_returns_the_stored_row()
    {
        var (database, log) = await CreateLogAsync();
        await using var _ = database;
        await using var __ = log;

        var first = await log.AppendAsync([Row("sup:a", "grievance:G1")]);
        var again = await log.AppendAsync([Row("sup:a", "grievance:G1")]);

        Assert.Equal(AppendOutcome.Duplicate, again.Outcome);
        Assert.Equal(first.Rows, again.Rows);
        Assert.Equal(1, await log.CountAsync());
    }

    [Fact]
    public async Task Same_key_with_different_content_is_a_conflict_and_writes_nothing_of_that_request()
    {
        var (database, log) = await CreateLogAsync();
        await using var _ = database;
        await using var __ = log;
        await log.AppendAsync([Row("sup:a", "fee:R1")]);

        var conflict = await log.AppendAsync([Row("sup:a", "fee:R2"), Row("sup:a", "fee:R1", "{\"v\":2}")]);

        Assert.Equal(AppendOutcome.Conflict, conflict.Outcome);
        Assert.Empty(conflict.Rows);
        Assert.Equal(["fee:R1"], conflict.ConflictingKeys);
        Assert.Empty(await log.FindByKeyAsync("fee:R2"));
        Assert.Equal(1, await log.CountAsync());
    }

    [Fact]
    public async Task Partly_duplicate_request_appends_only_the_new_rows()
    {
        var (database, log) = await CreateLogAsync();
        await using var _ = database;
        await using var __ = log;
        var first = await log.AppendAsync([Row("sup:a", "k1")]);

        var result = await log.AppendAsync([Row("sup:a", "k1"), Row("sup:a", "k2"), Row("rec:b", "k1")]);

        Assert.Equal(AppendOutcome.PartlyDuplicate, result.Outcome);
        Assert.Equal(first.Rows[0], result.Rows[0]);
        Assert.Equal(2L, result.Rows[1].SubjectSeq);
        Assert.Equal(1L, result.Rows[2].SubjectSeq);
        Assert.Equal(2, (await log.FindByKeyAsync("k1")).Count);
        Assert.Equal(["rec:b", "sup:a"], await log.ListSubjectsAsync());
    }

    [Fact]
    public async Task Verify_chain_detects_one_changed_byte()
    {
        var (database, log) = await CreateLogAsync();
        await using var _ = database;
        await using var __ = log;
        await log.AppendAsync([Row("sup:t", "k1"), Row("sup:t", "k2", "{\"hours\":60}"), Row("sup:t", "k3")]);
        Assert.True((await log.VerifyChainAsync("sup:t")).Valid);

        await database.WriteAsync(async (connection, transaction) =>
            await StorageDatabase.ExecuteAsync(connection, transaction,
                "UPDATE evidence_log SET content_json = '{\"hours\":50}' WHERE subject_id = 'sup:t' AND subject_seq = 2;", CancellationToken.None),
            CancellationToken.None);

        var verification = await log.VerifyChainAsync("sup:t");
        Assert.False(verification.Valid);
        Assert.Equal(2L, verification.FirstBrokenSubjectSeq);
    }

    [Fact]
    public async Task Concurrent_requests_in_one_batch_are_judged_independently()
    {
        var (database, log) = await CreateLogAsync();
        await using var _ = database;
        await using var __ = log;

        // Same key twice with different content: the first queued wins, the second conflicts, a third request is unaffected.
        var tasks = new[]
        {
            log.AppendAsync([Row("sup:c", "k1", "{\"v\":1}")]),
            log.AppendAsync([Row("sup:c", "k1", "{\"v\":2}")]),
            log.AppendAsync([Row("sup:c", "k2")]),
        };
        var results = await Task.WhenAll(tasks);

        Assert.Equal(AppendOutcome.Appended, results[0].Outcome);
        Assert.Equal(AppendOutcome.Conflict, results[1].Outcome);
        Assert.Equal(AppendOutcome.Appended, results[2].Outcome);
        Assert.Equal(2, await log.CountAsync());
        Assert.True((await log.VerifyChainAsync("sup:c")).Valid);
    }

    [Fact]
    public async Task A_bulk_append_chains_every_row_answers_what_it_wrote_and_repeats_as_duplicates_with_one_conflict()
    {
        // Large enough for PostgreSQL's COPY path; rows of one submission share a content string (hashed once).
        var (database, log) = await CreateLogAsync();
        await using var _ = database;
        await using var __ = log;
        var submissions = Enumerable.Range(0, 1_500).Select(i =>
        {
            var content = $"{{\"i\":{i},\"text\":\"caf\u00e9 {i}\"}}";
            return (IReadOnlyList<EvidenceAppend>)[Row($"sup:{i % 9}", $"bulk:{i}", content), Row($"rec:{i % 4}", $"bulk:{i}", content)];
        }).ToList();

        var first = await log.AppendManyAsync(submissions);

        Assert.All(first, r => Assert.Equal(AppendOutcome.Appended, r.Outcome));
        Assert.Equal(3_000, await log.CountAsync());
        var stored = new List<EvidenceRow>();
        foreach (var subject in await log.ListSubjectsAsync())
        {
            var verification = await log.VerifyChainAsync(subject);
            Assert.True(verification.Valid, $"{subject} breaks at {verification.FirstBrokenSubjectSeq}");
            stored.AddRange(await log.ReadSubjectAsync(subject, 0));
        }

        // What the append answered is what a read finds, without the append having read anything back.
        Assert.Equal(stored.OrderBy(r => r.SubjectId, StringComparer.Ordinal).ThenBy(r => r.SubjectSeq),
            first.SelectMany(r => r.Rows).OrderBy(r => r.SubjectId, StringComparer.Ordinal).ThenBy(r => r.SubjectSeq));

        var changed = submissions.ToList();
        changed[700] = [Row("sup:7", "bulk:700", "{\"i\":-1}")];
        var second = await log.AppendManyAsync(changed);

        Assert.Equal(AppendOutcome.Conflict, second[700].Outcome);
        Assert.All(second.Where((_, i) => i != 700), r => Assert.Equal(AppendOutcome.Duplicate, r.Outcome));
        Assert.Equal(first.Where((_, i) => i != 700).SelectMany(r => r.Rows), second.Where((_, i) => i != 700).SelectMany(r => r.Rows));
        Assert.Equal(3_000, await log.CountAsync());
    }

    [Fact]
    public async Task Group_commit_handles_64_concurrent_appenders()
    {
        var (database, log) = await CreateLogAsync();
        await using var _ = database;
        await using var __ = log;
        const int appenders = 64;
        const int appendsEach = 20;

        var stopwatch = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, appenders).Select(async a =>
        {
            for (var i = 0; i < appendsEach; i++)
            {
                // Eight subjects shared by all appenders, so chains interleave inside batches.
                var result = await log.AppendAsync([Row($"sup:{a % 8}", $"key:{a}:{i}", $"{{\"a\":{a},\"i\":{i}}}")]);
                Assert.Equal(AppendOutcome.Appended, result.Outcome);
            }
        });
        await Task.WhenAll(tasks);
        stopwatch.Stop();

        var total = appenders * appendsEach;
        Assert.Equal(total, await log.CountAsync());
        for (var s = 0; s < 8; s++)
        {
            var verification = await log.VerifyChainAsync($"sup:{s}");
            Assert.True(verification.Valid);
            Assert.Equal(total / 8, verification.RowsChecked);
        }

        output.WriteLine($"{GetType().Name}: {total} appends by {appenders} concurrent appenders in {stopwatch.ElapsedMilliseconds} ms = {total / stopwatch.Elapsed.TotalSeconds:F0} rows/s");
    }
}

public sealed class SqliteEvidenceLogTests(ITestOutputHelper output) : EvidenceLogContract(output), IAsyncDisposable
{
    private readonly SqliteDatabaseFactory _factory = new();

    protected override Task<StorageOptions> CreateDatabaseAsync() => _factory.CreateAsync();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresEvidenceLogTests(PostgresServerFixture server, ITestOutputHelper output) : EvidenceLogContract(output)
{
    protected override Task<StorageOptions> CreateDatabaseAsync() => server.CreateDatabaseAsync();

    [Fact]
    public async Task Two_silos_appending_to_the_same_subjects_keep_every_chain_contiguous()
    {
        // Two StorageDatabase/SqlEvidenceLog pairs = two processes with their own pools and writer loops.
        var options = await server.CreateDatabaseAsync();
        await using var databaseA = new StorageDatabase(options);
        await using var databaseB = new StorageDatabase(options);
        await new SchemaMigrator(databaseA).MigrateAsync();
        await using var logA = new SqlEvidenceLog(databaseA);
        await using var logB = new SqlEvidenceLog(databaseB);

        var at = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var appends = Enumerable.Range(0, 200).Select(i =>
        {
            var log = i % 2 == 0 ? logA : logB;
            return log.AppendAsync([new EvidenceAppend($"sup:{i % 4}", $"k:{i}", "finding", $"{{\"i\":{i}}}", at)]);
        });
        var results = await Task.WhenAll(appends);

        Assert.All(results, r => Assert.Equal(AppendOutcome.Appended, r.Outcome));
        for (var s = 0; s < 4; s++)
        {
            var verification = await logA.VerifyChainAsync($"sup:{s}");
            Assert.True(verification.Valid, $"chain sup:{s} broken at {verification.FirstBrokenSubjectSeq}");
            Assert.Equal(50, verification.RowsChecked);
        }
    }
}
