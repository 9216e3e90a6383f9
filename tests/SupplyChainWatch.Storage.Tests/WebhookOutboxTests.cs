using Microsoft.Extensions.Time.Testing;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

/// <summary>The webhook outbox on both dialects: written with the events, claimed under leases, owner-scoped.</summary>
public abstract class WebhookOutboxContract
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract Task<StorageOptions> CreateDatabaseAsync();

    private async Task<StorageDatabase> CreateMigratedAsync()
    {
        var database = new StorageDatabase(await CreateDatabaseAsync());
        await new SchemaMigrator(database).MigrateAsync();
        return database;
    }

    private static StoredEscalation Event(string id, string type, string band, string country, string sector = "apparel") =>
        new(id, type, "sup:" + id, 1, At, $$"""{"subjectId":"sup:{{id}}","band":"{{band}}","country":"{{country}}","sector":"{{sector}}","score":80}""");

    private static WebhookSubscription Subscription(string id, string owner, string[] types, WebhookFilter filter, bool enabled = true) =>
        new(id, owner, "https://receiver.example.org/" + id, null, types, filter, "whsec_" + Convert.ToBase64String(new byte[32]), null, null, enabled, null, At, At);

    [Fact]
    public async Task Outbox_rows_are_written_with_new_events_for_matching_enabled_subscriptions_only_and_replays_add_none()
    {
        await using var database = await CreateMigratedAsync();
        var time = new FakeTimeProvider(At);
        await using var webhooks = new SqlWebhookStore(database, new ReversibleProtector(), time);
        await using var escalations = new SqlEscalationStore(database, webhooks);
        await webhooks.CreateAsync(Subscription("all-my", "ngo-1", ["case.escalated", "risk.band_changed"], new WebhookFilter(["MY"], [], null)));
        await webhooks.CreateAsync(Subscription("critical-electronics", "ngo-2", ["case.escalated"], new WebhookFilter([], ["electronics"], "critical")));
        await webhooks.CreateAsync(Subscription("disabled", "ngo-1", ["case.escalated"], WebhookFilter.None, enabled: false));

        await escalations.AddAsync([
            Event("e1", "case.escalated", "critical", "MY"),
            Event("e2", "risk.band_changed", "high", "TH", "electronics"),
            Event("e3", "case.escalated", "critical", "TH", "electronics"),
            Event("e4", "forced_labour.indicated", "critical", "MY"),
        ]);
        // A replay of e1 (same id) and a new event in one batch: only the new one gets deliveries.
        await escalations.AddAsync([Event("e1", "case.escalated", "critical", "MY"), Event("e5", "risk.band_changed", "medium", "MY")]);

        var mine = await webhooks.ListDeliveriesAsync("ngo-1", "all-my", null, 100);
        Assert.Equal(["e1", "e5"], mine!.Select(d => d.EventId).Order(StringComparer.Ordinal));
        Assert.All(mine!, d => Assert.Equal(SqlWebhookStore.DeliveryId("all-my", d.EventId), d.Id));
        var theirs = await webhooks.ListDeliveriesAsync("ngo-2", "critical-electronics", null, 100);
        Assert.Equal("e3", Assert.Single(theirs!).EventId);
        Assert.Empty((await webhooks.ListDeliveriesAsync("ngo-1", "disabled", null, 100))!);

        // Owners see only their own subscriptions and deliveries.
        Assert.Null(await webhooks.ListDeliveriesAsync("ngo-1", "critical-electronics", null, 100));
        Assert.Null(await webhooks.GetAsync("ngo-2", "all-my"));
        Assert.Equal(["all-my", "disabled"], (await webhooks.ListAsync("ngo-1")).Select(s => s.Id).Order(StringComparer.Ordinal));
        Assert.False(await webhooks.DeleteAsync("ngo-2", "all-my"));
        Assert.Equal(ReplayResult.NotFound, await webhooks.ReplayAsync("ngo-2", mine![0].Id));
    }

    [Fact]
    public async Task Concurrent_claims_never_share_a_row_and_an_expired_lease_makes_the_row_due_again_with_the_same_id()
    {
        await using var database = await CreateMigratedAsync();
        var time = new FakeTimeProvider(At);
        await using var webhooks = new SqlWebhookStore(database, new ReversibleProtector(), time);
        await using var escalations = new SqlEscalationStore(database, webhooks);
        await webhooks.CreateAsync(Subscription("s", "ngo", ["case.escalated"], WebhookFilter.None));
        await escalations.AddAsync([.. Enumerable.Range(0, 40).Select(i => Event($"c{i}", "case.escalated", "critical", "MY"))]);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => webhooks.ClaimAsync($"silo-{i}", 15, TimeSpan.FromSeconds(30))));
        var claimed = claims.SelectMany(c => c).Select(c => c.Id).ToList();
        Assert.Equal(40, claimed.Count);
        Assert.Equal(40, claimed.Distinct(StringComparer.Ordinal).Count());
        Assert.Empty(await webhooks.ClaimAsync("silo-9", 100, TimeSpan.FromSeconds(30)));

        // silo-0 "dies" holding its rows; the others record theirs as delivered.
        foreach (var delivery in claims.Skip(1).SelectMany(c => c))
        {
            await webhooks.RecordAsync(new DeliveryOutcome(delivery.Id, "s", new WebhookAttempt(time.GetUtcNow(), 204, 5, "delivered", null), WebhookDeliveryStatus.Delivered, time.GetUtcNow(), null));
        }

        time.Advance(TimeSpan.FromSeconds(31));
        var again = await webhooks.ClaimAsync("silo-9", 100, TimeSpan.FromSeconds(30));
        Assert.Equal(claims[0].Select(c => c.Id).Order(StringComparer.Ordinal), again.Select(c => c.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_gone_outcome_dead_letters_and_disables_and_replay_makes_a_dead_letter_due_with_the_same_id()
    {
        await using var database = await CreateMigratedAsync();
        var time = new FakeTimeProvider(At);
        await using var webhooks = new SqlWebhookStore(database, new ReversibleProtector(), time);
        await using var escalations = new SqlEscalationStore(database, webhooks);
        await webhooks.CreateAsync(Subscription("s", "ngo", ["case.escalated"], WebhookFilter.None));
        await escalations.AddAsync([Event("g1", "case.escalated", "critical", "MY")]);

        var delivery = Assert.Single(await webhooks.ClaimAsync("silo", 10, TimeSpan.FromSeconds(30)));
        await webhooks.RecordAsync(new DeliveryOutcome(delivery.Id, "s", new WebhookAttempt(time.GetUtcNow(), 410, 3, "gone", "HTTP 410"), WebhookDeliveryStatus.Dead, time.GetUtcNow(), "gone"));
        var subscription = await webhooks.GetAsync("ngo", "s");
        Assert.False(subscription!.Enabled);
        Assert.Equal("gone", subscription.DisabledReason);
        await escalations.AddAsync([Event("g2", "case.escalated", "critical", "MY")]);
        var dead = Assert.Single((await webhooks.ListDeliveriesAsync("ngo", "s", WebhookDeliveryStatus.Dead, 10))!);
        Assert.Equal(410, Assert.Single(dead.Attempts).StatusCode);
        Assert.Single((await webhooks.ListDeliveriesAsync("ngo", "s", null, 10))!);

        Assert.Equal(ReplayResult.SubscriptionDisabled, await webhooks.ReplayAsync("ngo", delivery.Id));
        await webhooks.EnableAsync("ngo", "s");
        Assert.Equal(ReplayResult.Replayed, await webhooks.ReplayAsync("ngo", delivery.Id));
        Assert.Equal(ReplayResult.StillPending, await webhooks.ReplayAsync("ngo", delivery.Id));
        Assert.Equal(delivery.Id, Assert.Single(await webhooks.ClaimAsync("silo", 10, TimeSpan.FromSeconds(30))).Id);
    }
}

public sealed class SqliteWebhookOutboxTests : WebhookOutboxContract, IAsyncDisposable
{
    private readonly SqliteDatabaseFactory _factory = new();

    protected override Task<StorageOptions> CreateDatabaseAsync() => _factory.CreateAsync();

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresWebhookOutboxTests(PostgresServerFixture server) : WebhookOutboxContract
{
    protected override Task<StorageOptions> CreateDatabaseAsync() => server.CreateDatabaseAsync();
}
