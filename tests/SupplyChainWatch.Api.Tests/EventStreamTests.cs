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

    private static async Task SubmitAuditAsync(HttpClient writer, string auditId, string supplierId) =>
        (await writer.PostJsonAsync("/api/v1/audits", Samples.Audit(auditId, supplierId, null,
            Samples.Finding("F1", "wages", "critical", 40, codes: "wage-withholding")))).Expect(HttpStatusCode.Created);

    private static async Task<List<string>> EscalationIdsAsync(HttpClient client, string subjectKey) =>
        [.. (await client.GetJsonAsync($"/api/v1/escalations?subjectId={subjectKey}")).Expect(HttpStatusCode.OK)["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>())];
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

    public async Task<SseMessage> NextAsync(TimeSpan timeout)
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
                if (type is not null && type != "heartbeat")
                {
                    return new SseMessage(type, id, data is null ? null : JsonNode.Parse(data));
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
