using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// What the service exports through OpenTelemetry, read from an in-memory exporter added to its own pipeline: one
/// trace per request from the HTTP span to the evidence-log append, the project's metrics, and nothing confidential.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly TelemetryCapture _capture = new();
    private readonly ServiceFactory _factory;

    public TelemetryTests()
    {
        _factory = new ServiceFactory { ConfigureServices = _capture.AddTo };
        // The per-message log line is Debug (hot paths); turned on here so the leak check reads it too.
        _factory.Settings["Logging:LogLevel:SupplyChainWatch.Api.Hosting.MessageTelemetry"] = "Debug";
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task One_audit_submission_is_one_trace_from_the_request_through_the_message_and_grain_call_to_the_evidence_log_append()
    {
        var client = _factory.CreateClient(["auditor"]);
        // The caller's trace context is honoured, so the trace is found by its id among everything the process exports.
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/audits")
        {
            Content = new StringContent(JsonSerializer.Serialize(Samples.Audit("otel-aud-1", "otel-sup-1", null, Samples.Finding("F1", "documents", "major", 3)), ApiCalls.Json), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{callerSpan}-01");
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(request)).StatusCode);

        // The server span ends just after the answer is written.
        var spans = await ApiCalls.EventuallyAsync(
            () => Task.FromResult(_capture.Spans.Where(s => s.TraceId == traceId).ToList()),
            found => found.Any(IsHttpRequest));

        var server = Assert.Single(spans, IsHttpRequest);
        Assert.Equal("POST /api/v1/audits/", server.DisplayName);
        Assert.Equal(callerSpan, server.ParentSpanId);
        var message = Assert.Single(spans, s => s.Source.Name == "SupplyChainWatch.Api");
        Assert.Equal("SubmitAudit", message.DisplayName);
        Assert.Equal("ok", message.GetTagItem("scw.outcome"));
        var append = Assert.Single(spans, s => s.DisplayName == "evidence-log append");
        var grainCalls = spans.Where(s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.DisplayName.Contains("CatchUp", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(grainCalls);

        var byId = spans.ToDictionary(s => s.SpanId);
        Assert.True(Descends(message, server, byId), "the message span is inside the request span");
        Assert.True(Descends(append, message, byId), "the append span is inside the message span");
        Assert.All(grainCalls, call => Assert.True(Descends(call, message, byId), $"{call.DisplayName} is inside the message span"));
    }

    [Fact]
    public async Task The_projects_metrics_are_recorded()
    {
        var client = _factory.CreateClient(["auditor"]);
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit("otel-aud-2", "otel-sup-2", null, Samples.Finding("F1", "documents", "major", 3)))).Expect(HttpStatusCode.Created);
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit("otel-aud-2", "otel-sup-2", null, Samples.Finding("F1", "documents", "minor", 3)))).Expect(HttpStatusCode.Conflict);

        var metrics = _capture.CollectMetrics();

        Assert.Contains(metrics, m => m.Name == "scw.mediator.message.duration" && m.Tags["scw.message"] == "SubmitAudit" && m.Tags["scw.outcome"] == "ok" && m.Value >= 1);
        Assert.Contains(metrics, m => m.Name == "scw.mediator.message.duration" && m.Tags["scw.message"] == "SubmitAudit" && m.Tags["scw.outcome"] == "conflict" && m.Value >= 1);
        Assert.Contains(metrics, m => m.Name == "scw.ingest.signals" && m.Tags["outcome"] == "appended" && m.Value >= 1);
        Assert.Contains(metrics, m => m.Name == "scw.ingest.signals" && m.Tags["outcome"] == "conflict" && m.Value >= 1);
        Assert.Contains(metrics, m => m.Name == "scw.ingest.duration" && m.Tags["path"] == "single" && m.Value >= 1);
        Assert.Contains(metrics, m => m.Name == "scw.subject.stage.duration" && m.Value >= 1);
        Assert.Contains(metrics, m => m.Name == "scw.store.group_commit.batch_size" && m.Tags["store"] == "SqlEvidenceLog" && m.Value >= 1);
        Assert.Contains(metrics, m => m.Name == "http.server.request.duration");
    }

    [Fact]
    public async Task The_scrape_endpoint_answers_the_admin_role_only()
    {
        (await _factory.CreateClient(["auditor"]).PostJsonAsync("/api/v1/audits", Samples.Audit("otel-aud-3", "otel-sup-3", null, Samples.Finding("F1", "documents", "major", 3)))).Expect(HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient([]).GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await _factory.CreateClient(["compliance", "auditor", "grievance-handler"]).GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode);
        var scrape = await _factory.CreateClient(["admin"]).GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        Assert.Contains("scw_mediator_message_duration", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_span_metric_or_log_record_carries_a_grievance_narrative_or_contact()
    {
        var narrative = $"CANARYnarrative{Guid.NewGuid():N}";
        var contact = $"CANARYcontact{Guid.NewGuid():N}";
        var other = $"CANARYconflict{Guid.NewGuid():N}";
        var handler = _factory.CreateClient(["grievance-handler"]);

        (await handler.PostJsonAsync("/api/v1/grievances", Samples.Grievance("otel-grv-1", "otel-sup-4", null, "2026-11-10T10:00:00Z", narrative, contact, "isolation"))).Expect(HttpStatusCode.Created);
        var read = (await handler.GetJsonAsync("/api/v1/grievances/otel-grv-1")).Expect(HttpStatusCode.OK);
        Assert.Contains(narrative, read.ToJsonString(), StringComparison.Ordinal);
        // The same id with another narrative (409), and a narrative in an invalid submission (400), take the error paths.
        (await handler.PostJsonAsync("/api/v1/grievances", Samples.Grievance("otel-grv-1", "otel-sup-4", null, "2026-11-10T10:00:00Z", other, contact, "isolation"))).Expect(HttpStatusCode.Conflict);
        (await handler.PostJsonAsync("/api/v1/grievances", Samples.Grievance("otel-grv-2", "otel-sup-4", null, "not-a-date", narrative, contact, "isolation"))).Expect(HttpStatusCode.BadRequest);

        await ApiCalls.EventuallyAsync(() => Task.FromResult(_capture.Spans.Count(s => IsHttpRequest(s) && s.GetTagItem("url.path") is string path && path.StartsWith("/api/v1/grievances", StringComparison.Ordinal))), n => n >= 4);
        var spans = _capture.Spans.Select(TelemetryCapture.Text).ToList();
        var metrics = _capture.CollectMetrics().SelectMany(m => m.Tags.Select(t => $"{m.Name} {t.Key}={t.Value}")).ToList();
        var logs = _capture.LogRecords.ToList();
        Assert.Contains(spans, s => s.Contains("SubmitGrievance", StringComparison.Ordinal));
        Assert.Contains(metrics, m => m.Contains("SubmitGrievance", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains("SubmitGrievance", StringComparison.Ordinal));

        foreach (var canary in new[] { narrative, contact, other })
        {
            Assert.DoesNotContain(spans, s => s.Contains(canary, StringComparison.Ordinal));
            Assert.DoesNotContain(metrics, m => m.Contains(canary, StringComparison.Ordinal));
            Assert.DoesNotContain(logs, l => l.Contains(canary, StringComparison.Ordinal));
        }
    }

    private static bool IsHttpRequest(Activity span) => span.Source.Name == "Microsoft.AspNetCore" && span.Kind == ActivityKind.Server;

    private static bool Descends(Activity span, Activity ancestor, Dictionary<ActivitySpanId, Activity> byId)
    {
        for (var current = span; byId.TryGetValue(current.ParentSpanId, out var parent); current = parent)
        {
            if (parent.SpanId == ancestor.SpanId)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>
/// Instruments that hold a current value run alone: every host of the test process adds to the event-stream client count
/// (a process-wide instrument, as the service has one host per process), and hosts' gauges of one name overwrite each
/// other's value in a collection, so another test's host running beside would decide the numbers read here.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CurrentValueMetricsCollection
{
    public const string Name = "Current-value metrics";
}

/// <summary>Issue 16's metrics of current state: event stream (SSE) clients and quarantined subjects.</summary>
[Collection(CurrentValueMetricsCollection.Name)]
public sealed class CurrentValueMetricsTests : IAsyncLifetime
{
    private readonly TelemetryCapture _capture = new();
    private readonly ServiceFactory _factory;

    public CurrentValueMetricsTests() => _factory = new ServiceFactory { ConfigureServices = _capture.AddTo };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Event_stream_clients_count_each_open_stream_until_it_closes()
    {
        using var reader = _factory.CreateClient(["compliance"]);
        var before = Current("scw.events.clients");

        using var first = await OpenStreamAsync(reader);
        Assert.Equal(before + 1, Current("scw.events.clients"));
        using (await OpenStreamAsync(reader))
        {
            Assert.Equal(before + 2, Current("scw.events.clients"));
        }

        // The server sees the client go when its request is aborted, a moment after the response is disposed.
        await ApiCalls.EventuallyAsync(() => Task.FromResult(Current("scw.events.clients")), n => n == before + 1);
        Assert.Equal(before + 1, Current("scw.events.clients"));
    }

    [Fact]
    public async Task The_quarantined_subjects_gauge_counts_the_subjects_the_quarantine_list_shows()
    {
        using var admin = _factory.CreateClient(["admin"]);
        Assert.Empty((await admin.GetJsonAsync("/api/v1/admin/quarantine")).Expect(HttpStatusCode.OK).AsArray());
        Assert.Equal(0, Current("scw.subjects.quarantined"));

        // What a subject grain reports after an evaluation that left signals out (no valid submission does: the edge
        // refuses what the engine cannot use, so quarantine comes from stored rows of an earlier build).
        var quarantine = _factory.Service<SupplyChainWatch.Grains.Subjects.QuarantineRegistry>();
        quarantine.Report("sup:gauge-1", [new SupplyChainWatch.Domain.QuarantinedSignal("seq:1", "unreadable row")]);
        quarantine.Report("rec:gauge-2", [new SupplyChainWatch.Domain.QuarantinedSignal("seq:2", "unreadable row"), new SupplyChainWatch.Domain.QuarantinedSignal("seq:3", "unreadable row")]);
        Assert.Equal(2, (await admin.GetJsonAsync("/api/v1/admin/quarantine")).Expect(HttpStatusCode.OK).AsArray().Count);
        Assert.Equal(2, Current("scw.subjects.quarantined"));

        // A later evaluation with nothing left out takes the subject off the list and the gauge.
        quarantine.Report("sup:gauge-1", []);
        Assert.Equal(1, Current("scw.subjects.quarantined"));
    }

    /// <summary>The instrument's one point (neither carries tags); 0 when nothing was recorded yet.</summary>
    private double Current(string name)
    {
        var points = _capture.CollectMetrics().Where(m => m.Name == name).ToList();
        Assert.True(points.Count <= 1, $"{name}: {points.Count} points");
        return points.Count == 0 ? 0 : points[0].Value;
    }

    private static async Task<HttpResponseMessage> OpenStreamAsync(HttpClient client)
    {
        // The stream flushes its headers once the hub has the client, so the count includes it when this returns.
        var response = await client.GetAsync(new Uri("/api/v1/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
