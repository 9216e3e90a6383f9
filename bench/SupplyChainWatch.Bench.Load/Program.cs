using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

// Usage: SupplyChainWatch.Bench.Load <baseUrl> <servicePid> <suppliers> <recruiters> <bulkSignals> <seconds> <connections> [only]
// Prints "RESULT|figure|value|unit|note" lines that run.sh turns into the table. SCW_BENCH_STORE ("Sqlite|<connection
// string>" or "PostgreSql|<connection string>") is the service's store: the derived-view lag is read from it directly.
// [only] = history or sse: that scenario alone (bench/run.sh --scenario, or against a service started by hand).
// sse: SCW_BENCH_SSE_CLIENTS stream clients (1,000 unless set), SCW_BENCH_SSE_ROUNDS alternating rounds (3 unless set).
var baseUrl = new Uri(args[0]);
var servicePid = int.Parse(args[1], CultureInfo.InvariantCulture);
var supplierCount = int.Parse(args[2], CultureInfo.InvariantCulture);
var recruiterCount = int.Parse(args[3], CultureInfo.InvariantCulture);
var bulkSignals = int.Parse(args[4], CultureInfo.InvariantCulture);
var seconds = double.Parse(args[5], CultureInfo.InvariantCulture);
var connections = int.Parse(args[6], CultureInfo.InvariantCulture);
var store = Environment.GetEnvironmentVariable("SCW_BENCH_STORE") ?? throw new InvalidOperationException("SCW_BENCH_STORE is not set (run bench/run.sh).");

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections + 4, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false };
using var http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(30) };
// run.sh makes the service trust a per-run HMAC key (Authentication:Schemes:Bearer:SigningKeys) and passes it here.
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BenchToken.Create(
    Environment.GetEnvironmentVariable("SCW_BENCH_SIGNING_KEY") ?? throw new InvalidOperationException("SCW_BENCH_SIGNING_KEY is not set (run bench/run.sh)."),
    Environment.GetEnvironmentVariable("SCW_BENCH_ISSUER") ?? "scw-bench",
    Environment.GetEnvironmentVariable("SCW_BENCH_AUDIENCE") ?? "scw-api"));
var data = new SyntheticData(supplierCount, recruiterCount, seed: 42);

static double Median(double[] values) => values.Order().ElementAt((values.Length - 1) / 2);

void Result(string figure, double value, string unit, string note = "") =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT|{figure}|{value:0.##}|{unit}|{note}"));

var only = args.Length > 7 ? args[7] : null;
if (only is "sse")
{
    Console.Error.WriteLine("phase: sse");
    var clients = int.Parse(Environment.GetEnvironmentVariable("SCW_BENCH_SSE_CLIENTS") ?? "1000", CultureInfo.InvariantCulture);
    var rounds = int.Parse(Environment.GetEnvironmentVariable("SCW_BENCH_SSE_ROUNDS") ?? "3", CultureInfo.InvariantCulture);
    var sse = await SseScenario.RunAsync(baseUrl, http.DefaultRequestHeaders.Authorization, http, data, servicePid, clients, connections, seconds, rounds);
    var ratios = sse.RatesWith.Zip(sse.RatesWithout, (with, without) => with / without).ToArray();
    string Rounds(double[] values) => string.Join(", ", values.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture)));
    Result($"SSE ack -> event p99, {clients:N0} clients", Median(sse.P99s), "ms",
        $"median of {rounds} rounds ({Rounds(sse.P99s)}); p50 {Median(sse.P50s):0.0} ms, max {sse.Maxima.Max():0} ms; {sse.Deliveries:N0} deliveries, {sse.Missing:N0} missing, {sse.ClientsDropped} clients dropped by the service");
    Result($"SSE ingest, {clients:N0} clients ÷ none", Median(ratios), "ratio",
        $"median of {rounds} interleaved rounds ({Rounds(ratios)}); {Median(sse.RatesWith):0} vs {Median(sse.RatesWithout):0} req/s, ingest p99 {Median(sse.IngestP99With):0} vs {Median(sse.IngestP99Without):0} ms; " +
        $"service CPU {sse.ServiceCpuWith:0} vs {sse.ServiceCpuWithout:0} µs/signal, load generator CPU {sse.GeneratorCpuWith:0} vs {sse.GeneratorCpuWithout:0} µs/signal");
    return;
}

// History of a subject with 1,000 signals (two audits of 500 findings), end to end: every page of GET …/risk/history.
if (only is null or "history")
{
    Console.Error.WriteLine("phase: history");
    var historySupplier = "bench-history-" + Guid.NewGuid().ToString("N")[..8];
    foreach (var audit in new[] { "A", "B" })
    {
        var findings = Enumerable.Range(0, 500).Select(i => new
        {
            findingId = $"F{i}",
            category = i % 2 == 0 ? "wages" : "working-hours",
            severity = i % 7 == 0 ? "major" : "minor",
            workersAffected = 1 + (i % 9),
            evidenceStatus = "verified",
            status = "open",
            dueDate = i % 7 == 0 ? "2026-06-30" : null,
            indicators = Array.Empty<object>(),
        }).ToArray();
        await Http.ExpectAsync(http.PostAsync("/api/v1/audits", Http.Json(new
        {
            auditId = $"{historySupplier}-{audit}",
            supplierId = historySupplier,
            standard = "smeta",
            auditType = "initial",
            startDate = "2026-05-01",
            endDate = "2026-05-03",
            auditFirm = "Bench Assurance",
            findings,
        })), HttpStatusCode.Created);
    }

    var timings = new List<double>();
    var points = 0;
    var historyCpu = 0.0;
    for (var pass = 0; pass < 33; pass++)
    {
        var cpu = Process.CpuSeconds(servicePid);
        var start = Stopwatch.GetTimestamp();
        points = 0;
        for (string? cursor = null, first = "y"; first is not null || cursor is not null; first = null)
        {
            var page = JsonNode.Parse(await http.GetStringAsync($"/api/v1/suppliers/{historySupplier}/risk/history" + (cursor is null ? "" : "?cursor=" + cursor)))!;
            points += page["points"]!.AsArray().Count;
            cursor = page["nextCursor"]?.GetValue<string>();
        }

        if (pass >= 3)
        {
            timings.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds); // After three warm-up reads.
            historyCpu += Process.CpuSeconds(servicePid) - cpu;
        }
    }

    timings.Sort();
    Result("history of a 1,000-signal subject", timings[timings.Count / 2], "ms",
        string.Create(CultureInfo.InvariantCulture, $"median of {timings.Count} warm reads, p95 {Load.Percentile([.. timings], 0.95):0.0} ms, max {timings[^1]:0.0} ms, service CPU {historyCpu * 1e3 / timings.Count:0} ms/read, {points} points, every page"));
    Result("history of a 1,000-signal subject p95", Load.Percentile([.. timings], 0.95), "ms");
}

if (only is not null)
{
    return;
}

// Live heap before anything is stored: the fixed costs, taken off the per-subject figure.
var heapBefore = await Heap.LiveBytesAfterFullGcAsync(http, servicePid);

// Setup: profiles and links (not measured), through the single endpoints at full concurrency.
var rssBefore = Process.RssBytes(servicePid);
var setup = Stopwatch.StartNew();
await Load.ForEachAsync(Enumerable.Range(0, recruiterCount), connections, async i =>
    await Http.ExpectAsync(http.PutAsync($"/api/v1/recruiters/{data.RecruiterId(i)}", Http.Json(data.Recruiter(i))), HttpStatusCode.Created, HttpStatusCode.OK));
await Load.ForEachAsync(Enumerable.Range(0, supplierCount), connections, async i =>
{
    await Http.ExpectAsync(http.PutAsync($"/api/v1/suppliers/{data.SupplierId(i)}", Http.Json(data.Supplier(i))), HttpStatusCode.Created, HttpStatusCode.OK);
    foreach (var (recruiter, share) in data.Links(i))
    {
        await Http.ExpectAsync(http.PutAsync($"/api/v1/suppliers/{data.SupplierId(i)}/recruiters/{recruiter}", Http.Json(new { workforceShare = share })), HttpStatusCode.OK);
    }
});
Console.Error.WriteLine($"setup: {supplierCount} suppliers, {recruiterCount} recruiters in {setup.Elapsed.TotalSeconds:0.0} s");

// (2) Bulk import, streamed from the generator (the file never exists on disk or in memory as a whole).
Console.Error.WriteLine("phase: import");
var import = Stopwatch.StartNew();
var importCpu = Process.CpuSeconds(servicePid);
await Import.RunAsync(http, bulkSignals, data.ImportLine);
var importRate = bulkSignals / import.Elapsed.TotalSeconds;
Result("bulk import", importRate, "signals/s",
    $"{bulkSignals:N0} signals in {import.Elapsed.TotalSeconds:0.0} s, service CPU {(Process.CpuSeconds(servicePid) - importCpu) * 1e6 / bulkSignals:0} µs/signal");
Result("bulk import, time for 1,000,000 signals", 1_000_000 / importRate, "s",
    bulkSignals >= 1_000_000 ? "measured" : $"extrapolated from {bulkSignals:N0} signals");

// (5) Memory: every subject is active now (the import and setup touched each). RSS delta scaled to 10,000 subjects, and
// the live heap after a full GC per subject (the heap before setup taken off).
var all = Enumerable.Range(0, supplierCount).Select(data.SupplierId).ToArray();
await Load.ForEachAsync(all, connections, async id => await Http.ExpectAsync(http.GetAsync($"/api/v1/suppliers/{id}/risk"), HttpStatusCode.OK));
var rssAfter = Process.RssBytes(servicePid);
var subjects = supplierCount + recruiterCount;
Result("memory per 10,000 active subjects", (rssAfter - rssBefore) / 1048576.0 * 10_000 / subjects, "MB", $"RSS {rssBefore / 1048576} MB -> {rssAfter / 1048576} MB for {subjects:N0} subjects");
var heapAfter = await Heap.LiveBytesAfterFullGcAsync(http, servicePid);
Result("live heap per active subject", (heapAfter - heapBefore) / 1024.0 / subjects, "KB",
    $"live heap after a full GC {heapBefore / 1048576} MB -> {heapAfter / 1048576} MB for {subjects:N0} subjects, ~{bulkSignals * 1.24 / subjects:0} evidence rows each");

// (1b) Does ingest cost grow with history? Suppliers with 10 and with 1,000 prior signals (imported now, not timed), then
// closed-loop single audits on each set in turn, twice, interleaved.
const int HistorySubjects = 8;
var shallow = Enumerable.Range(0, HistorySubjects).Select(i => $"hist10-{i:D2}").ToArray();
var deep = Enumerable.Range(0, HistorySubjects).Select(i => $"hist1000-{i:D2}").ToArray();
await Import.RunAsync(http, HistorySubjects * 10, j => data.HistoryLine(shallow[j % HistorySubjects], j));
await Import.RunAsync(http, HistorySubjects * 1_000, j => data.HistoryLine(deep[j % HistorySubjects], j));
Console.Error.WriteLine("phase: history");
var historyNext = 0;
Func<Task> IngestOn(string[] targets) => async () =>
{
    var i = Interlocked.Increment(ref historyNext);
    await Http.ExpectAsync(http.PostAsync("/api/v1/audits", Http.Json(data.AuditFor($"HLIVE-{i}", targets[i % targets.Length], i))), HttpStatusCode.Created);
};
var shallowRuns = new List<LoopResult>();
var deepRuns = new List<LoopResult>();
for (var round = 0; round < 2; round++)
{
    shallowRuns.Add(await Load.ClosedLoopAsync(connections, seconds / 2, IngestOn(shallow)));
    deepRuns.Add(await Load.ClosedLoopAsync(connections, seconds / 2, IngestOn(deep)));
}

var shallowRate = shallowRuns.Average(r => r.Rate);
var deepRate = deepRuns.Average(r => r.Rate);
Result("ingest, 1,000 prior signals ÷ 10", deepRate / shallowRate, "ratio",
    $"{deepRate:0} vs {shallowRate:0} req/s on {HistorySubjects} suppliers each, 2 interleaved rounds");

// (1) Single-signal durable ingest at N connections, with the derived-view lag sampled meanwhile: a probe audit for a
// supplier nothing is known about, then its read-model row and escalation events polled in the store until both exist.
Console.Error.WriteLine("phase: ingest");
var next = 0;
await using var lag = await DerivedLag.OpenAsync(store);
using var ingestDone = new CancellationTokenSource();
var lagProbes = lag.SampleAsync(http, ingestDone.Token);
var ingestCpu = Process.CpuSeconds(servicePid);
var ingest = await Load.ClosedLoopAsync(connections, seconds, async () =>
{
    var i = Interlocked.Increment(ref next);
    await Http.ExpectAsync(http.PostAsync("/api/v1/audits", Http.Json(data.LiveAudit(i))), HttpStatusCode.Created);
});
ingestCpu = Process.CpuSeconds(servicePid) - ingestCpu;
await ingestDone.CancelAsync();
var lags = await lagProbes;
Result("single ingest", ingest.Rate, "req/s",
    $"p50 {ingest.P50:0.0} ms, p99 {ingest.P99:0.0} ms, {connections} connections, service CPU {ingestCpu * 1e6 / (ingest.Count + lags.Sorted.Length):0} µs/request");
Result("single ingest p50", ingest.P50, "ms");
Result("single ingest p99", ingest.P99, "ms");
Result("derived-view lag p99", Load.Percentile(lags.Sorted, 0.99), "ms",
    $"ack -> read-model row and escalation stored, {lags.Sorted.Length} probes during the ingest loop, p50 {Load.Percentile(lags.Sorted, 0.5):0.0} ms, {lags.Missing} not seen within {DerivedLag.GiveUpAfter.TotalSeconds:0} s");

// (3) GET risk against an authenticated endpoint that does (almost) nothing, and that against anonymous /health/live:
// same server, same run, interleaved. The no-op is GET /api/v1/admin/quarantine: the same JWT validation and role check
// as GET risk, then an in-memory list that is empty here.
var random = new ThreadLocal<Random>(() => new Random(Environment.CurrentManagedThreadId));
var live = await Load.ClosedLoopAsync(connections, seconds, async () => await Http.ExpectAsync(http.GetAsync("/health/live"), HttpStatusCode.OK));
var noop = await Load.ClosedLoopAsync(connections, seconds, async () => await Http.ExpectAsync(http.GetAsync("/api/v1/admin/quarantine"), HttpStatusCode.OK));
Console.Error.WriteLine("phase: risk");
var riskCpu = Process.CpuSeconds(servicePid);
var risk = await Load.ClosedLoopAsync(connections, seconds, async () =>
    await Http.ExpectAsync(http.GetAsync($"/api/v1/suppliers/{all[random.Value!.Next(all.Length)]}/risk"), HttpStatusCode.OK));
riskCpu = Process.CpuSeconds(servicePid) - riskCpu;
Result("GET /health/live", live.Rate, "req/s", $"p50 {live.P50:0.0} ms, p99 {live.P99:0.0} ms");
Result("authenticated no-op", noop.Rate, "req/s", $"p50 {noop.P50:0.0} ms, p99 {noop.P99:0.0} ms");
Result("GET risk", risk.Rate, "req/s", $"p50 {risk.P50:0.0} ms, p99 {risk.P99:0.0} ms, service CPU {riskCpu * 1e6 / risk.Count:0} µs/request");
Result("GET risk p99", risk.P99, "ms");
Result("GET risk / live", risk.Rate / live.Rate, "ratio");
Result("GET risk ÷ authenticated no-op", risk.Rate / noop.Rate, "ratio");
Result("authenticated no-op ÷ /health/live", noop.Rate / live.Rate, "ratio");

// (4) Re-score every subject.
Console.Error.WriteLine("phase: rescore");
var started = JsonNode.Parse(await (await http.PostAsync("/api/v1/admin/rescore", null)).Content.ReadAsStringAsync())!;
JsonNode job;
do
{
    await Task.Delay(250);
    job = JsonNode.Parse(await http.GetStringAsync($"/api/v1/admin/rescore/{started["jobId"]}"))!;
}
while (job["state"]!.GetValue<string>() == "running");
Result("re-score", job["rate"]!.GetValue<double>(), "subjects/s", $"{job["done"]} subjects, {job["changed"]} changed, state {job["state"]}");

internal static class Import
{
    public static async Task RunAsync(HttpClient http, int lines, Func<int, string> line)
    {
        using var content = new NdjsonContent(lines, line);
        using var response = await http.PostAsync("/api/v1/signals:import", content);
        var text = await response.Content.ReadAsStringAsync();
        var summary = JsonNode.Parse(text)!;
        if (response.StatusCode != HttpStatusCode.OK || summary["accepted"]!.GetValue<long>() + summary["duplicates"]!.GetValue<long>() != lines)
        {
            throw new InvalidOperationException($"import: {(int)response.StatusCode} {text[..Math.Min(500, text.Length)]}");
        }
    }
}

/// <summary>The service's live heap: a full blocking GC induced over the diagnostics port, then the heap size it left.</summary>
internal static class Heap
{
    public static async Task<long> LiveBytesAfterFullGcAsync(HttpClient http, int pid)
    {
        var gen2Before = await ScrapeAsync(http, "dotnet_gc_collections_total", "gen2");
        // The GCHeapCollect keyword makes the runtime run an induced, blocking gen-2 collection when the session starts
        // (what dotnet-gcdump uses); the GC keyword alone adds only the collection's own events, drained and dropped.
        var client = new Microsoft.Diagnostics.NETCore.Client.DiagnosticsClient(pid);
        using (var session = client.StartEventPipeSession(
            new Microsoft.Diagnostics.NETCore.Client.EventPipeProvider("Microsoft-Windows-DotNETRuntime", System.Diagnostics.Tracing.EventLevel.Informational, 0x800001),
            requestRundown: false))
        {
            var drain = session.EventStream.CopyToAsync(Stream.Null);
            for (var i = 0; i < 100 && await ScrapeAsync(http, "dotnet_gc_collections_total", "gen2") <= gen2Before; i++)
            {
                await Task.Delay(100);
            }

            await session.StopAsync(CancellationToken.None);
            await drain;
        }

        // The Prometheus exporter caches a scrape briefly; the first one after the collection may predate it.
        await Task.Delay(1_100);
        return (long)await ScrapeAsync(http, "dotnet_gc_last_collection_heap_size_bytes", null);
    }

    /// <summary>Sums a metric's series in the service's Prometheus scrape, or only those of one GC generation.</summary>
    private static async Task<double> ScrapeAsync(HttpClient http, string metric, string? generation)
    {
        var text = await http.GetStringAsync("/metrics");
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(metric, StringComparison.Ordinal) && (line.Length == metric.Length || line[metric.Length] is '{' or ' ')
                && (generation is null || line.Contains($"gc_heap_generation=\"{generation}\"", StringComparison.Ordinal)))
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                sum += double.Parse(parts[^2].Contains('}', StringComparison.Ordinal) || parts.Length == 2 ? parts[^1] : parts[^2], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}

/// <summary>
/// Ack → derived views, read in the store itself: a probe audit for a fresh supplier, then its read-model row and at least
/// one escalation event polled every 2 ms. The lag is from the 201 to the moment both are visible.
/// </summary>
internal sealed class DerivedLag : IAsyncDisposable
{
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(10);
    private readonly System.Data.Common.DbConnection _connection;

    private DerivedLag(System.Data.Common.DbConnection connection) => _connection = connection;

    public static async Task<DerivedLag> OpenAsync(string store)
    {
        var (provider, connectionString) = store.Split('|', 2) is [var p, var c] ? (p, c) : throw new InvalidOperationException("SCW_BENCH_STORE is 'Provider|ConnectionString'.");
        System.Data.Common.DbConnection connection = provider.Equals("PostgreSql", StringComparison.OrdinalIgnoreCase)
            ? new Npgsql.NpgsqlConnection(connectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection(connectionString + ";Mode=ReadOnly;Pooling=false");
        await connection.OpenAsync();
        return new DerivedLag(connection);
    }

    public async Task<(double[] Sorted, int Missing)> SampleAsync(HttpClient http, CancellationToken stop)
    {
        var lags = new List<double>();
        var missing = 0;
        for (var k = 0; !stop.IsCancellationRequested; k++)
        {
            var supplier = $"lag-{Environment.ProcessId}-{k:D5}";
            await Http.ExpectAsync(http.PostAsync("/api/v1/audits", Http.Json(SyntheticData.Probe($"LAG-{supplier}", supplier))), HttpStatusCode.Created);
            var acked = Stopwatch.StartNew();
            while (!await BothStoredAsync(supplier))
            {
                if (acked.Elapsed > GiveUpAfter)
                {
                    missing++;
                    break;
                }

                await Task.Delay(2, CancellationToken.None);
            }

            if (acked.Elapsed <= GiveUpAfter)
            {
                lags.Add(acked.Elapsed.TotalMilliseconds);
            }

            await Task.Delay(20, CancellationToken.None); // A sample, not a second load: about 40 probes a second at most.
        }

        return ([.. lags.Order()], missing);
    }

    private async Task<bool> BothStoredAsync(string supplier)
    {
        await using var command = _connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM read_model WHERE subject_id = @id) * (SELECT count(*) FROM escalation_events WHERE subject_id IN (@id, @key))";
        var id = command.CreateParameter();
        id.ParameterName = "@id";
        id.Value = supplier;
        command.Parameters.Add(id);
        var key = command.CreateParameter();
        key.ParameterName = "@key";
        key.Value = "sup:" + supplier;
        command.Parameters.Add(key);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) > 0;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}

internal static class Http
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static StringContent Json(object body) => new(JsonSerializer.Serialize(body, Options), Encoding.UTF8, "application/json");

    public static async Task ExpectAsync(Task<HttpResponseMessage> call, params HttpStatusCode[] expected)
    {
        using var response = await call;
        if (!expected.Contains(response.StatusCode))
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        await response.Content.CopyToAsync(Stream.Null);
    }
}

/// <summary>An HS256 JWT with every role the benchmark's calls need, signed with the run's key.</summary>
internal static class BenchToken
{
    public static string Create(string keyBase64, string issuer, string audience)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "HS256", typ = "JWT" }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = "bench",
            ["iss"] = issuer,
            ["aud"] = audience,
            ["nbf"] = now - 60,
            ["iat"] = now - 60,
            ["exp"] = now + 6 * 3600,
            ["role"] = new[] { "admin", "compliance", "auditor", "grievance-handler", "recruitment-monitor" },
        }));
        var signature = System.Security.Cryptography.HMACSHA256.HashData(Convert.FromBase64String(keyBase64), Encoding.ASCII.GetBytes(header + "." + payload));
        return header + "." + payload + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

internal sealed record LoopResult(double Rate, double P50, double P99, long Count);

internal static class Load
{
    public static Task ForEachAsync<T>(IEnumerable<T> items, int parallelism, Func<T, Task> work) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (item, _) => await work(item));

    /// <summary>N connections each sending the next request as soon as the previous answer arrives, for a fixed time.</summary>
    public static async Task<LoopResult> ClosedLoopAsync(int connections, double seconds, Func<Task> request)
    {
        var latencies = new List<double>[connections];
        var deadline = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, connections).Select(async c =>
        {
            var mine = latencies[c] = new List<double>(4096);
            while (deadline.Elapsed.TotalSeconds < seconds)
            {
                var start = Stopwatch.GetTimestamp();
                await request();
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var elapsed = deadline.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoopResult(all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), all.Length);
    }

    public static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}

internal static class Process
{
    /// <summary>
    /// User + system CPU the process has used, from /proc (clock ticks of 1/100 s): a figure the machine's other load
    /// changes far less than a rate does.
    /// </summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for {pid}");
    }
}

/// <summary>NDJSON lines from a generator, written straight into the request stream.</summary>
internal sealed class NdjsonContent : HttpContent
{
    private readonly int _count;
    private readonly Func<int, string> _line;

    public NdjsonContent(int count, Func<int, string> line)
    {
        _count = count;
        _line = line;
        Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        for (var i = 0; i < _count; i++)
        {
            await writer.WriteLineAsync(_line(i));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
