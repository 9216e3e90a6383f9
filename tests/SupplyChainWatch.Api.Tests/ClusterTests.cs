using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Subjects;
using SupplyChainWatch.Storage;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Three silo processes on loopback sharing one PostgreSQL database: nothing acknowledged is lost when a silo is killed,
/// a full stop and start changes nothing, and parallel writes to one subject through every silo are counted once.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterTests(PostgresServerFixture server, ITestOutputHelper output)
{
    private static readonly string[] Categories = ["wages", "working-hours", "health-safety", "housing", "recruitment-fees"];
    private static readonly string[] Severities = ["minor", "major", "critical"];

    private static readonly string[] ForcedLabourEvents = ["forced_labour.indicated", "case.escalated"];

    /// <remarks>
    /// Also issue 13's crash acceptance with three silos: derived views (escalations, webhook outbox rows, the read model)
    /// are written behind the answers, so the killed silo takes some of them down with it; after the survivors take over,
    /// every escalation the acknowledged signals imply is stored once and delivered, and the read model equals the grains.
    /// </remarks>
    [Fact]
    public async Task SIGKILL_of_one_silo_mid_run_loses_no_acknowledged_signal_and_survivors_recover_within_30_seconds()
    {
        const int subjects = 500;
        const int signals = 5000;
        const int concurrency = 16;
        var total = Stopwatch.StartNew();
        await using var receiver = await WebhookReceiver.StartAsync();
        var webhookSettings = new Dictionary<string, string>();
        WebhookTestSettings.Apply(webhookSettings);
        await using var cluster = await SiloCluster.StartAsync(await server.CreateDatabaseAsync(), 3,
            extraSettings: webhookSettings.ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value));
        var clients = cluster.Silos.Select(s => s.CreateClient()).ToArray();
        // One supplier in fifty, the only ones in Thailand, gets a forced-labour finding among its signals (shortly before the
        // kill); the subscription follows those suppliers only.
        var escalating = Enumerable.Range(0, subjects).Where(n => n % 50 == 7).Select(n => $"sup-{n:D3}").ToHashSet(StringComparer.Ordinal);
        foreach (var supplier in escalating)
        {
            (await clients[0].PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier(country: "TH"))).Expect(HttpStatusCode.Created);
        }

        var subscription = (await clients[0].PostJsonAsync("/api/v1/webhooks/subscriptions",
                new { url = receiver.Url("/burst"), eventTypes = ForcedLabourEvents, filter = new { countries = new[] { "TH" } } }))
            .Expect(HttpStatusCode.Created)["subscription"]!["id"]!.GetValue<string>();
        var acknowledged = new ConcurrentDictionary<(string Subject, string Key), int>();
        var outages = new ConcurrentBag<double>();
        var failures = new ConcurrentBag<(double SinceKill, string Where, string What)>();
        var unanswered = new ConcurrentBag<string>();
        var completed = 0;
        var retries = 0;
        var killedAt = -1L;
        var victim = cluster.Silos[1];

        var run = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, signals), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var supplier = $"sup-{i % subjects:D3}";
            var body = Samples.Audit($"aud-{i:D5}", supplier, null, escalating.Contains(supplier) && i / subjects == 4
                ? Samples.Finding("F1", "forced-labour", "critical", 20, codes: ["deception-nature-of-work", "threat-dismissal-or-financial-penalty"])
                : Signal(i));
            var firstFailureAfterKill = 0L;
            for (var attempt = 0; ; attempt++)
            {
                // Round-robin over the three endpoints; a retry moves on to the next one (same body, same idempotency key).
                var endpoint = (i + attempt) % clients.Length;
                var answer = await TryPostAsync(clients[endpoint], "/api/v1/audits", body);
                if (answer is { } ok && (int)ok.Status is >= 200 and < 300)
                {
                    foreach (var receipt in ok.Body!["evidence"]!.AsArray())
                    {
                        acknowledged.AddOrUpdate(($"sup:{receipt!["subjectId"]!.GetValue<string>()}", receipt["idempotencyKey"]!.GetValue<string>()), 1, (_, n) => n + 1);
                    }

                    if (firstFailureAfterKill != 0)
                    {
                        outages.Add(Stopwatch.GetElapsedTime(firstFailureAfterKill).TotalSeconds);
                    }

                    break;
                }

                if ((answer is { } bad && (int)bad.Status < 500) || attempt >= 200)
                {
                    // Reported with the diagnostics below rather than thrown here, so a failure shows what the silos said.
                    unanswered.Add($"signal {i} ({supplier}) after {attempt + 1} attempts: {answer?.Status} {answer?.Body?.ToJsonString()}");
                    break;
                }

                var kill = Interlocked.Read(ref killedAt);
                if (kill != 0 && firstFailureAfterKill == 0)
                {
                    firstFailureAfterKill = Stopwatch.GetTimestamp();
                }

                var who = cluster.Silos[endpoint] == victim ? "killed silo" : "survivor";
                failures.Add((kill != 0 ? Stopwatch.GetElapsedTime(kill).TotalSeconds : -1, who, answer is null ? "no answer" : $"{(int)answer.Value.Status} {answer.Value.Body?["title"]}"));
                Interlocked.Increment(ref retries);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(50 * (attempt + 1), 500)));
            }

            if (Interlocked.Increment(ref completed) == signals / 2)
            {
                Interlocked.Exchange(ref killedAt, Stopwatch.GetTimestamp());
                await victim.KillAsync();
            }
        });
        run.Stop();
        Assert.True(killedAt > 0, "the silo was never killed");

        // Survivors must take new requests: time from the kill to the first fresh request answered by each survivor.
        var survivors = clients.Where((_, n) => cluster.Silos[n] != victim).ToArray();
        foreach (var client in survivors)
        {
            (await client.GetJsonAsync("/health/ready")).Expect(HttpStatusCode.OK);
        }

        // Recovery: how long after the kill survivors still failed requests, and the longest any request went unanswered
        // from its first failure to its acknowledgement (requests that hit the killed silo's endpoint just move on).
        var survivorFailures = failures.Where(f => f.SinceKill >= 0 && f.Where == "survivor").ToList();
        var survivorsBackAfter = survivorFailures.Count == 0 ? 0 : survivorFailures.Max(f => f.SinceKill);
        var longestOutage = outages.IsEmpty ? 0 : outages.Max();

        // The evidence log, read straight from PostgreSQL.
        var rows = await ReadLogAsync(cluster.Storage);
        // The signals (the Thai suppliers' profile rows were written before the run, not by it).
        var stored = rows.Where(r => r.Kind != EvidenceKinds.Profile).GroupBy(r => (r.SubjectId, r.IdempotencyKey)).ToDictionary(g => g.Key, g => g.Count());
        var lost = acknowledged.Keys.Count(k => !stored.ContainsKey(k));
        var duplicates = stored.Values.Sum(n => n - 1);
        var unacknowledged = stored.Keys.Count(k => !acknowledged.ContainsKey(k));
        output.WriteLine($"acknowledged: {acknowledged.Count} signals ({signals} submitted over {subjects} subjects, concurrency {concurrency}, {retries} retries)");
        output.WriteLine($"lost: {lost}");
        output.WriteLine($"duplicates: {duplicates}");
        output.WriteLine($"recovery: survivors answered every request again {survivorsBackAfter:F1} s after the kill ({survivorFailures.Count} failed attempts on survivors); longest wait of any request from its first failure to its acknowledgement {longestOutage:F1} s");
        foreach (var group in failures.GroupBy(f => (Second: (int)Math.Floor(f.SinceKill / 5) * 5, f.Where, f.What)).OrderBy(g => g.Key.Second))
        {
            output.WriteLine($"  failed attempts {(group.Key.Second < 0 ? "before the kill" : $"{group.Key.Second}-{group.Key.Second + 5} s after the kill")} on the {group.Key.Where}: {group.Count()} x {group.Key.What}");
        }

        output.WriteLine($"run: {run.Elapsed.TotalSeconds:F1} s ({signals / run.Elapsed.TotalSeconds:F0} signals/s)");

        if (!unanswered.IsEmpty)
        {
            foreach (var line in unanswered.Take(10))
            {
                output.WriteLine("NOT ACKNOWLEDGED: " + line);
            }

            foreach (var silo in cluster.Silos)
            {
                output.WriteLine($"--- silo {silo.BaseAddress} (errors and warnings, last 40) ---");
                foreach (var line in silo.Output.Split('\n').Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase) || l.Contains("Exception", StringComparison.Ordinal) || l.Contains("warn", StringComparison.Ordinal)).TakeLast(40))
                {
                    output.WriteLine(line);
                }
            }
        }

        Assert.Empty(unanswered);
        Assert.Equal(signals, acknowledged.Count);
        Assert.Equal(0, lost);
        Assert.Equal(0, duplicates);
        Assert.Equal(0, unacknowledged);
        Assert.True(survivorsBackAfter <= 30, $"survivors still failed requests {survivorsBackAfter:F1} s after the kill");
        Assert.True(longestOutage <= 30, $"a request went unanswered for {longestOutage:F1} s");

        // Every subject's score equals a from-scratch evaluation of its log rows at the same instant.
        await AssertScoresMatchTheLogAsync(survivors, rows, cluster.Storage);
        await EvidenceLogVerification.AssertChainsVerifyAsync(cluster.Storage);
        await AssertDerivedViewsFollowAsync(survivors, receiver, subscription, escalating, subjects);
        output.WriteLine($"total: {total.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>
    /// After the kill: the survivors' sweeps and activations re-derive what the killed silo had not written, so each
    /// escalating supplier's forced-labour events exist once, each has one delivery, delivered, and arrived at the receiver
    /// (a delivery the killed silo had in flight may arrive twice, under the same webhook-id, as Standard Webhooks
    /// receivers expect); the read model's scores equal the grains'.
    /// </summary>
    private async Task AssertDerivedViewsFollowAsync(HttpClient[] survivors, WebhookReceiver receiver, string subscription, IReadOnlySet<string> escalating, int subjects)
    {
        var client = survivors[0];
        async Task<List<JsonNode>> ForcedLabourEventsAsync()
        {
            var found = new List<JsonNode>();
            foreach (var supplier in escalating)
            {
                found.AddRange((await client.GetJsonAsync($"/api/v1/escalations?subjectId=sup:{supplier}&limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray()
                    .Select(e => e!).Where(e => ForcedLabourEvents.Contains(e["type"]!.GetValue<string>())));
            }

            return found;
        }

        var events = await ApiCalls.EventuallyAsync(
            ForcedLabourEventsAsync,
            e => escalating.All(s => ForcedLabourEvents.All(t => e.Any(x => x["subjectId"]!.GetValue<string>() == "sup:" + s && x["type"]!.GetValue<string>() == t))),
            TimeSpan.FromSeconds(90));
        // Each case reached each classification once: a re-derivation after the kill raised no second indication (its id
        // would differ by the log position it was derived at, so only the content tells).
        var indications = events.Where(x => x["type"]!.GetValue<string>() == "forced_labour.indicated")
            .GroupBy(x => (Subject: x["subjectId"]!.GetValue<string>(), Case: x["data"]!["caseId"]?.GetValue<string>(), Classification: x["data"]!["caseClassification"]?.GetValue<string>()))
            .ToList();
        Assert.All(indications, g => Assert.True(g.Count() == 1, $"{g.Key} indicated {g.Count()} times"));

        var ids = events.Select(e => e["id"]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());

        var deliveries = await ApiCalls.EventuallyAsync(
            async () => (await client.GetJsonAsync($"/api/v1/webhooks/subscriptions/{subscription}/deliveries?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray().Select(d => d!).ToList(),
            d => d.Count == ids.Count && d.All(x => x["status"]!.GetValue<string>() == "delivered"),
            TimeSpan.FromSeconds(60));
        Assert.Equal(ids.Count, deliveries.Count);
        var arrivals = receiver.On("/burst");
        Assert.Equal(ids.Order(StringComparer.Ordinal), arrivals.Select(a => a.Json["eventId"]!.GetValue<string>()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        Assert.All(arrivals.GroupBy(a => a.Json["eventId"]!.GetValue<string>()), g => Assert.Single(g.Select(a => a.Id).Distinct(StringComparer.Ordinal)));

        // The read model follows the grains (behind the answers, within the derived views' lag).
        var listed = await ApiCalls.EventuallyAsync(
            async () =>
            {
                var page = (await client.GetJsonAsync("/api/v1/suppliers?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray();
                var mismatches = new List<string>();
                foreach (var item in page.Take(40))
                {
                    var id = item!["id"]!.GetValue<string>();
                    var score = (await client.GetJsonAsync($"/api/v1/suppliers/{id}/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>();
                    if (score != item["score"]!.GetValue<int>())
                    {
                        mismatches.Add($"{id}: listed {item["score"]}, grain {score}");
                    }
                }

                return (page.Count, Mismatches: mismatches);
            },
            r => r.Count == Math.Min(subjects, 500) && r.Mismatches.Count == 0,
            TimeSpan.FromSeconds(60));
        Assert.Empty(listed.Mismatches);
        var duplicates = arrivals.Count - ids.Count;
        output.WriteLine($"derived views after the kill: {ids.Count} forced-labour events for {escalating.Count} suppliers, each stored once and delivered ({duplicates} repeated arrivals, same webhook-id); read model equals the grains");
    }

    [Fact]
    public async Task A_full_stop_and_start_of_the_cluster_keeps_scores_and_the_read_model_identical()
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await SiloCluster.StartAsync(await server.CreateDatabaseAsync(), 3);
        var clients = cluster.Silos.Select(s => s.CreateClient()).ToArray();
        var suppliers = Enumerable.Range(0, 30).Select(i => $"ss-sup-{i:D2}").ToArray();
        var recruiters = Enumerable.Range(0, 5).Select(i => $"ss-rec-{i}").ToArray();

        for (var r = 0; r < recruiters.Length; r++)
        {
            (await clients[r % 3].PutJsonAsync($"/api/v1/recruiters/{recruiters[r]}", Samples.Recruiter())).Expect(HttpStatusCode.Created);
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, suppliers.Length), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (s, _) =>
        {
            var client = clients[s % 3];
            (await client.PutJsonAsync($"/api/v1/suppliers/{suppliers[s]}", Samples.Supplier())).Expect(HttpStatusCode.Created);
            (await client.PutJsonAsync($"/api/v1/suppliers/{suppliers[s]}/recruiters/{recruiters[s % recruiters.Length]}", new { workforceShare = 0.3 })).Expect(HttpStatusCode.OK);
        });

        await Parallel.ForEachAsync(Enumerable.Range(0, 240), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        {
            var client = clients[i % 3];
            var supplier = suppliers[i % suppliers.Length];
            var recruiter = recruiters[i % recruiters.Length];
            var answer = (i % 3) switch
            {
                0 => await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"ss-aud-{i}", supplier, null, Signal(i))),
                1 => await client.PostJsonAsync("/api/v1/grievances", Samples.Grievance($"ss-grv-{i}", supplier, recruiter, "2026-11-10T10:00:00Z", null, null, "isolation")),
                _ => await client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport($"ss-fee-{i}", recruiter, supplier, $"w-{i}", 400m + (i * 7), loan: i % 2 == 0)),
            };
            answer.Expect(HttpStatusCode.Created);
        });

        // Recruiter scores reach suppliers one-way: wait until everything has settled before taking the "before" picture.
        var before = await ReadSettledStateAsync(clients, suppliers, recruiters);
        var exitCodes = await cluster.StopAllAsync();
        Assert.All(exitCodes, code => Assert.Equal(0, code));
        Assert.Equal(0, await cluster.CountMembersNotDeadAsync()); // every silo left the membership table cleanly

        var restart = Stopwatch.StartNew();
        await cluster.StartSilosAsync(3);
        output.WriteLine($"cluster restart: {restart.Elapsed.TotalSeconds:F1} s");
        var after = await ReadStateAsync(cluster.Silos.Select(s => s.CreateClient()).ToArray(), suppliers, recruiters);

        Assert.Equal(before.Count, after.Count);
        foreach (var (key, value) in before)
        {
            Assert.True(JsonNode.DeepEquals(value, after[key]), $"{key} changed across the restart:\nbefore: {value}\nafter:  {after[key]}");
        }

        output.WriteLine($"{before.Count} scores and read-model pages identical after a full stop and start; total {total.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Two_hundred_parallel_signals_for_one_subject_through_all_silos_are_each_counted_once()
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await SiloCluster.StartAsync(await server.CreateDatabaseAsync(), 3);
        var clients = cluster.Silos.Select(s => s.CreateClient()).ToArray();
        const string supplier = "hot-sup-1";

        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            clients[i % 3].PostJsonAsync("/api/v1/audits", Samples.Audit($"hot-aud-{i:D3}", supplier, null, Signal(i)))));

        Assert.All(answers, a => a.Expect(HttpStatusCode.Created));
        var rows = (await ReadLogAsync(cluster.Storage)).Where(r => r.SubjectId == SubjectKeys.Supplier(supplier)).ToList();
        Assert.Equal(200, rows.Count);
        Assert.Equal(Enumerable.Range(1, 200).Select(n => (long)n), rows.Select(r => r.SubjectSeq).Order());
        Assert.Equal(200, rows.Select(r => r.IdempotencyKey).Distinct().Count());
        foreach (var client in clients)
        {
            // One activation: every silo sees the same state, holding each signal once.
            var view = (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}")).Expect(HttpStatusCode.OK);
            Assert.Equal(200, view["signalCount"]!.GetValue<int>());
        }

        await AssertScoresMatchTheLogAsync(clients, rows, cluster.Storage);
        Assert.Equal(1, await CountStorageRowsAsync(cluster.Storage, supplier));
        await EvidenceLogVerification.AssertChainsVerifyAsync(cluster.Storage);
        output.WriteLine($"200 parallel signals over 3 silos: 200 rows, seq 1..200, signalCount 200 on every silo; total {total.Elapsed.TotalSeconds:F1} s");
    }

    private static object Signal(int i) =>
        Samples.Finding("F1", Categories[i % Categories.Length], Severities[i % Severities.Length], 1 + (i % 40),
            codes: i % 7 == 0 ? ["wage-withholding"] : i % 11 == 0 ? ["excessive-overtime-imposed"] : []);

    private static async Task<(HttpStatusCode Status, JsonNode? Body)?> TryPostAsync(HttpClient client, string url, object body)
    {
        try
        {
            return await client.PostJsonAsync(url, body);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            // Connection refused (the killed silo), reset mid-request, or a timeout: retry elsewhere.
            return null;
        }
    }

    private static async Task<List<EvidenceRow>> ReadLogAsync(StorageOptions storage)
    {
        await using var database = new StorageDatabase(storage);
        await using var log = new SqlEvidenceLog(database);
        var rows = new List<EvidenceRow>();
        foreach (var subject in await log.ListSubjectsAsync())
        {
            rows.AddRange(await log.ReadSubjectAsync(subject, 0));
        }

        return rows;
    }

    /// <summary>Rebuilds each supplier's document from its log rows and evaluates it at the instant the service did.</summary>
    private async Task AssertScoresMatchTheLogAsync(IReadOnlyList<HttpClient> clients, IEnumerable<EvidenceRow> rows, StorageOptions storage)
    {
        var engine = SiloCluster.CreateEngine();
        var subjects = rows.GroupBy(r => r.SubjectId).Select((g, n) => (Subject: g.Key, Rows: g.OrderBy(r => r.SubjectSeq).ToList(), Client: clients[n % clients.Count])).ToList();
        await Parallel.ForEachAsync(subjects, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (s, _) =>
        {
            Assert.True(SubjectKeys.IsSupplier(s.Subject), s.Subject);
            var document = new SupplierDocument();
            foreach (var row in s.Rows)
            {
                document.Apply(new EvidenceEntry(row.SubjectSeq, row.Kind, row.ContentJson, row.RecordedAt));
            }

            var id = SubjectKeys.IdOf(s.Subject);
            var risk = (await s.Client.GetJsonAsync($"/api/v1/suppliers/{id}/risk")).Expect(HttpStatusCode.OK);
            var expected = engine.EvaluateSupplier(id, document.ToEvidence(), risk["evaluatedAt"]!.GetValue<DateTimeOffset>());
            Assert.True(expected.Score == risk["score"]!.GetValue<int>(), $"{s.Subject}: service says {risk["score"]}, the log says {expected.Score}");
            Assert.Equal(JsonSerializer.SerializeToNode(expected.Band, EvidenceJson.Options)!.GetValue<string>(), risk["band"]!.GetValue<string>());
            var view = (await s.Client.GetJsonAsync($"/api/v1/suppliers/{id}")).Expect(HttpStatusCode.OK);
            Assert.Equal(s.Rows.Count(r => r.Kind is not (EvidenceKinds.Profile or EvidenceKinds.Link)), view["signalCount"]!.GetValue<int>());
        });

        output.WriteLine($"scores: {subjects.Count} subjects equal a from-scratch evaluation of their log rows ({storage.Provider})");
    }

    private static async Task<long> CountStorageRowsAsync(StorageOptions storage, string supplier)
    {
        await using var database = new StorageDatabase(storage);
        await using var connection = await database.OpenReadConnectionAsync(CancellationToken.None);
        await using var command = StorageDatabase.CreateCommand(connection, null, "SELECT count(*) FROM OrleansStorage WHERE GrainIdExtensionString LIKE @key;");
        StorageDatabase.AddParameter(command, "@key", $"%{SubjectKeys.Supplier(supplier)}%");
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<Dictionary<string, JsonNode>> ReadSettledStateAsync(HttpClient[] clients, string[] suppliers, string[] recruiters)
    {
        var previous = await ReadStateAsync(clients, suppliers, recruiters);
        for (var round = 0; round < 30; round++)
        {
            await Task.Delay(1000);
            var current = await ReadStateAsync(clients, suppliers, recruiters);
            if (current.All(kv => JsonNode.DeepEquals(kv.Value, previous[kv.Key])))
            {
                return current;
            }

            previous = current;
        }

        throw new TimeoutException("the cluster's scores did not settle");
    }

    /// <summary>Score, band and forced-labour status of every subject, and the read model's listing pages.</summary>
    private static async Task<Dictionary<string, JsonNode>> ReadStateAsync(HttpClient[] clients, string[] suppliers, string[] recruiters)
    {
        var state = new Dictionary<string, JsonNode>(StringComparer.Ordinal);
        var n = 0;
        foreach (var (kind, ids) in new[] { ("suppliers", suppliers), ("recruiters", recruiters) })
        {
            foreach (var id in ids)
            {
                var risk = (await clients[n++ % clients.Length].GetJsonAsync($"/api/v1/{kind}/{id}/risk")).Expect(HttpStatusCode.OK);
                state[$"{kind}/{id}"] = new JsonObject
                {
                    ["score"] = risk["score"]!.GetValue<int>(),
                    ["band"] = risk["band"]!.GetValue<string>(),
                    ["forcedLabour"] = risk["forcedLabour"]!.GetValue<string>(),
                };
            }

            // The whole list, updatedAt included: re-evaluations on activation that change nothing leave rows untouched.
            var page = (await clients[n++ % clients.Length].GetJsonAsync($"/api/v1/{kind}?limit=500")).Expect(HttpStatusCode.OK);
            state[$"read-model/{kind}"] = page;
        }

        return state;
    }
}
