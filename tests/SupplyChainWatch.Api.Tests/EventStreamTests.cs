using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

public sealed class EventStreamTests : IDisposable
{
    private const string EscalationTypes = "risk.band_changed,forced_labour.indicated,case.escalated,recruiter.high_risk_linked,grievance.acknowledgement_overdue,corrective_action.overdue";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task A_subscriber_sees_the_risk_change_of_its_subject_and_not_of_others()
    {
        using var client = _factory.CreateClient(["compliance"]);
        using var writer = _factory.CreateClient();
        await using var stream = await EventStream.OpenAsync(client, "/api/v1/events?subjectIds=sup:sse-a&types=risk.changed");

        // The other subject changes first: had the filter let it through, it would arrive before the wanted one.
        await SubmitAuditAsync(writer, "sse-b-aud", "sse-b");
        await SubmitAuditAsync(writer, "sse-a-aud", "sse-a");

        var change = await stream.NextAsync(Timeout);
        Assert.Equal("risk.changed", change.Type);
        Assert.Equal("sup:sse-a", change.Data!["subjectId"]!.GetValue<string>());
        Assert.Equal("sse-a-aud/F1", change.Data["signalId"]!.GetValue<string>());
        var risk = (await writer.GetJsonAsync("/api/v1/suppliers/sse-a/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal(risk["score"]!.GetValue<int>(), change.Data["score"]!.GetValue<int>());
        Assert.Equal(risk["band"]!.GetValue<string>(), change.Data["band"]!.GetValue<string>());
        Assert.NotNull(change.Id); // Risk changes are resumable, as escalations are.
    }

    [Fact]
    public async Task Roles_without_access_are_refused_and_bad_filters_are_400_naming_them()
    {
        using var auditor = _factory.CreateClient(["auditor"]);
        (await auditor.GetJsonAsync("/api/v1/events")).Expect(HttpStatusCode.Forbidden);
        using var anonymous = _factory.CreateClient([]);
        (await anonymous.GetJsonAsync("/api/v1/events")).Expect(HttpStatusCode.Unauthorized);

        using var client = _factory.CreateClient(["compliance"]);
        var bad = (await client.GetJsonAsync("/api/v1/events?subjectIds=sse-x&types=nope&minBand=huge&sectors=space&countries=XX1")).Expect(HttpStatusCode.BadRequest);
        foreach (var field in new[] { "subjectIds", "types", "minBand", "sectors", "countries" })
        {
            Assert.NotNull(bad["errors"]![field]);
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events");
        request.Headers.Add("Last-Event-ID", "not-ours");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Last-Event-ID", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_resuming_with_Last_Event_ID_gets_the_escalations_it_missed_and_none_twice()
    {
        using var client = _factory.CreateClient(["compliance"]);
        using var writer = _factory.CreateClient();
        var url = $"/api/v1/events?subjectIds=sup:sse-r1,sup:sse-r2,sup:sse-r3&types={EscalationTypes}";

        string lastId;
        await using (var first = await EventStream.OpenAsync(client, url))
        {
            await SubmitAuditAsync(writer, "sse-r1-aud", "sse-r1");
            var expected = await EscalationIdsAsync(writer, "sup:sse-r1");
            Assert.NotEmpty(expected);
            var seen = new List<SseMessage>();
            while (seen.Count < expected.Count)
            {
                seen.Add(await first.NextAsync(Timeout));
            }

            Assert.Equal(expected, [.. seen.Select(m => m.Data!["eventId"]!.GetValue<string>())]);
            lastId = seen[^1].Id!;
        }

        // Missed while disconnected.
        await SubmitAuditAsync(writer, "sse-r2-aud", "sse-r2");
        var missed = await EscalationIdsAsync(writer, "sup:sse-r2");
        Assert.NotEmpty(missed);

        await using var resumed = await EventStream.OpenAsync(client, url, lastId);
        // A marker after the resume: everything before it is the replay (and anything live), so nothing else may be there.
        await SubmitAuditAsync(writer, "sse-r3-aud", "sse-r3");
        var marker = (await EscalationIdsAsync(writer, "sup:sse-r3"))[0];
        var received = new List<string>();
        while (true)
        {
            var message = await resumed.NextAsync(Timeout);
            var eventId = message.Data!["eventId"]!.GetValue<string>();
            if (eventId == marker)
            {
                break;
            }

            received.Add(eventId);
        }

        Assert.Equal(missed, received);
    }

    [Fact]
    public async Task Country_sector_and_minimum_band_filters_leave_out_other_subjects_risk_changes()
    {
        using var client = _factory.CreateClient(["compliance"]);
        using var writer = _factory.CreateClient();
        (await writer.PutJsonAsync("/api/v1/suppliers/sse-f-bd", Samples.Supplier("BD", "electronics"))).Expect(HttpStatusCode.Created);
        (await writer.PutJsonAsync("/api/v1/suppliers/sse-f-my", Samples.Supplier("MY", "apparel"))).Expect(HttpStatusCode.Created);
        await using var stream = await EventStream.OpenAsync(client, "/api/v1/events?types=risk.changed&countries=MY&sectors=apparel&minBand=high");

        // Filtered out, in order before the wanted change: another country and sector, then the wanted subject's minor
        // change that stays below the band. Had a filter let one through, it would arrive first.
        await SubmitAuditAsync(writer, "sse-f-bd-aud", "sse-f-bd");
        (await writer.PostJsonAsync("/api/v1/audits", Samples.Audit("sse-f-my-minor", "sse-f-my", null, Samples.Finding("F1", "wages", "observation", 1)))).Expect(HttpStatusCode.Created);
        await SubmitAuditAsync(writer, "sse-f-my-aud", "sse-f-my");

        var change = await stream.NextAsync(Timeout);
        Assert.Equal("sup:sse-f-my", change.Data!["subjectId"]!.GetValue<string>());
        Assert.Equal("sse-f-my-aud/F1", change.Data["signalId"]!.GetValue<string>());
        Assert.Contains(change.Data["band"]!.GetValue<string>(), new[] { "high", "critical" });
    }

    [Fact]
    public async Task A_grievance_moving_a_score_shows_nothing_over_the_stream_that_the_risk_view_of_the_role_does_not()
    {
        using var client = _factory.CreateClient(["compliance"]);
        using var handler = _factory.CreateClient(["grievance-handler"]);
        var narrative = "CANARYnarrative" + Guid.NewGuid().ToString("N");
        var contact = "CANARYcontact" + Guid.NewGuid().ToString("N");
        await using var stream = await EventStream.OpenAsync(client, "/api/v1/events?subjectIds=sup:sse-g");
        (await handler.PostJsonAsync("/api/v1/grievances", Samples.Grievance("sse-g-1", "sse-g", null, "2026-11-18T09:00:00Z", narrative, contact, "document-retention")))
            .Expect(HttpStatusCode.Created);

        var change = await stream.NextAsync(Timeout);
        while (change.Type != "risk.changed")
        {
            change = await stream.NextAsync(Timeout);
        }

        // What the REST risk answer of the same role shows: its score and band, and the signal id only if that answer
        // names it too (a view that hides a grievance hides it here as well).
        var risk = (await client.GetJsonAsync("/api/v1/suppliers/sse-g/risk")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain("CANARY", change.Data!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(risk["score"]!.GetValue<int>(), change.Data["score"]!.GetValue<int>());
        Assert.Equal(risk["band"]!.GetValue<string>(), change.Data["band"]!.GetValue<string>());
        if (change.Data["signalId"]?.GetValue<string>() is { } signalId)
        {
            Assert.Contains($"\"{signalId}\"", risk.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_grievance_the_worker_did_not_share_with_the_brand_is_named_withheld_over_the_stream_as_in_the_risk_view()
    {
        using var client = _factory.CreateClient(["compliance"]);
        using var handler = _factory.CreateClient(["grievance-handler"]);
        await using var stream = await EventStream.OpenAsync(client, "/api/v1/events?subjectIds=sup:sse-gw");
        var body = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(
            Samples.Grievance("sse-gw-secret-1", "sse-gw", null, "2026-11-18T09:00:00Z", null, null, "document-retention")))!;
        body["consent"]!["shareWithBrand"] = false;
        (await handler.PostJsonAsync("/api/v1/grievances", body.ToJsonString())).Expect(HttpStatusCode.Created);

        var change = await stream.NextAsync(Timeout);
        while (change.Type != "risk.changed")
        {
            change = await stream.NextAsync(Timeout);
        }

        var risk = (await client.GetJsonAsync("/api/v1/suppliers/sse-gw/risk")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain("sse-gw-secret-1", risk.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sse-gw-secret-1", change.Data!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(SupplyChainWatch.Domain.ConsentRules.WithheldSignalId, change.Data["signalId"]?.GetValue<string>());
        Assert.Equal(risk["score"]!.GetValue<int>(), change.Data["score"]!.GetValue<int>());
    }

    [Fact]
    public async Task Resuming_with_Last_Event_ID_replays_the_risk_changes_and_escalations_missed_none_twice_then_goes_live()
    {
        using var client = _factory.CreateClient(["compliance"]);
        using var writer = _factory.CreateClient();
        var url = "/api/v1/events?subjectIds=sup:sse-m1,sup:sse-m2,sup:sse-m3";

        string lastId;
        await using (var first = await EventStream.OpenAsync(client, url))
        {
            await SubmitAuditAsync(writer, "sse-m1-aud", "sse-m1");
            var change = await first.NextAsync(Timeout);
            while (change.Type != "risk.changed")
            {
                change = await first.NextAsync(Timeout);
            }

            lastId = change.Id!;
        }

        // While disconnected: a risk change and its escalations for sse-m2 (and whatever of sse-m1 followed its change).
        await SubmitAuditAsync(writer, "sse-m2-aud", "sse-m2");
        var escalationsM2 = await EscalationIdsAsync(writer, "sup:sse-m2");

        await using var resumed = await EventStream.OpenAsync(client, url, lastId);
        await SubmitAuditAsync(writer, "sse-m3-aud", "sse-m3"); // Live after the resume: the marker.
        var received = new List<SseMessage>();
        while (true)
        {
            var message = await resumed.NextAsync(Timeout);
            if (message.Data!["subjectId"]!.GetValue<string>() == "sup:sse-m3")
            {
                break;
            }

            received.Add(message);
        }

        var ids = received.Select(m => long.Parse(m.Id!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.All(ids, id => Assert.True(id > long.Parse(lastId, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(ids.Distinct().Order(), ids); // In order, none twice.
        var m2 = received.Where(m => m.Data!["subjectId"]!.GetValue<string>() == "sup:sse-m2").ToList();
        Assert.Single(m2, m => m.Type == "risk.changed");
        Assert.Equal(escalationsM2, [.. m2.Where(m => m.Type != "risk.changed").Select(m => m.Data!["eventId"]!.GetValue<string>())]);
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeats()
    {
        _factory.Settings[SupplyChainWatch.Api.Features.Events.EventEndpoints.HeartbeatSetting] = "00:00:00.200";
        using var client = _factory.CreateClient(["compliance"]);
        await using var stream = await EventStream.OpenAsync(client, "/api/v1/events");
        Assert.Equal("heartbeat", (await stream.NextAsync(Timeout, heartbeats: true)).Type);
        Assert.Equal("heartbeat", (await stream.NextAsync(Timeout, heartbeats: true)).Type);
    }

    private static async Task SubmitAuditAsync(HttpClient writer, string auditId, string supplierId) =>
        (await writer.PostJsonAsync("/api/v1/audits", Samples.Audit(auditId, supplierId, null,
            Samples.Finding("F1", "wages", "critical", 40, codes: "wage-withholding")))).Expect(HttpStatusCode.Created);

    /// <summary>The subject's escalation ids once the derived views (written behind the answers) have caught up.</summary>
    private async Task<List<string>> EscalationIdsAsync(HttpClient client, string subjectKey)
    {
        await _factory.DerivedViewsCaughtUpAsync();
        return [.. (await client.GetJsonAsync($"/api/v1/escalations?subjectId={subjectKey}")).Expect(HttpStatusCode.OK)["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>())];
    }
}

public sealed record SseMessage(string Type, string? Id, JsonNode? Data);

/// <summary>A text/event-stream response read event by event (heartbeats skipped).</summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStream(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public static async Task<EventStream> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return new EventStream(response, await response.Content.ReadAsStreamAsync());
    }

    public async Task<SseMessage> NextAsync(TimeSpan timeout, bool heartbeats = false)
    {
        using var cancel = new CancellationTokenSource(timeout);
        string? type = null;
        string? id = null;
        string? data = null;
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancel.Token) ?? throw new InvalidOperationException("The stream ended.");
            if (line.Length == 0)
            {
                if (type is not null && (heartbeats || type != "heartbeat"))
                {
                    return new SseMessage(type, id, string.IsNullOrEmpty(data) ? null : JsonNode.Parse(data));
                }

                (type, id, data) = (null, null, null);
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line["id: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        await Task.CompletedTask;
    }
}
