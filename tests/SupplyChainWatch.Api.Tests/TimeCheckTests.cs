using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Storage;

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
        await _factory.DerivedViewsCaughtUpAsync();
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

    [Fact]
    public async Task A_late_loaded_grievance_acknowledged_inside_its_deadline_leaves_no_overdue_event()
    {
        // Received 2026-11-02, loaded on 2026-11-20 (past its 7 days), acknowledgement dated 2026-11-04 loaded a moment later.
        var supplier = Id("sup");
        var grievance = Id("grv");
        (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievance, supplier, null, "2026-11-02T10:00:00Z"))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync($"/api/v1/grievances/{grievance}/status", new { status = "acknowledged", on = "2026-11-04" })).Expect(HttpStatusCode.OK);

        Assert.Empty(await EventsAsync(supplier, "grievance.acknowledgement_overdue"));
        _factory.Clock.Advance(TimeSpan.FromDays(1));
        await _factory.Service<IGrainFactory>().GetGrain<ISupplierGrain>(SubjectKeys.Supplier(supplier)).RunTimeChecksAsync();
        Assert.Empty(await EventsAsync(supplier, "grievance.acknowledgement_overdue"));

        // The alarm raised between the two submissions is kept for the record, marked withdrawn.
        var withdrawn = Assert.Single(await EventsAsync(supplier, "grievance.acknowledgement_overdue", includeWithdrawn: true));
        Assert.NotNull(withdrawn["withdrawnAt"]);
    }

    [Fact]
    public async Task A_late_acknowledgement_dated_after_the_deadline_leaves_the_overdue_event_standing()
    {
        var supplier = Id("sup");
        var grievance = Id("grv");
        (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievance, supplier, null, "2026-11-02T10:00:00Z"))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync($"/api/v1/grievances/{grievance}/status", new { status = "acknowledged", on = "2026-11-12" })).Expect(HttpStatusCode.OK);

        var standing = Assert.Single(await EventsAsync(supplier, "grievance.acknowledgement_overdue"));
        Assert.Null(standing["withdrawnAt"]);
    }

    [Fact]
    public async Task A_late_loaded_finding_remediated_by_its_due_date_leaves_no_corrective_action_overdue_event()
    {
        var supplier = Id("sup");
        var audit = Id("aud");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(audit, supplier, null,
            Samples.Finding("F1", "health-safety", "major", 40, dueDate: "2026-11-10")))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync($"/api/v1/audits/{audit}/findings/F1/status", new { status = "remediated", on = "2026-11-09" })).Expect(HttpStatusCode.OK);

        Assert.Empty(await EventsAsync(supplier, "corrective_action.overdue"));
        Assert.Single(await EventsAsync(supplier, "corrective_action.overdue", includeWithdrawn: true));
    }

    [Fact]
    public async Task Linking_to_a_recruiter_already_high_risk_raises_high_risk_linked_for_that_supplier_once()
    {
        var recruiter = Id("rec");
        var early = Id("sup");
        var late = Id("sup");
        (await _client.PutJsonAsync($"/api/v1/suppliers/{early}/recruiters/{recruiter}", new { workforceShare = 0.5 })).Expect(HttpStatusCode.OK);
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), Id("sup"), recruiter,
            Samples.Finding("F1", "recruitment-fees", "critical", 50, codes: ["debt-linked-recruitment", "document-retention"])))).Expect(HttpStatusCode.Created);
        Assert.True((await _client.GetJsonAsync($"/api/v1/recruiters/{recruiter}/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>() >= 60);

        (await _client.PutJsonAsync($"/api/v1/suppliers/{late}/recruiters/{recruiter}", new { workforceShare = 0.4 })).Expect(HttpStatusCode.OK);
        // Changing the share of an existing link is not news.
        (await _client.PutJsonAsync($"/api/v1/suppliers/{late}/recruiters/{recruiter}", new { workforceShare = 0.3 })).Expect(HttpStatusCode.OK);

        await _factory.DerivedViewsCaughtUpAsync();
        var page = (await _client.GetJsonAsync($"/api/v1/escalations?subjectId=rec:{recruiter}&type=recruiter.high_risk_linked")).Expect(HttpStatusCode.OK);
        var suppliers = page["items"]!.AsArray().Select(i => i!["data"]!["supplierId"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { early, late }.Order(StringComparer.Ordinal), suppliers);
    }

    [Fact]
    public async Task Dated_shows_evidence_dated_by_an_instant_that_asOf_does_not_because_it_was_recorded_later()
    {
        var supplier = Id("sup");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), supplier, null,
            Samples.Finding("F1", "forced-labour", "critical", 40, codes: ["document-retention", "wage-withholding"])))).Expect(HttpStatusCode.Created);

        // Recorded on 2026-11-20: as of 2026-11-01 the service knew nothing of it (the baseline of a subject with no evidence).
        var asOf = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk?asOf=2026-11-01T00:00:00Z")).Expect(HttpStatusCode.OK);
        var baseline = asOf["score"]!.GetValue<int>();
        // The audit ended 2026-10-07: dated by 2026-10-10 it is there; dated by 2026-10-01 it is not.
        var dated = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk?dated=2026-10-10T00:00:00Z")).Expect(HttpStatusCode.OK);
        Assert.True(dated["score"]!.GetValue<int>() > baseline, dated.ToJsonString());
        Assert.Equal(DateTimeOffset.Parse("2026-10-10T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), dated["evaluatedAt"]!.GetValue<DateTimeOffset>());
        var before = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk?dated=2026-10-01T00:00:00Z")).Expect(HttpStatusCode.OK);
        Assert.Equal(baseline, before["score"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("asOf=yesterday", "asOf")]
    [InlineData("asOf=0001-01-01T00:00:00Z", "asOf")]
    [InlineData("dated=not-a-date", "dated")]
    [InlineData("dated=0001-01-01", "dated")]
    [InlineData("asOf=2026-11-01T00:00:00Z&dated=2026-11-01T00:00:00Z", "dated")]
    public async Task Bad_instants_on_risk_reads_are_400_naming_the_parameter(string query, string field)
    {
        var supplier = Id("sup");
        var recruiter = Id("rec");
        (await _client.PutJsonAsync($"/api/v1/suppliers/{supplier}/recruiters/{recruiter}", new { workforceShare = 0.5 })).Expect(HttpStatusCode.OK);
        foreach (var url in new[] { $"/api/v1/suppliers/{supplier}/risk?{query}", $"/api/v1/recruiters/{recruiter}/risk?{query}" })
        {
            var problem = (await _client.GetJsonAsync(url)).Expect(HttpStatusCode.BadRequest);
            Assert.NotNull(problem["errors"]![field]);
        }
    }

    private async Task<List<System.Text.Json.Nodes.JsonNode>> EventsAsync(string supplier, string type, bool includeWithdrawn = false)
    {
        await _factory.DerivedViewsCaughtUpAsync(); // Escalations are written behind the answers.
        var page = (await _client.GetJsonAsync($"/api/v1/escalations?subjectId=sup:{supplier}&type={type}&limit=500" + (includeWithdrawn ? "&includeWithdrawn=true" : ""))).Expect(HttpStatusCode.OK);
        return [.. page["items"]!.AsArray().Select(i => i!)];
    }
}

public sealed class SqliteTimeCheckTests() : TimeCheckTests(storage: null);

[Collection(PostgresCollection.Name)]
public sealed class PostgresTimeCheckTests(PostgresServerFixture server) : TimeCheckTests(server.CreateDatabase());
