using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

public abstract class ReadModelAndEscalationContract
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<StorageOptions> CreateDatabaseAsync();

    private async Task<StorageDatabase> CreateMigratedAsync()
    {
        var database = new StorageDatabase(await CreateDatabaseAsync());
        await new SchemaMigrator(database).MigrateAsync();
        return database;
    }

    private static SubjectSummary Supplier(string id, int score, string country = "MY", string band = "high", DateTimeOffset? at = null) =>
        new(id, "supplier", "Name " + id, country, "electronics", score, band, "indicators", at ?? At);

    [Fact]
    public async Task Read_model_upserts_keep_the_newest_summary_per_subject()
    {
        await using var database = await CreateMigratedAsync();
        await using var store = new SqlReadModelStore(database);

        await Task.WhenAll(
            store.UpsertAsync(Supplier("sup:1", 10, at: At)),
            store.UpsertAsync(Supplier("sup:1", 30, at: At.AddMinutes(2))),
            store.UpsertAsync(Supplier("sup:1", 20, at: At.AddMinutes(1))));
        await store.UpsertAsync(Supplier("sup:1", 5, at: At.AddMinutes(-5))); // an older replay must not win

        var page = await store.QueryAsync(new SubjectQuery("supplier", null, null, null, null, true, 10, null));
        var only = Assert.Single(page.Items);
        Assert.Equal(30, only.Score);
        Assert.Equal(At.AddMinutes(2), only.UpdatedAt);
        Assert.Null(page.NextCursor);
    }

    [Fact]
    public async Task Read_model_rows_keep_their_updated_at_when_a_later_summary_shows_nothing_new()
    {
        await using var database = await CreateMigratedAsync();
        await using var store = new SqlReadModelStore(database);
        var query = new SubjectQuery("supplier", null, null, null, null, true, 10, null);

        await store.UpsertAsync(Supplier("sup:1", 30, at: At));
        await store.UpsertAsync(Supplier("sup:1", 30, at: At.AddMinutes(5))); // a re-evaluation on activation: same row
        Assert.Equal(At, Assert.Single((await store.QueryAsync(query)).Items).UpdatedAt);

        await store.UpsertAsync(Supplier("sup:1", 30, band: "critical", at: At.AddMinutes(6)));
        var changed = Assert.Single((await store.QueryAsync(query)).Items);
        Assert.Equal(("critical", At.AddMinutes(6)), (changed.Band, changed.UpdatedAt));
    }

    [Fact]
    public async Task Read_model_filters_sorts_and_pages_with_a_cursor()
    {
        await using var database = await CreateMigratedAsync();
        await using var store = new SqlReadModelStore(database);
        var upserts = Enumerable.Range(1, 25).Select(i => store.UpsertAsync(Supplier($"sup:{i:D2}", i % 10 * 10, country: i % 2 == 0 ? "MY" : "TH")));
        await Task.WhenAll(upserts);
        await store.UpsertAsync(new SubjectSummary("rec:1", "recruiter", null, "MY", null, 99, "high", "none", At));

        var seen = new List<SubjectSummary>();
        string? cursor = null;
        do
        {
            var page = await store.QueryAsync(new SubjectQuery("supplier", "MY", null, null, 20, true, 5, cursor));
            seen.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        var expected = Enumerable.Range(1, 25).Where(i => i % 2 == 0 && i % 10 * 10 >= 20)
            .Select(i => (Score: i % 10 * 10, Id: $"sup:{i:D2}"))
            .OrderByDescending(x => x.Score).ThenBy(x => x.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(expected.Select(x => x.Id), seen.Select(s => s.SubjectId));

        var ascending = await store.QueryAsync(new SubjectQuery("supplier", null, null, "high", null, false, 3, null));
        Assert.Equal([0, 0, 10], ascending.Items.Select(s => s.Score));
        Assert.NotNull(ascending.NextCursor);
        await Assert.ThrowsAsync<ArgumentException>(() => store.QueryAsync(new SubjectQuery("supplier", null, null, null, null, true, 3, ascending.NextCursor)));
    }

    [Fact]
    public async Task Escalations_ignore_replayed_ids_and_page_in_insertion_order()
    {
        await using var database = await CreateMigratedAsync();
        await using var store = new SqlEscalationStore(database);
        var events = Enumerable.Range(1, 7)
            .Select(i => new StoredEscalation($"sup:1:{i}:FL-1", i % 2 == 0 ? "fl-1" : "band-change", "sup:1", i, At.AddSeconds(i), $"{{\"i\":{i}}}"))
            .ToList();

        await store.AddAsync(events.Take(4).ToList());
        await Task.WhenAll(store.AddAsync(events), store.AddAsync(events.Skip(2).ToList())); // replays

        var all = new List<StoredEscalation>();
        string? cursor = null;
        do
        {
            var page = await store.ListAsync(new EscalationQuery("sup:1", null, 3, cursor));
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(events, all);
        var onlyFl1 = await store.ListAsync(new EscalationQuery(null, "fl-1", 50, null));
        Assert.Equal([2L, 4L, 6L], onlyFl1.Items.Select(e => e.SubjectSeq));
        Assert.Empty((await store.ListAsync(new EscalationQuery("sup:other", null, 50, null))).Items);
    }
}

public sealed class SqliteReadModelAndEscalationTests : ReadModelAndEscalationContract, IAsyncDisposable
{
    private readonly SqliteDatabaseFactory _factory = new();

    protected override Task<StorageOptions> CreateDatabaseAsync() => _factory.CreateAsync();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresReadModelAndEscalationTests(PostgresServerFixture server) : ReadModelAndEscalationContract
{
    protected override Task<StorageOptions> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
