using System.Net;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Storage;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Acceptance 2 of issue 13: SIGKILL after acknowledgements and before the derived writes (a slow derived store holds them
/// for a minute), then a restart. Run once per store (derived classes below).
/// </summary>
public abstract class DerivedViewCrashTests(StorageOptions? storage, ITestOutputHelper output)
{
    private static readonly string[] EventTypes = ["risk.band_changed", "forced_labour.indicated", "case.escalated"];

    [Fact]
    public async Task SIGKILL_before_the_derived_writes_then_restart_every_acknowledged_signal_scores_and_each_implied_escalation_is_stored_and_delivered_once()
    {
        var data = TestPaths.NewTempDirectory();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = storage is null ? new Dictionary<string, string>() : SiloCluster.FastFailureDetection();
        var webhookSettings = new Dictionary<string, string>();
        WebhookTestSettings.Apply(webhookSettings);
        foreach (var (key, value) in webhookSettings)
        {
            settings[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var slow = new Dictionary<string, string>(settings) { ["Storage__DerivedWriteDelay"] = "00:01:00" };
        var suppliers = Enumerable.Range(0, 6).Select(i => $"crash-sup-{i}").ToArray();
        var escalating = suppliers.Where((_, i) => i % 2 == 0).ToHashSet(StringComparer.Ordinal);
        var acknowledged = suppliers.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        var scores = new Dictionary<string, int>(StringComparer.Ordinal);
        string subscription;

        await using (var service = await ServiceProcess.StartAsync(data, slow, storage))
        {
            using var client = service.CreateClient();
            subscription = (await client.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url = receiver.Url("/crash"), eventTypes = EventTypes }))
                .Expect(HttpStatusCode.Created)["subscription"]!["id"]!.GetValue<string>();
            foreach (var supplier in suppliers)
            {
                (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
            }

            var submissions = Enumerable.Range(0, 24).Select(async i =>
            {
                var supplier = suppliers[i % suppliers.Length];
                var finding = escalating.Contains(supplier) && i < suppliers.Length
                    ? Samples.Finding("F1", "forced-labour", "critical", 20, codes: ["deception-nature-of-work", "threat-dismissal-or-financial-penalty"])
                    : Samples.Finding("F1", "wages", "minor", 1 + i);
                (await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"crash-aud-{i}", supplier, null, finding))).Expect(HttpStatusCode.Created);
                return supplier;
            });
            foreach (var supplier in await Task.WhenAll(submissions))
            {
                acknowledged[supplier]++;
            }

            foreach (var supplier in suppliers)
            {
                scores[supplier] = (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>();
            }

            // The window is real: the answers came, the consequences are still in memory only.
            Assert.Empty((await client.GetJsonAsync("/api/v1/escalations?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray());
            Assert.All(escalating, s => Assert.True(scores[s] >= 80, $"{s} scored {scores[s]}"));
            await service.KillAsync();
        }

        Assert.Empty(receiver.On("/crash"));
        await using (var restarted = await ServiceProcess.StartAsync(data, settings, storage))
        {
            using var client = restarted.CreateClient();
            // The start-up sweep derives the subjects whose log is ahead of their mark; escalations then arrive.
            var events = await ApiCalls.EventuallyAsync(
                async () => (await client.GetJsonAsync("/api/v1/escalations?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray().Select(e => e!).ToList(),
                e => escalating.All(s => e.Count(x => x["subjectId"]!.GetValue<string>() == "sup:" + s && x["type"]!.GetValue<string>() == "case.escalated") == 1),
                TimeSpan.FromSeconds(60));

            foreach (var supplier in escalating)
            {
                var types = events.Where(e => e["subjectId"]!.GetValue<string>() == "sup:" + supplier).Select(e => e["type"]!.GetValue<string>()).ToList();
                Assert.Equal(1, types.Count(t => t == "forced_labour.indicated"));
                Assert.Equal(1, types.Count(t => t == "case.escalated"));
                Assert.Equal(1, types.Count(t => t == "risk.band_changed"));
            }

            // The others only gathered minor findings: at most their band moved, once.
            foreach (var supplier in suppliers.Where(s => !escalating.Contains(s)))
            {
                var types = events.Where(e => e["subjectId"]!.GetValue<string>() == "sup:" + supplier).Select(e => e["type"]!.GetValue<string>()).ToList();
                Assert.All(types, t => Assert.Equal("risk.band_changed", t));
                Assert.True(types.Count <= 1, $"{supplier}: {string.Join(", ", types)}");
            }

            Assert.Equal(events.Count, events.Select(e => e["id"]!.GetValue<string>()).Distinct(StringComparer.Ordinal).Count());

            // Every acknowledged signal is in the score, and the read model says what the grains say.
            foreach (var supplier in suppliers)
            {
                var risk = (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
                Assert.Equal(scores[supplier], risk["score"]!.GetValue<int>());
                Assert.Equal(acknowledged[supplier], (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}")).Expect(HttpStatusCode.OK)["signalCount"]!.GetValue<int>());
            }

            var listed = (await client.GetJsonAsync("/api/v1/suppliers?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray();
            foreach (var supplier in suppliers)
            {
                Assert.Equal(scores[supplier], listed.Single(i => i!["id"]!.GetValue<string>() == supplier)!["score"]!.GetValue<int>());
            }

            // Delivered once each: every event has one delivery, all delivered (the outbox holds nothing more to send), and
            // the receiver saw each webhook id once.
            var deliveries = await ApiCalls.EventuallyAsync(
                async () => (await client.GetJsonAsync($"/api/v1/webhooks/subscriptions/{subscription}/deliveries?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray().Select(d => d!).ToList(),
                d => d.Count == events.Count && d.All(x => x["status"]!.GetValue<string>() == "delivered"),
                TimeSpan.FromSeconds(60));
            Assert.Equal(events.Count, deliveries.Count);
            Assert.All(deliveries, d => Assert.Equal("delivered", d["status"]!.GetValue<string>()));
            var received = receiver.On("/crash");
            Assert.Equal(events.Count, received.Count);
            Assert.Equal(events.Select(e => e["id"]!.GetValue<string>()).Order(StringComparer.Ordinal),
                received.Select(r => r.Json["eventId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
            output.WriteLine($"{events.Count} escalations re-derived after the restart and delivered once each");
        }
    }
}

public sealed class SqliteDerivedViewCrashTests(ITestOutputHelper output) : DerivedViewCrashTests(storage: null, output);

[Collection(PostgresCollection.Name)]
public sealed class PostgresDerivedViewCrashTests(PostgresServerFixture server, ITestOutputHelper output) : DerivedViewCrashTests(server.CreateDatabase(), output);
