using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains.Storage;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Time-driven escalations: reminders fire them, they survive restarts, and a double tick fires once. Run once per store
/// (derived classes below); every test gets its own service on a fresh database.
/// </summary>
public abstract class TimeCheckTests : IDisposable
{
    private readonly ServiceFactory _factory;
    private readonly HttpClient _client;

    protected TimeCheckTests(StorageOptions? storage)
    {
        _factory = new ServiceFactory(storage: storage);
        _client = _factory.CreateClient();
    }

    public void Dispose()
    {
        _factory.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string Id(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    [Fact]
    public async Task An_unacknowledged_grievance_raises_one_overdue_event_even_when_time_checks_run_twice()
    {
        var supplier = Id("sup");
        var grievance = Id("grv");
        (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievance, supplier, null, "2026-11-19T10:00:00Z"))).Expect(HttpStatusCode.Created);
        Assert.Empty(await EventsAsync(supplier, "grievance.acknowledgement_overdue"));

        _factory.Clock.Advance(TimeSpan.FromDays(8));
        var grain = _factory.Service<IGrainFactory>().GetGrain<ISupplierGrain>(SubjectKeys.Supplier(supplier));
        await grain.RunTimeChecksAsync();
        await grain.RunTimeChecksAsync();

        var events = await EventsAsync(supplier, "grievance.acknowledgement_overdue");
        Assert.Single(events);
        Assert.Contains(grievance, events[0]["data"]!["signalIds"]!.ToJsonString());
    }

    [Fact]
    public async Task An_acknowledged_grievance_raises_no_overdue_event()
    {
        var supplier = Id("sup");
        var grievance = Id("grv");
        (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievance, supplier, null, "2026-11-19T10:00:00Z"))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync($"/api/v1/grievances/{grievance}/status", new { status = "acknowledged", on = "2026-11-20" })).Expect(HttpStatusCode.OK);

        _factory.Clock.Advance(TimeSpan.FromDays(8));
        await _factory.Service<IGrainFactory>().GetGrain<ISupplierGrain>(SubjectKeys.Supplier(supplier)).RunTimeChecksAsync();

        Assert.Empty(await EventsAsync(supplier, "grievance.acknowledgement_overdue"));
    }

    [Fact]
    public async Task A_corrective_action_past_its_due_date_raises_one_overdue_event()
    {
        var supplier = Id("sup");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), supplier, null,
            Samples.Finding("F1", "health-safety", "major", 40, dueDate: "2026-11-25")))).Expect(HttpStatusCode.Created);
        Assert.Empty(await EventsAsync(supplier, "corrective_action.overdue"));

        _factory.Clock.Advance(TimeSpan.FromDays(10));
        var grain = _factory.Service<IGrainFactory>().GetGrain<ISupplierGrain>(SubjectKeys.Supplier(supplier));
        await grain.RunTimeChecksAsync();
        await grain.RunTimeChecksAsync();

        Assert.Single(await EventsAsync(supplier, "corrective_action.overdue"));
        var risk = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal(5m, risk["explanation"]!["management"]!["points"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Decay_across_a_band_boundary_raises_one_band_change_from_the_time_check()
    {
        var supplier = Id("sup");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), supplier, null,
            Samples.Finding("F1", "wages", "critical", 100), Samples.Finding("F2", "working-hours", "critical", 100)))).Expect(HttpStatusCode.Created);
        var before = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        Assert.NotEqual("low", before["band"]!.GetValue<string>());
        var bandChangesBefore = (await EventsAsync(supplier, "risk.band_changed")).Count;

        _factory.Clock.Advance(TimeSpan.FromDays(3 * 365));
        var grain = _factory.Service<IGrainFactory>().GetGrain<ISupplierGrain>(SubjectKeys.Supplier(supplier));
        await grain.RunTimeChecksAsync();
        await grain.RunTimeChecksAsync();

        var after = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal("low", after["band"]!.GetValue<string>());
        var changes = await EventsAsync(supplier, "risk.band_changed");
        Assert.Equal(bandChangesBefore + 1, changes.Count);
        Assert.Equal("low", changes[^1]["data"]!["band"]!.GetValue<string>());
        var listed = (await _client.GetJsonAsync("/api/v1/suppliers?band=low&limit=500")).Expect(HttpStatusCode.OK);
        Assert.Contains(listed["items"]!.AsArray(), i => i!["id"]!.GetValue<string>() == supplier);
    }

    [Fact]
    public async Task The_time_check_reminder_is_stored_durably_and_is_still_there_after_a_restart()
    {
        var supplier = Id("sup");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), supplier, null, Samples.Finding("F1", "wages", "major", 3)))).Expect(HttpStatusCode.Created);
        Assert.Equal(1, await CountRemindersAsync(_factory.Storage, supplier));

        await _factory.DisposeAsync();
        using var restarted = new ServiceFactory(_factory.DataDirectory, storage: _factory.Storage);
        using var client = restarted.CreateClient();
        (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal(1, await CountRemindersAsync(restarted.Storage, supplier));
    }

    private static async Task<long> CountRemindersAsync(StorageOptions storage, string supplier)
    {
        await using var database = new StorageDatabase(storage);
        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        await using var command = StorageDatabase.CreateCommand(connection, null,
            "SELECT COUNT(*) FROM OrleansRemindersTable WHERE GrainId LIKE @grain AND ReminderName = 'time-checks'");
        StorageDatabase.AddParameter(command, "@grain", $"%sup:{supplier}%");
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<List<System.Text.Json.Nodes.JsonNode>> EventsAsync(string supplier, string type)
    {
        var page = (await _client.GetJsonAsync($"/api/v1/escalations?subjectId=sup:{supplier}&type={type}&limit=500")).Expect(HttpStatusCode.OK);
        return [.. page["items"]!.AsArray().Select(i => i!)];
    }
}

public sealed class SqliteTimeCheckTests() : TimeCheckTests(storage: null);

[Collection(PostgresCollection.Name)]
public sealed class PostgresTimeCheckTests(PostgresServerFixture server) : TimeCheckTests(server.CreateDatabase());
