using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

// Usage: SupplyChainWatch.Bench.Load <baseUrl> <servicePid> <suppliers> <recruiters> <bulkSignals> <seconds> <connections> [only]
// Prints "RESULT|figure|value|unit|note" lines that run.sh turns into the table. [only] = history: that phase alone
// (against a service started by hand).
var baseUrl = new Uri(args[0]);
var servicePid = int.Parse(args[1], CultureInfo.InvariantCulture);
var supplierCount = int.Parse(args[2], CultureInfo.InvariantCulture);
var recruiterCount = int.Parse(args[3], CultureInfo.InvariantCulture);
var bulkSignals = int.Parse(args[4], CultureInfo.InvariantCulture);
var seconds = double.Parse(args[5], CultureInfo.InvariantCulture);
var connections = int.Parse(args[6], CultureInfo.InvariantCulture);

using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseCookies = false };
using var http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(30) };
// run.sh makes the service trust a per-run HMAC key (Authentication:Schemes:Bearer:SigningKeys) and passes it here.
http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BenchToken.Create(
    Environment.GetEnvironmentVariable("SCW_BENCH_SIGNING_KEY") ?? throw new InvalidOperationException("SCW_BENCH_SIGNING_KEY is not set (run bench/run.sh)."),
    Environment.GetEnvironmentVariable("SCW_BENCH_ISSUER") ?? "scw-bench",
    Environment.GetEnvironmentVariable("SCW_BENCH_AUDIENCE") ?? "scw-api"));
var data = new SyntheticData(supplierCount, recruiterCount, seed: 42);

void Result(string figure, double value, string unit, string note = "") =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT|{figure}|{value:0.##}|{unit}|{note}"));

// History of a subject with 1,000 signals (two audits of 500 findings), end to end: every page of GET …/risk/history.
var only = args.Length > 7 ? args[7] : null;
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
    for (var pass = 0; pass < 23; pass++)
    {
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
        }
    }

    timings.Sort();
    Result("history of a 1,000-signal subject", timings[timings.Count / 2], "ms",
        string.Create(CultureInfo.InvariantCulture, $"median of {timings.Count} reads, max {timings[^1]:0.0} ms, {points} points, every page"));
}

if (only is not null)
{
    return;
}

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
using (var content = new NdjsonContent(data, bulkSignals))
using (var response = await http.PostAsync("/api/v1/signals:import", content))
{
    var summary = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    if (response.StatusCode != HttpStatusCode.OK || summary["accepted"]!.GetValue<long>() + summary["duplicates"]!.GetValue<long>() != bulkSignals)
    {
        throw new InvalidOperationException($"import: {(int)response.StatusCode} {summary.ToJsonString()[..Math.Min(500, summary.ToJsonString().Length)]}");
    }
}

Result("bulk import", bulkSignals / import.Elapsed.TotalSeconds, "signals/s", $"{bulkSignals:N0} signals in {import.Elapsed.TotalSeconds:0.0} s");

// (5) Memory: every subject is active now (the import and setup touched each); RSS delta scaled to 10,000 subjects.
var all = Enumerable.Range(0, supplierCount).Select(data.SupplierId).ToArray();
await Load.ForEachAsync(all, connections, async id => await Http.ExpectAsync(http.GetAsync($"/api/v1/suppliers/{id}/risk"), HttpStatusCode.OK));
var rssAfter = Process.RssBytes(servicePid);
var subjects = supplierCount + recruiterCount;
Result("memory per 10,000 active subjects", (rssAfter - rssBefore) / 1048576.0 * 10_000 / subjects, "MB", $"RSS {rssBefore / 1048576} MB -> {rssAfter / 1048576} MB for {subjects:N0} subjects");

// (1) Single-signal durable ingest at N connections. Phase markers on stderr let a profiler attach to one phase.
Console.Error.WriteLine("phase: ingest");
var next = 0;
var ingest = await Load.ClosedLoopAsync(connections, seconds, async () =>
{
    var i = Interlocked.Increment(ref next);
    await Http.ExpectAsync(http.PostAsync("/api/v1/audits", Http.Json(data.LiveAudit(i))), HttpStatusCode.Created);
});
Result("single ingest", ingest.Rate, "req/s", $"p50 {ingest.P50:0.0} ms, p99 {ingest.P99:0.0} ms, {connections} connections");
Result("single ingest p50", ingest.P50, "ms");
Result("single ingest p99", ingest.P99, "ms");

// (3) GET risk against GET /health/live, same server, same run.
var live = await Load.ClosedLoopAsync(connections, seconds, async () => await Http.ExpectAsync(http.GetAsync("/health/live"), HttpStatusCode.OK));
var random = new ThreadLocal<Random>(() => new Random(Environment.CurrentManagedThreadId));
Console.Error.WriteLine("phase: risk");
var risk = await Load.ClosedLoopAsync(connections, seconds, async () =>
    await Http.ExpectAsync(http.GetAsync($"/api/v1/suppliers/{all[random.Value!.Next(all.Length)]}/risk"), HttpStatusCode.OK));
Result("GET /health/live", live.Rate, "req/s", $"p50 {live.P50:0.0} ms, p99 {live.P99:0.0} ms");
Result("GET risk", risk.Rate, "req/s", $"p50 {risk.P50:0.0} ms, p99 {risk.P99:0.0} ms");
Result("GET risk p99", risk.P99, "ms");
Result("GET risk / live", risk.Rate / live.Rate, "ratio");

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

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}

internal static class Process
{
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

/// <summary>The synthetic data set's NDJSON, written straight into the request stream.</summary>
internal sealed class NdjsonContent : HttpContent
{
    private readonly SyntheticData _data;
    private readonly int _count;

    public NdjsonContent(SyntheticData data, int count)
    {
        _data = data;
        _count = count;
        Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        for (var i = 0; i < _count; i++)
        {
            await writer.WriteLineAsync(_data.ImportLine(i));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
