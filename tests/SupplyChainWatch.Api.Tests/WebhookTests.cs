using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>One service for the webhook tests; each test uses its own countries and receiver paths so deliveries never mix.</summary>
public sealed class WebhookServiceFixture : IAsyncLifetime
{
    public ServiceFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        WebhookTestSettings.Apply(Factory.Settings);
        Client = Factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}

public sealed class WebhookTests(WebhookServiceFixture fixture, ITestOutputHelper output) : IClassFixture<WebhookServiceFixture>
{
    private static readonly string[] Bands = ["low", "medium", "high", "critical"];
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task A_scripted_scenario_arrives_exactly_as_subscribed_signed_so_that_dotnet_and_the_standardwebhooks_npm_package_verify_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var a = await SubscribeAsync(receiver.Url("/a"), ["case.escalated", "risk.band_changed"], new { countries = new[] { "MY" } });
        var b = await SubscribeAsync(receiver.Url("/b"), ["case.escalated", "forced_labour.indicated", "risk.band_changed"], new { sectors = new[] { "electronics" }, minBand = "critical" });
        var subjects = new Dictionary<string, (string Country, string Sector)>
        {
            ["sc-my-apparel"] = ("MY", "apparel"),
            ["sc-th-electronics"] = ("TH", "electronics"),
            ["sc-my-electronics"] = ("MY", "electronics"),
            ["sc-th-apparel"] = ("TH", "apparel"),
        };
        // Warm-up on a subject neither subscription matches, so first-request start-up costs are not timed below.
        await EscalateAsync("sc-ph-warm-up", "PH");
        var secretsA = new List<string> { a.Secret };
        var posted = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var escalatedWithin = new List<TimeSpan>();
        var index = 0;
        foreach (var (supplier, (country, sector)) in subjects)
        {
            (await _client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier(country, sector))).Expect(HttpStatusCode.Created);
            (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance($"{supplier}-g1", supplier, null, "2026-11-10T10:00:00Z", "NARRATIVE-MUST-NOT-LEAK", "CONTACT-MUST-NOT-LEAK", "isolation")))
                .Expect(HttpStatusCode.Created);
            posted[supplier] = DateTimeOffset.UtcNow;
            var watch = Stopwatch.StartNew();
            (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit($"{supplier}-a1", supplier, null,
                Samples.Finding("F1", "documents", "critical", 20, "verified", null, "document-retention")))).Expect(HttpStatusCode.Created);
            var escalated = await ApiCalls.EventuallyAsync(() => _client.GetJsonAsync($"/api/v1/escalations?subjectId=sup:{supplier}&type=case.escalated"),
                r => r.Body?["items"]?.AsArray().Count > 0, TimeSpan.FromSeconds(5));
            escalatedWithin.Add(watch.Elapsed);
            Assert.NotEmpty(escalated.Body!["items"]!.AsArray());
            if (++index == 2)
            {
                // Rotation mid-scenario: later deliveries to A carry the new and the old signature.
                var rotated = (await _client.PostJsonAsync($"/api/v1/webhooks/subscriptions/{a.Id}/rotate-secret", null)).Expect(HttpStatusCode.OK);
                secretsA.Add(rotated["secret"]!.GetValue<string>());
                Assert.NotNull(rotated["subscription"]!["previousSecretValidUntil"]);
            }
        }

        // Escalations are derived behind the answer, within a bounded lag: case.escalated exists within a second.
        output.WriteLine($"case.escalated visible after the audit POST started: {string.Join(", ", escalatedWithin.Select(t => $"{t.TotalMilliseconds:F0} ms"))}");
        Assert.All(escalatedWithin, t => Assert.True(t < TimeSpan.FromSeconds(1), $"case.escalated took {t}"));

        await fixture.Factory.DerivedViewsCaughtUpAsync();
        var events = (await _client.GetJsonAsync("/api/v1/escalations?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray()
            .Where(e => subjects.Keys.Any(s => e!["subjectId"]!.GetValue<string>() == "sup:" + s)).ToList();
        bool Matches(JsonNode e, string[] types, string? country, string? sector, string? minBand)
        {
            var subject = subjects[e["subjectId"]!.GetValue<string>()["sup:".Length..]];
            return types.Contains(e["type"]!.GetValue<string>())
                && (country is null || subject.Country == country)
                && (sector is null || subject.Sector == sector)
                && (minBand is null || Array.IndexOf(Bands, e["data"]!["band"]!.GetValue<string>()) >= Array.IndexOf(Bands, minBand));
        }

        var expectedA = events.Where(e => Matches(e!, ["case.escalated", "risk.band_changed"], "MY", null, null)).Select(e => e!["id"]!.GetValue<string>()).Order().ToList();
        var expectedB = events.Where(e => Matches(e!, ["case.escalated", "forced_labour.indicated", "risk.band_changed"], null, "electronics", "critical")).Select(e => e!["id"]!.GetValue<string>()).Order().ToList();
        Assert.NotEmpty(expectedA);
        Assert.NotEmpty(expectedB);
        Assert.NotEqual(expectedA, expectedB);

        await ApiCalls.EventuallyAsync(() => Task.FromResult(receiver.Received.Count), n => n >= expectedA.Count + expectedB.Count, TimeSpan.FromSeconds(20));
        // Barrier instead of a pause: the derived views are caught up (every outbox row exists), and once neither
        // subscription has a pending delivery, nothing more will be sent to them.
        foreach (var subscription in new[] { a.Id, b.Id })
        {
            await ApiCalls.EventuallyAsync(() => DeliveriesAsync(subscription, "pending"), pending => pending.Count == 0, TimeSpan.FromSeconds(20));
        }
        var onA = receiver.On("/a");
        var onB = receiver.On("/b");
        Assert.Equal(expectedA, onA.Select(r => r.Json["eventId"]!.GetValue<string>()).Order().ToList());
        Assert.Equal(expectedB, onB.Select(r => r.Json["eventId"]!.GetValue<string>()).Order().ToList());
        Assert.Equal(onA.Count + onB.Count, receiver.Received.Select(r => r.Id).Distinct().Count());

        // Body: {type, timestamp, data} with identifiers, scores and codes; never the narrative or contact.
        Assert.All(receiver.Received, r =>
        {
            Assert.Equal(r.Json["type"]!.GetValue<string>(), events.Single(e => e!["id"]!.GetValue<string>() == r.Json["eventId"]!.GetValue<string>())!["type"]!.GetValue<string>());
            Assert.NotNull(r.Json["timestamp"]);
            Assert.NotNull(r.Json["data"]!["score"]);
            Assert.DoesNotContain("MUST-NOT-LEAK", r.Body, StringComparison.Ordinal);
        });

        // Signatures: every delivery to B with B's secret; deliveries to A after the rotation verify with both secrets.
        Assert.All(onB, r => Assert.True(WebhookVerification.Verify(r, b.Secret), $"signature of {r.Id} on /b"));
        Assert.All(onA, r => Assert.True(secretsA.Any(s => WebhookVerification.Verify(r, s)), $"signature of {r.Id} on /a"));
        var twoSignatures = onA.Where(r => r.Signature.Contains(' ', StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(twoSignatures);
        Assert.All(twoSignatures, r => Assert.True(WebhookVerification.Verify(r, secretsA[0]) && WebhookVerification.Verify(r, secretsA[1])));

        var forNode = onB.Select(r => (r, b.Secret))
            .Concat(onA.Select(r => (r, twoSignatures.Contains(r) ? secretsA[1] : secretsA[0])))
            .Concat(twoSignatures.Select(r => (r, secretsA[0])))
            .ToList();
        var (verified, failures) = await WebhookVerification.VerifyWithNodeAsync(forNode);
        Assert.True(verified == forNode.Count, $"standardwebhooks verified {verified} of {forNode.Count}: {failures}");
        // And it rejects a tampered body (so the agreement above means something).
        var tampered = onB[0] with { Body = onB[0].Body.Replace("\"score\":", "\"score\": ", StringComparison.Ordinal) };
        Assert.Equal(0, (await WebhookVerification.VerifyWithNodeAsync([(tampered, b.Secret)])).Verified);

        var latencies = receiver.Received.Where(r => r.Json["type"]!.GetValue<string>() == "case.escalated")
            .Select(r => (r.ReceivedAt - posted[r.Json["data"]!["subjectId"]!.GetValue<string>()["sup:".Length..]]).TotalMilliseconds).Order().ToList();
        output.WriteLine($"case.escalated delivered after the audit POST started: min {latencies[0]:F0} ms, max {latencies[^1]:F0} ms ({latencies.Count} deliveries); {forNode.Count} signatures verified by standardwebhooks (npm)");

        var deliveries = (await _client.GetJsonAsync($"/api/v1/webhooks/subscriptions/{a.Id}/deliveries")).Expect(HttpStatusCode.OK)["items"]!.AsArray();
        Assert.Equal(onA.Select(r => r.Id).Order(), deliveries.Select(d => d!["id"]!.GetValue<string>()).Order());
        Assert.All(deliveries, d => Assert.Equal("delivered", d!["status"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_receiver_down_for_the_first_attempts_gets_the_event_once_with_the_same_webhook_id_and_Retry_After_is_honoured()
    {
        var port = FreePort.Next();
        var subscription = await SubscribeAsync($"http://127.0.0.1:{port}/down", ["case.escalated"], new { countries = new[] { "VN" } });
        var posted = DateTimeOffset.UtcNow;
        await EscalateAsync("rt-vn-1", "VN");

        // Nothing listens on the port: attempts fail with connection refused until the receiver starts.
        var failed = await ApiCalls.EventuallyAsync(() => DeliveriesAsync(subscription.Id), d => d.Count == 1 && d[0]!["attempts"]!.AsArray().Count >= 2, TimeSpan.FromSeconds(10));
        Assert.All(failed[0]!["attempts"]!.AsArray(), attempt => Assert.Null(attempt!["statusCode"]));
        await using var receiver = await WebhookReceiver.StartAsync(port);
        // Once up, it first asks for a pause with Retry-After, then accepts.
        receiver.Answer = (_, i) => i == 0 ? new ReceiverAnswer(503, RetryAfterSeconds: 2) : new ReceiverAnswer(200);
        var done = await ApiCalls.EventuallyAsync(() => DeliveriesAsync(subscription.Id), d => d[0]!["status"]!.GetValue<string>() == "delivered", TimeSpan.FromSeconds(20));

        var arrivals = receiver.On("/down");
        Assert.Equal(2, arrivals.Count);
        Assert.Single(arrivals, r => r.AnsweredStatus == 200);
        Assert.Single(arrivals.Select(r => r.Id).Distinct());
        Assert.Equal(done[0]!["id"]!.GetValue<string>(), arrivals[0].Id);
        Assert.All(arrivals, r => Assert.True(WebhookVerification.Verify(r, subscription.Secret)));
        var gap = arrivals[1].ReceivedAt - arrivals[0].ReceivedAt;
        Assert.True(gap >= TimeSpan.FromSeconds(1.9), $"Retry-After: 2 was not honoured; the next attempt came after {gap}");
        var attempts = done[0]!["attempts"]!.AsArray();
        output.WriteLine($"attempts: {string.Join(" | ", attempts.Select(t => $"{t!["statusCode"]?.ToJsonString() ?? "-"} {t["latencyMs"]} ms {t["error"]}"))}; delivered {(arrivals[^1].ReceivedAt - posted).TotalMilliseconds:F0} ms after the signal");
        Assert.Equal(503, attempts[^2]!["statusCode"]!.GetValue<int>());
        Assert.Equal(200, attempts[^1]!["statusCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_410_disables_the_subscription_and_enable_turns_it_back_on()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (_, _) => new ReceiverAnswer(410);
        var subscription = await SubscribeAsync(receiver.Url("/gone"), ["case.escalated"], new { countries = new[] { "BD" } });
        await EscalateAsync("gone-bd-1", "BD");

        var view = await ApiCalls.EventuallyAsync(() => _client.GetJsonAsync($"/api/v1/webhooks/subscriptions/{subscription.Id}"),
            r => r.Body?["enabled"]?.GetValue<bool>() == false, TimeSpan.FromSeconds(10));
        Assert.False(view.Body!["enabled"]!.GetValue<bool>());
        Assert.Contains("410", view.Body["disabledReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Single(receiver.On("/gone"));
        var dead = await DeliveriesAsync(subscription.Id, "dead");
        Assert.Equal("gone", Assert.Single(dead)!["attempts"]![0]!["outcome"]!.GetValue<string>());

        // Disabled: a new matching event gets no delivery.
        await EscalateAsync("gone-bd-2", "BD");
        // Barrier: the escalation and any outbox row it makes are written in one transaction; once the derived views are
        // caught up, a delivery that was going to exist would.
        await fixture.Factory.DerivedViewsCaughtUpAsync();
        Assert.Single(await DeliveriesAsync(subscription.Id));
        Assert.Single(receiver.On("/gone"));

        var enabled = (await _client.PostJsonAsync($"/api/v1/webhooks/subscriptions/{subscription.Id}/enable", null)).Expect(HttpStatusCode.OK);
        Assert.True(enabled["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_500_forever_ends_in_the_dead_letter_list_and_replay_delivers_it_with_the_same_webhook_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var failing = true;
        receiver.Answer = (_, _) => new ReceiverAnswer(Volatile.Read(ref failing) ? 500 : 200);
        var subscription = await SubscribeAsync(receiver.Url("/dead"), ["case.escalated"], new { countries = new[] { "KH" } });
        await EscalateAsync("dead-kh-1", "KH");

        var dead = await ApiCalls.EventuallyAsync(() => DeliveriesAsync(subscription.Id, "dead"), d => d.Count == 1, TimeSpan.FromSeconds(20));
        var letter = Assert.Single(dead)!;
        var attempts = letter["attempts"]!.AsArray();
        Assert.Equal(5, attempts.Count); // the first attempt and one per configured retry delay (4)
        Assert.All(attempts, t => Assert.Equal(500, t!["statusCode"]!.GetValue<int>()));
        Assert.Equal(5, receiver.On("/dead").Count);
        output.WriteLine($"dead-lettered after {attempts.Count} attempts over {(receiver.On("/dead")[^1].ReceivedAt - receiver.On("/dead")[0].ReceivedAt).TotalMilliseconds:F0} ms");

        var id = letter["id"]!.GetValue<string>();
        (await _client.PostJsonAsync($"/api/v1/webhooks/deliveries/{id}/replay", null)).Expect(HttpStatusCode.OK);
        var again = await ApiCalls.EventuallyAsync(() => DeliveriesAsync(subscription.Id), d => d[0]!["status"]!.GetValue<string>() != "pending", TimeSpan.FromSeconds(20));
        Assert.Equal("dead", again[0]!["status"]!.GetValue<string>()); // still failing: dead again after a fresh schedule

        Volatile.Write(ref failing, false);
        (await _client.PostJsonAsync($"/api/v1/webhooks/deliveries/{id}/replay", null)).Expect(HttpStatusCode.OK);
        var delivered = await ApiCalls.EventuallyAsync(() => DeliveriesAsync(subscription.Id), d => d[0]!["status"]!.GetValue<string>() == "delivered", TimeSpan.FromSeconds(10));
        Assert.Equal("delivered", delivered[0]!["status"]!.GetValue<string>());
        var last = receiver.On("/dead")[^1];
        Assert.Equal(200, last.AnsweredStatus);
        Assert.Equal(id, last.Id);
        Assert.True(WebhookVerification.Verify(last, subscription.Secret));
        Assert.Single(receiver.On("/dead").Select(r => r.Id).Distinct());

        // A delivered event can be replayed too: it arrives again with the same id.
        var before = receiver.On("/dead").Count;
        (await _client.PostJsonAsync($"/api/v1/webhooks/deliveries/{id}/replay", null)).Expect(HttpStatusCode.OK);
        await ApiCalls.EventuallyAsync(() => Task.FromResult(receiver.On("/dead").Count), n => n > before, TimeSpan.FromSeconds(10));
        Assert.Equal(id, receiver.On("/dead")[^1].Id);
        (await _client.PostJsonAsync("/api/v1/webhooks/deliveries/msg_unknown/replay", null)).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_host_name_that_resolves_to_loopback_is_refused_at_delivery_time_when_only_the_IP_literal_is_allow_listed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var subscription = await SubscribeAsync($"http://localhost:{receiver.BaseAddress.Port}/named", ["case.escalated"], new { countries = new[] { "ID" } });
        await EscalateAsync("ssrf-id-1", "ID");

        var refused = await ApiCalls.EventuallyAsync(() => DeliveriesAsync(subscription.Id), d => d.Count == 1 && d[0]!["attempts"]!.AsArray().Count >= 1, TimeSpan.FromSeconds(10));
        var attempt = refused[0]!["attempts"]![0]!;
        Assert.Null(attempt["statusCode"]);
        Assert.Equal("refused_address", attempt["error"]!.GetValue<string>());
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task A_failed_attempt_tells_the_subscriber_a_coarse_category_never_the_address_or_port()
    {
        var port = FreePort.Next();
        var subscription = await SubscribeAsync($"http://127.0.0.1:{port}/nobody", ["case.escalated"], new { countries = new[] { "KH" } });
        await EscalateAsync("coarse-kh-1", "KH");

        var deliveries = await ApiCalls.EventuallyAsync(() => DeliveriesAsync(subscription.Id), d => d.Count == 1 && d[0]!["attempts"]!.AsArray().Count >= 1, TimeSpan.FromSeconds(10));
        var attempt = deliveries[0]!["attempts"]![0]!;

        Assert.Null(attempt["statusCode"]);
        Assert.Equal("connection_refused", attempt["error"]!.GetValue<string>());
    }

    [Fact]
    public async Task Subscriptions_are_validated_listed_read_rotated_and_deleted()
    {
        var invalid = (await _client.PostJsonAsync("/api/v1/webhooks/subscriptions", new
        {
            url = "ftp://example.org/x",
            eventTypes = new[] { "case.escalated", "case.closed" },
            filter = new { countries = new[] { "my" }, sectors = new[] { "spaceflight" }, minBand = "severe" },
        })).Expect(HttpStatusCode.BadRequest)["errors"]!.AsObject();
        Assert.Equal(["eventTypes[1]", "filter.countries[0]", "filter.minBand", "filter.sectors[0]", "url"], invalid.Select(e => e.Key).Order(StringComparer.Ordinal));
        (await _client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = "https://hooks.example.org/x", eventTypes = Array.Empty<string>() }))
            .Expect(HttpStatusCode.BadRequest);

        var created = await SubscribeAsync("https://hooks.example.org/x", ["corrective_action.overdue"], null);
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        // Encrypted at rest: neither the secret nor its key part is in any column of any table.
        Assert.Empty(await DatabaseInspection.FindAsync(fixture.Factory.DatabasePath, created.Secret["whsec_".Length..]));
        Assert.True(Convert.FromBase64String(created.Secret["whsec_".Length..]).Length >= 24);
        var one = (await _client.GetJsonAsync($"/api/v1/webhooks/subscriptions/{created.Id}")).Expect(HttpStatusCode.OK);
        Assert.Null(one["secret"]);
        Assert.DoesNotContain(created.Secret, one.ToJsonString(), StringComparison.Ordinal);
        var list = (await _client.GetJsonAsync("/api/v1/webhooks/subscriptions")).Expect(HttpStatusCode.OK);
        Assert.Contains(list["items"]!.AsArray(), s => s!["id"]!.GetValue<string>() == created.Id);
        Assert.DoesNotContain(created.Secret, list.ToJsonString(), StringComparison.Ordinal);

        var rotated = (await _client.PostJsonAsync($"/api/v1/webhooks/subscriptions/{created.Id}/rotate-secret", null)).Expect(HttpStatusCode.OK);
        Assert.NotEqual(created.Secret, rotated["secret"]!.GetValue<string>());
        var until = rotated["subscription"]!["previousSecretValidUntil"]!.GetValue<DateTimeOffset>();
        Assert.InRange(until - DateTimeOffset.UtcNow, TimeSpan.FromHours(23.9), TimeSpan.FromHours(24));

        var delete = await _client.DeleteAsync(new Uri($"/api/v1/webhooks/subscriptions/{created.Id}", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        (await _client.GetJsonAsync($"/api/v1/webhooks/subscriptions/{created.Id}")).Expect(HttpStatusCode.NotFound);
        (await _client.GetJsonAsync($"/api/v1/webhooks/subscriptions/{created.Id}/deliveries")).Expect(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync(new Uri($"/api/v1/webhooks/subscriptions/{created.Id}", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task An_NGO_cannot_see_or_touch_another_NGOs_subscriptions_or_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        using var ngoA = fixture.Factory.CreateClient([]);
        ngoA.DefaultRequestHeaders.Authorization = TestTokens.Bearer("hotline-a", ["ngo"]);
        using var ngoB = fixture.Factory.CreateClient([]);
        ngoB.DefaultRequestHeaders.Authorization = TestTokens.Bearer("hotline-b", ["ngo"]);
        var created = (await ngoA.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = receiver.Url("/ngo-a"), eventTypes = new[] { "case.escalated" }, filter = new { countries = new[] { "LK" } } }))
            .Expect(HttpStatusCode.Created);
        var id = created["subscription"]!["id"]!.GetValue<string>();
        await EscalateAsync("ngo-lk-1", "LK");
        var delivered = await ApiCalls.EventuallyAsync(() => ngoA.GetJsonAsync($"/api/v1/webhooks/subscriptions/{id}/deliveries?status=delivered"),
            r => r.Body?["items"]?.AsArray().Count == 1, TimeSpan.FromSeconds(10));
        var deliveryId = delivered.Body!["items"]![0]!["id"]!.GetValue<string>();

        // B's list holds nothing of A's; every route naming A's subscription or delivery is 404 for B, as if it did not exist.
        var listB = (await ngoB.GetJsonAsync("/api/v1/webhooks/subscriptions")).Expect(HttpStatusCode.OK);
        Assert.DoesNotContain(id, listB.ToJsonString(), StringComparison.Ordinal);
        (await ngoB.GetJsonAsync($"/api/v1/webhooks/subscriptions/{id}")).Expect(HttpStatusCode.NotFound);
        (await ngoB.GetJsonAsync($"/api/v1/webhooks/subscriptions/{id}/deliveries")).Expect(HttpStatusCode.NotFound);
        (await ngoB.PostJsonAsync($"/api/v1/webhooks/subscriptions/{id}/rotate-secret", null)).Expect(HttpStatusCode.NotFound);
        (await ngoB.PostJsonAsync($"/api/v1/webhooks/subscriptions/{id}/enable", null)).Expect(HttpStatusCode.NotFound);
        (await ngoB.PostJsonAsync($"/api/v1/webhooks/deliveries/{deliveryId}/replay", null)).Expect(HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.NotFound, (await ngoB.DeleteAsync(new Uri($"/api/v1/webhooks/subscriptions/{id}", UriKind.Relative))).StatusCode);

        // Nothing B did changed A's subscription: same secret (no rotation), still there, one delivery, replayable by A.
        var view = (await ngoA.GetJsonAsync($"/api/v1/webhooks/subscriptions/{id}")).Expect(HttpStatusCode.OK);
        Assert.Null(view["previousSecretValidUntil"]);
        Assert.Contains(id, (await ngoA.GetJsonAsync("/api/v1/webhooks/subscriptions")).Expect(HttpStatusCode.OK).ToJsonString(), StringComparison.Ordinal);
        Assert.Single(receiver.On("/ngo-a"));
        (await ngoA.PostJsonAsync($"/api/v1/webhooks/deliveries/{deliveryId}/replay", null)).Expect(HttpStatusCode.OK);
    }

    private async Task<(string Id, string Secret)> SubscribeAsync(string url, string[] eventTypes, object? filter)
    {
        var body = (await _client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url, description = "test", eventTypes, filter })).Expect(HttpStatusCode.Created);
        return (body["subscription"]!["id"]!.GetValue<string>(), body["secret"]!.GetValue<string>());
    }

    private async Task EscalateAsync(string supplier, string country)
    {
        (await _client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier(country))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit($"{supplier}-a1", supplier, null,
            Samples.Finding("F1", "documents", "critical", 20, "verified", null, "document-retention")))).Expect(HttpStatusCode.Created);
    }

    private async Task<JsonArray> DeliveriesAsync(string subscriptionId, string? status = null) =>
        (await _client.GetJsonAsync($"/api/v1/webhooks/subscriptions/{subscriptionId}/deliveries" + (status is null ? "" : "?status=" + status)))
            .Expect(HttpStatusCode.OK)["items"]!.AsArray();
}

/// <summary>A service without the loopback allow-list.</summary>
public sealed class NoAllowListServiceFixture : IAsyncLifetime
{
    public ServiceFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        WebhookTestSettings.Apply(Factory.Settings, allowLoopback: false);
        Client = Factory.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}

/// <summary>Without the loopback allow-list: internal targets are refused when subscribing.</summary>
public sealed class WebhookSsrfTests(NoAllowListServiceFixture fixture) : IClassFixture<NoAllowListServiceFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook")]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://10.20.30.40/hook")]
    [InlineData("https://192.168.1.10/hook")]
    [InlineData("https://172.16.5.4/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[fd00:ec2::254]/hook")]
    [InlineData("https://[::ffff:10.0.0.1]/hook")]
    [InlineData("http://hooks.example.org/plain-http")]
    [InlineData("https://user:pass@hooks.example.org/hook")]
    public async Task Internal_or_insecure_targets_are_refused_when_subscribing(string url)
    {
        var answer = await _client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url, eventTypes = new[] { "case.escalated" } });
        var errors = answer.Expect(HttpStatusCode.BadRequest)["errors"]!.AsObject();
        Assert.Equal("url", Assert.Single(errors).Key);
    }

    [Fact]
    public async Task A_public_https_target_is_accepted()
    {
        (await _client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = "https://hooks.example.org/scw", eventTypes = new[] { "case.escalated" } }))
            .Expect(HttpStatusCode.Created);
    }
}
