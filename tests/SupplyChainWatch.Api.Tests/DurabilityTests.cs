using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests;

/// <summary>The durability contract, with a real process killed by SIGKILL; run once per store (derived classes below).</summary>
public abstract class DurabilityTests(StorageOptions? storage)
{
    // PostgreSQL mode clusters through the membership table: the restarted process must see its killed predecessor's
    // row as stale quickly (see SiloCluster.FastFailureDetection). SQLite mode is single-silo and needs nothing.
    private Dictionary<string, string>? Settings => storage is null ? null : SiloCluster.FastFailureDetection();

    [Fact]
    public async Task After_SIGKILL_every_acknowledged_signal_is_there_once_scores_are_identical_and_chains_verify()
    {
        var data = TestPaths.NewTempDirectory();
        var suppliers = Enumerable.Range(0, 6).Select(i => $"dur-sup-{i}").ToArray();
        var recruiter = "dur-rec-0";
        var acknowledged = new Dictionary<string, int>(StringComparer.Ordinal);
        Dictionary<string, JsonNode> before;

        await using (var service = await ServiceProcess.StartAsync(data, Settings, storage))
        {
            using var client = service.CreateClient();
            (await client.PutJsonAsync($"/api/v1/recruiters/{recruiter}", Samples.Recruiter())).Expect(HttpStatusCode.Created);
            foreach (var supplier in suppliers)
            {
                (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
                (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}/recruiters/{recruiter}", new { workforceShare = 0.2 })).Expect(HttpStatusCode.OK);
            }

            // Concurrent submissions: the embedded store must take them without writer starvation.
            var submissions = Enumerable.Range(0, 60).Select(async i =>
            {
                var supplier = suppliers[i % suppliers.Length];
                var answer = (i % 3) switch
                {
                    0 => await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"dur-aud-{i}", supplier, null,
                        Samples.Finding("F1", "wages", i % 2 == 0 ? "major" : "critical", 5 + i, codes: i % 4 == 0 ? ["wage-withholding"] : []))),
                    1 => await client.PostJsonAsync("/api/v1/grievances", Samples.Grievance($"dur-grv-{i}", supplier, recruiter, "2026-11-10T10:00:00Z", null, null, "isolation")),
                    _ => await client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport($"dur-fee-{i}", recruiter, supplier, $"w-{i}", 500m + (i * 10), loan: i % 2 == 0)),
                };
                Assert.Equal(HttpStatusCode.Created, answer.Status);
                return supplier;
            });
            foreach (var supplier in await Task.WhenAll(submissions))
            {
                acknowledged[supplier] = acknowledged.GetValueOrDefault(supplier) + 1;
            }

            before = await ReadRisksAsync(client, suppliers, recruiter);
            await service.KillAsync();
        }

        await using (var restarted = await ServiceProcess.StartAsync(data, Settings, storage))
        {
            using var client = restarted.CreateClient();
            var after = await ReadRisksAsync(client, suppliers, recruiter);
            foreach (var (subject, risk) in before)
            {
                Assert.Equal(risk["score"]!.GetValue<int>(), after[subject]["score"]!.GetValue<int>());
                Assert.Equal(risk["band"]!.GetValue<string>(), after[subject]["band"]!.GetValue<string>());
                Assert.Equal(risk["forcedLabour"]!.GetValue<string>(), after[subject]["forcedLabour"]!.GetValue<string>());
            }

            foreach (var supplier in suppliers)
            {
                // Grievances name the recruiter too; fee reports count as signals on both sides.
                var view = (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}")).Expect(HttpStatusCode.OK);
                Assert.Equal(acknowledged[supplier], view["signalCount"]!.GetValue<int>());
            }
        }

        if (storage is null)
        {
            await EvidenceLogVerification.AssertChainsVerifyAsync(Path.Combine(data, "scw.db"));
        }
        else
        {
            await EvidenceLogVerification.AssertChainsVerifyAsync(storage);
        }
    }

    [Fact]
    public async Task SIGKILL_during_a_burst_of_concurrent_submissions_loses_no_acknowledged_signal_and_replays_lazy_snapshots()
    {
        var data = TestPaths.NewTempDirectory();
        var suppliers = Enumerable.Range(0, 8).Select(i => $"burst-sup-{i}").ToArray();
        var acknowledged = new ConcurrentBag<(string Supplier, string AuditId)>();

        await using (var service = await ServiceProcess.StartAsync(data))
        {
            using var client = service.CreateClient();
            foreach (var supplier in suppliers)
            {
                (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
            }

            // 64 writers submit without pause (group commit batches them; snapshots lag behind the log), and the
            // process is killed while requests are in flight.
            using var stop = new CancellationTokenSource();
            var next = 0;
            var writers = Enumerable.Range(0, 64).Select(async _ =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var i = Interlocked.Increment(ref next);
                    var supplier = suppliers[i % suppliers.Length];
                    var auditId = $"burst-{i}";
                    try
                    {
                        var answer = await client.PostJsonAsync("/api/v1/audits", Samples.Audit(auditId, supplier, null,
                            Samples.Finding("F1", "wages", i % 5 == 0 ? "critical" : "minor", 1 + (i % 40), codes: i % 9 == 0 ? ["wage-withholding"] : [])));
                        if (answer.Status == HttpStatusCode.Created)
                        {
                            acknowledged.Add((supplier, auditId));
                        }
                    }
                    catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                    {
                        return; // The process is gone: this request was never acknowledged.
                    }
                }
            }).ToArray();
            await ApiCalls.EventuallyAsync(() => Task.FromResult(acknowledged.Count), count => count >= 400, TimeSpan.FromSeconds(60));
            await service.KillAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        Assert.True(acknowledged.Count >= 400, $"only {acknowledged.Count} submissions were acknowledged before the kill");
        var stored = await StoredAuditsAsync(Path.Combine(data, "scw.db"));
        Assert.All(acknowledged, a => Assert.Contains(a, stored));

        await using (var restarted = await ServiceProcess.StartAsync(data))
        {
            using var client = restarted.CreateClient();
            foreach (var supplier in suppliers)
            {
                var view = (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}")).Expect(HttpStatusCode.OK);
                Assert.Equal(stored.Count(s => s.Supplier == supplier), view["signalCount"]!.GetValue<int>());
            }
        }

        await EvidenceLogVerification.AssertChainsVerifyAsync(Path.Combine(data, "scw.db"));
    }

    private static async Task<HashSet<(string Supplier, string AuditId)>> StoredAuditsAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT subject_id, idempotency_key FROM evidence_log WHERE kind = 'finding'";
        var stored = new HashSet<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            // finding:{auditId}:F1 on sup:{supplierId}
            stored.Add((reader.GetString(0)["sup:".Length..], reader.GetString(1).Split(':')[1]));
        }

        return stored;
    }

    private static async Task<Dictionary<string, JsonNode>> ReadRisksAsync(HttpClient client, string[] suppliers, string recruiter)
    {
        var risks = new Dictionary<string, JsonNode>(StringComparer.Ordinal)
        {
            [$"rec:{recruiter}"] = (await client.GetJsonAsync($"/api/v1/recruiters/{recruiter}/risk")).Expect(HttpStatusCode.OK),
        };
        foreach (var supplier in suppliers)
        {
            // Propagation from the recruiter is pushed one-way: wait until the supplier has caught up.
            var recruiterScore = risks[$"rec:{recruiter}"]["score"]!.GetValue<int>();
            risks[$"sup:{supplier}"] = await ApiCalls.EventuallyAsync(
                async () => (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK),
                r => r["explanation"]!["propagation"]!["terms"]!.AsArray().All(t => t!["recruiterScore"]!.GetValue<double>() == recruiterScore));
        }

        return risks;
    }
}

public sealed class SqliteDurabilityTests() : DurabilityTests(storage: null);

[Collection(PostgresCollection.Name)]
public sealed class PostgresDurabilityTests(PostgresServerFixture server) : DurabilityTests(server.CreateDatabase());
