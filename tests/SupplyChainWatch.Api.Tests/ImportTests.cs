using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests;

/// <summary>POST /api/v1/signals:import: per-line results, idempotency, and a repeat after a crash mid-upload.</summary>
public sealed class ImportTests
{
    private const string Url = "/api/v1/signals:import";

    [Fact]
    public async Task A_file_of_good_bad_duplicate_and_conflicting_lines_gets_exact_per_line_results_and_a_second_import_changes_nothing()
    {
        using var factory = new ServiceFactory();
        using var client = factory.CreateClient();
        (await client.PutJsonAsync("/api/v1/suppliers/imp-sup-1", Samples.Supplier())).Expect(HttpStatusCode.Created);
        (await client.PutJsonAsync("/api/v1/suppliers/imp-sup-2", Samples.Supplier())).Expect(HttpStatusCode.Created);
        (await client.PutJsonAsync("/api/v1/recruiters/imp-rec-1", Samples.Recruiter())).Expect(HttpStatusCode.Created);

        var audit = Line("audit", Samples.Audit("IMP-A1", "imp-sup-1", null, Samples.Finding("F1", "wages", "major", 10, codes: "wage-withholding")));
        var lines = new[]
        {
            audit,                                                                                                   // 1 accepted
            Line("audit", Samples.Audit("IMP-A2", "imp-sup-1", null, Samples.Finding("F1", "wages", "catastrophic", 10))), // 2 rejected: severity
            Line("grievance", Samples.Grievance("IMP-G1", "imp-sup-1", "imp-rec-1", "2026-11-10T10:00:00Z", "They keep our passports.", "+60 12 345", "document-retention")), // 3 accepted
            audit,                                                                                                   // 4 duplicate of line 1
            Line("audit", Samples.Audit("IMP-A1", "imp-sup-1", null, Samples.Finding("F1", "wages", "critical", 10, codes: "wage-withholding"))), // 5 conflict with line 1
            "{\"kind\": \"audit\", \"auditId\": \"IMP-A3\",",                                                        // 6 rejected: not JSON
            "",                                                                                                      // 7 blank: skipped
            Line("survey", Samples.Audit("IMP-A4", "imp-sup-1", null, Samples.Finding("F1", "wages", "minor", 1))), // 8 rejected: kind
            Line("recruitment-fee", Samples.FeeReport("IMP-R1", "imp-rec-1", "imp-sup-2", "w-1", 1500m, loan: true)), // 9 accepted
            AddField(Line("grievance", Samples.Grievance("IMP-G2", "imp-sup-2", null, "2026-11-10T10:00:00Z")), "colour", "red"), // 10 rejected: unknown field
            Line("audit", new { }),                                                                                  // 11 rejected: every required field
        };
        var file = string.Join("\r\n", lines) + "\n";
        var log = factory.Service<IEvidenceLog>();

        var first = await ImportAsync(client, file);
        Assert.Equal(10, first["lines"]!.GetValue<long>());
        Assert.Equal(3, first["accepted"]!.GetValue<long>());
        Assert.Equal(1, first["duplicates"]!.GetValue<long>());
        Assert.Equal(5, first["rejected"]!.GetValue<long>());
        Assert.Equal(1, first["conflicts"]!.GetValue<long>());
        var results = first["results"]!.AsArray();
        Assert.Equal([2L, 5L, 6L, 8L, 10L, 11L], results.Select(r => r!["line"]!.GetValue<long>()));
        AssertRejected(results[0]!, "IMP-A2", "findings[0].severity");
        Assert.Equal("conflict", results[1]!["outcome"]!.GetValue<string>());
        Assert.Equal(409, results[1]!["status"]!.GetValue<int>());
        Assert.Equal("IMP-A1", results[1]!["id"]!.GetValue<string>());
        Assert.Contains("finding:IMP-A1:F1", results[1]!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        AssertRejected(results[2]!, "IMP-A3", "body");
        AssertRejected(results[3]!, "IMP-A4", "kind");
        AssertRejected(results[4]!, "IMP-G2", "colour");
        AssertRejected(results[5]!, null, "auditId");
        foreach (var field in new[] { "supplierId", "standard", "auditType", "startDate", "endDate", "auditFirm", "findings" })
        {
            Assert.True(results[5]!["errors"]!.AsObject().ContainsKey(field), $"line 11 should name {field}");
        }

        Assert.False(first["resultsTruncated"]!.GetValue<bool>());

        // Audit row (1) + grievance rows for supplier and recruiter (2) + fee rows for recruiter and supplier (2), beside 3 profiles.
        var rowsAfterFirst = await log.CountAsync();
        var signalsAfterFirst = await SignalCountsAsync(client);
        Assert.Equal(new Dictionary<string, int> { ["imp-sup-1"] = 2, ["imp-sup-2"] = 1, ["rec:imp-rec-1"] = 2 }, signalsAfterFirst);
        Assert.Equal("They keep our passports.", (await factory.Service<IGrievanceVault>().ReadAsync("IMP-G1", "import-test"))!.Narrative);
        // The import stores exactly what the single endpoint stores: the same audit there is a duplicate, not a conflict.
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit("IMP-A1", "imp-sup-1", null, Samples.Finding("F1", "wages", "major", 10, codes: "wage-withholding"))))
            .Expect(HttpStatusCode.Created);

        var second = await ImportAsync(client, file);
        Assert.Equal(10, second["lines"]!.GetValue<long>());
        Assert.Equal(0, second["accepted"]!.GetValue<long>());
        Assert.Equal(4, second["duplicates"]!.GetValue<long>());
        Assert.Equal(5, second["rejected"]!.GetValue<long>());
        Assert.Equal(1, second["conflicts"]!.GetValue<long>());
        Assert.Equal(first["results"]!.ToJsonString(), second["results"]!.ToJsonString());
        Assert.Equal(rowsAfterFirst, await log.CountAsync());
        Assert.Equal(signalsAfterFirst, await SignalCountsAsync(client));
    }

    [Fact]
    public async Task An_import_hands_each_grain_every_row_it_wrote_so_no_grain_reads_the_log_back()
    {
        var log = new ReadCountingEvidenceLog();
        using var factory = new ServiceFactory
        {
            ConfigureServices = services =>
            {
                services.AddSingleton(sp => log.Over(sp.GetRequiredService<SqlEvidenceLog>()));
                services.AddSingleton<IEvidenceLog>(sp => sp.GetRequiredService<ReadCountingEvidenceLog>());
            },
        };
        using var client = factory.CreateClient();
        var suppliers = new[] { "rb-sup-1", "rb-sup-2", "rb-sup-3" };
        foreach (var supplier in suppliers)
        {
            (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
        }

        var readsBefore = log.SubjectReads; // the grains' activations read their (empty) history
        // Ten rows per subject in one import: a grain handed only its newest row would read the nine before it back.
        var file = string.Join("\n", Enumerable.Range(0, 30).Select(i =>
            KindFirstLine("audit", Samples.Audit($"RB-{i}", suppliers[i % 3], null, Samples.Finding("F1", "wages", "minor", 1 + i))))) + "\n";

        var summary = await ImportAsync(client, file);

        Assert.Equal(30, summary["accepted"]!.GetValue<long>());
        Assert.Equal(readsBefore, log.SubjectReads);
        foreach (var supplier in suppliers)
        {
            Assert.Equal(10, (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}")).Expect(HttpStatusCode.OK)["signalCount"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task The_import_wants_ndjson()
    {
        using var factory = new ServiceFactory();
        using var client = factory.CreateClient();
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(new Uri(Url, UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_import_over_its_configured_size_is_413_problem_details_and_stores_nothing()
    {
        using var factory = new ServiceFactory();
        factory.Settings["Api:ImportMaxRequestBodyBytes"] = "3000";
        using var client = factory.CreateClient();
        (await client.PutJsonAsync("/api/v1/suppliers/big-sup-1", Samples.Supplier())).Expect(HttpStatusCode.Created);
        var line = Line("audit", Samples.Audit("BIG-0", "big-sup-1", null, Samples.Finding("F1", "wages", "minor", 1)));
        var file = string.Join("\n", Enumerable.Range(0, 20).Select(i => line.Replace("BIG-0", $"BIG-{i}", StringComparison.Ordinal))) + "\n";
        Assert.True(Encoding.UTF8.GetByteCount(file) > 3000);

        using var content = new StringContent(file, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await client.PostAsync(new Uri(Url, UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var rows = await factory.Service<IEvidenceLog>().ReadSubjectAsync("sup:big-sup-1", 0);
        Assert.Equal(["profile"], rows.Select(r => r.Kind).ToArray()); // only the PUT's row

        // Under the limit the same endpoint takes the file.
        var small = await ImportAsync(client, line + "\n");
        Assert.Equal(1, small["accepted"]!.GetValue<long>());
    }

    [Fact]
    public async Task An_import_cut_off_by_SIGKILL_and_repeated_counts_every_line_once()
    {
        var data = TestPaths.NewTempDirectory();
        var suppliers = Enumerable.Range(0, 40).Select(i => $"cut-sup-{i}").ToArray();
        // About 3 MB: past the 1 MiB limit of the other endpoints, and several write chunks long.
        var lines = Enumerable.Range(0, 9_000).Select(i => Line("audit", Samples.Audit($"CUT-{i}", suppliers[i % suppliers.Length], null,
            Samples.Finding("F1", "wages", i % 7 == 0 ? "critical" : "minor", 1 + (i % 50), codes: i % 11 == 0 ? ["wage-withholding"] : [])))).ToArray();

        await using (var service = await ServiceProcess.StartAsync(data))
        {
            using var client = service.CreateClient();
            foreach (var supplier in suppliers)
            {
                (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
            }

            // Send two thirds of the file, wait until the service has stored some of it, then kill it mid-upload.
            var upload = new SlowUpload(lines.Take(6_000));
            using var uploadClient = new HttpClient { BaseAddress = service.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            uploadClient.DefaultRequestHeaders.Authorization = TestTokens.Bearer(TestTokens.DefaultRoles);
            using var request = new HttpRequestMessage(HttpMethod.Post, Url) { Content = upload };
            var sending = uploadClient.SendAsync(request);
            await upload.FirstPartSent.Task.WaitAsync(TimeSpan.FromSeconds(60));
            // Stored means in the evidence log (grains catch up once for many chunks, so their counts lag on purpose).
            await ApiCalls.EventuallyAsync(() => CountAuditRowsAsync(Path.Combine(data, "scw.db")), count => count > 0, TimeSpan.FromSeconds(60));
            if (sending.IsCompletedSuccessfully)
            {
                using var early = await sending;
                Assert.Fail($"the upload ended before the kill: {(int)early.StatusCode} {await early.Content.ReadAsStringAsync()}");
            }

            await service.KillAsync();
            upload.Release();
            await Assert.ThrowsAnyAsync<Exception>(async () => (await sending).EnsureSuccessStatusCode());
        }

        var storedBeforeRepeat = await CountAuditRowsAsync(Path.Combine(data, "scw.db"));
        Assert.InRange(storedBeforeRepeat, 1, lines.Length - 1);

        await using (var restarted = await ServiceProcess.StartAsync(data))
        {
            using var client = restarted.CreateClient();
            client.Timeout = TimeSpan.FromMinutes(5);
            var summary = await ImportAsync(client, string.Join("\n", lines));
            Assert.Equal(lines.Length, summary["lines"]!.GetValue<long>());
            Assert.Equal(storedBeforeRepeat, summary["duplicates"]!.GetValue<long>());
            Assert.Equal(lines.Length - storedBeforeRepeat, summary["accepted"]!.GetValue<long>());
            Assert.Equal(0, summary["rejected"]!.GetValue<long>());
            Assert.Equal(0, summary["conflicts"]!.GetValue<long>());
            foreach (var supplier in suppliers)
            {
                var view = (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}")).Expect(HttpStatusCode.OK);
                Assert.Equal(lines.Length / suppliers.Length, view["signalCount"]!.GetValue<int>());
            }
        }

        Assert.Equal(lines.Length, await CountAuditRowsAsync(Path.Combine(data, "scw.db")));
        await EvidenceLogVerification.AssertChainsVerifyAsync(Path.Combine(data, "scw.db"));
    }

    internal static string Line(string kind, object body)
    {
        var node = JsonSerializer.SerializeToNode(body, ApiCalls.Json)!.AsObject();
        node["kind"] = kind;
        return node.ToJsonString();
    }

    /// <summary>The same line with <c>kind</c> as its first member (read by the deserialiser alone, without a scan).</summary>
    internal static string KindFirstLine(string kind, object body)
    {
        var node = new JsonObject { ["kind"] = kind };
        foreach (var (name, value) in JsonSerializer.SerializeToNode(body, ApiCalls.Json)!.AsObject())
        {
            node[name] = value?.DeepClone();
        }

        return node.ToJsonString();
    }

    private static string AddField(string line, string name, string value)
    {
        var node = JsonNode.Parse(line)!.AsObject();
        node[name] = value;
        return node.ToJsonString();
    }

    internal static async Task<JsonNode> ImportAsync(HttpClient client, string ndjson)
    {
        using var content = new StringContent(ndjson, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        using var response = await client.PostAsync(new Uri(Url, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    private static void AssertRejected(JsonNode result, string? id, string field)
    {
        Assert.Equal("rejected", result["outcome"]!.GetValue<string>());
        Assert.Equal(400, result["status"]!.GetValue<int>());
        Assert.Equal(id, result["id"]?.GetValue<string>());
        Assert.True(result["errors"]!.AsObject().ContainsKey(field), $"expected an error on '{field}': {result.ToJsonString()}");
    }

    private static async Task<Dictionary<string, int>> SignalCountsAsync(HttpClient client) => new()
    {
        ["imp-sup-1"] = (await client.GetJsonAsync("/api/v1/suppliers/imp-sup-1")).Expect(HttpStatusCode.OK)["signalCount"]!.GetValue<int>(),
        ["imp-sup-2"] = (await client.GetJsonAsync("/api/v1/suppliers/imp-sup-2")).Expect(HttpStatusCode.OK)["signalCount"]!.GetValue<int>(),
        ["rec:imp-rec-1"] = (await client.GetJsonAsync("/api/v1/recruiters/imp-rec-1")).Expect(HttpStatusCode.OK)["signalCount"]!.GetValue<int>(),
    };

    private static async Task<long> CountAuditRowsAsync(string databasePath)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM evidence_log WHERE kind = 'finding' AND idempotency_key LIKE 'finding:CUT-%'";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A request body that sends its lines, then holds the connection open until released (the server is killed meanwhile).</summary>
    private sealed class SlowUpload : HttpContent
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly IEnumerable<string> _lines;

        public SlowUpload(IEnumerable<string> lines)
        {
            _lines = lines;
            Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        }

        public TaskCompletionSource FirstPartSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            foreach (var line in _lines)
            {
                await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
            }

            await stream.FlushAsync();
            FirstPartSent.TrySetResult();
            await _release.Task;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}

/// <summary>The evidence log, counting how often a subject's rows are read.</summary>
public sealed class ReadCountingEvidenceLog : IEvidenceLog
{
    private IEvidenceLog? _inner;
    private int _subjectReads;

    public int SubjectReads => Volatile.Read(ref _subjectReads);

    private IEvidenceLog Inner => _inner ?? throw new InvalidOperationException("Not wired to a log yet.");

    public ReadCountingEvidenceLog Over(IEvidenceLog inner)
    {
        _inner = inner;
        return this;
    }

    public Task<AppendResult> AppendAsync(IReadOnlyList<EvidenceAppend> rows, CancellationToken cancellationToken = default) => Inner.AppendAsync(rows, cancellationToken);

    public Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<IReadOnlyList<EvidenceAppend>> submissions, CancellationToken cancellationToken = default) =>
        Inner.AppendManyAsync(submissions, cancellationToken);

    public Task<IReadOnlyList<EvidenceRow>> ReadSubjectAsync(string subjectId, long afterSubjectSeq, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _subjectReads);
        return Inner.ReadSubjectAsync(subjectId, afterSubjectSeq, cancellationToken);
    }

    public Task<IReadOnlyList<EvidenceRow>> FindByKeyAsync(string idempotencyKey, CancellationToken cancellationToken = default) => Inner.FindByKeyAsync(idempotencyKey, cancellationToken);

    public Task<ChainVerification> VerifyChainAsync(string subjectId, CancellationToken cancellationToken = default) => Inner.VerifyChainAsync(subjectId, cancellationToken);

    public Task<IReadOnlyList<string>> ListSubjectsAsync(CancellationToken cancellationToken = default) => Inner.ListSubjectsAsync(cancellationToken);

    public Task<long> CountAsync(CancellationToken cancellationToken = default) => Inner.CountAsync(cancellationToken);
}

/// <summary>The import on PostgreSQL, where it writes with binary COPY and hands the grains what it wrote.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresImportTests(PostgresServerFixture server)
{
    [Fact]
    public async Task An_import_on_PostgreSQL_keeps_every_hash_chain_valid_scores_every_line_and_a_second_import_changes_nothing()
    {
        var storage = server.CreateDatabase();
        using var factory = new ServiceFactory(storage: storage);
        using var client = factory.CreateClient();
        var suppliers = Enumerable.Range(0, 12).Select(i => $"pgi-sup-{i}").ToArray();
        var recruiters = Enumerable.Range(0, 3).Select(i => $"pgi-rec-{i}").ToArray();
        foreach (var supplier in suppliers)
        {
            (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
        }

        foreach (var recruiter in recruiters)
        {
            (await client.PutJsonAsync($"/api/v1/recruiters/{recruiter}", Samples.Recruiter())).Expect(HttpStatusCode.Created);
        }

        // Audits (every third names a recruiter: two rows), grievances (supplier and recruiter rows sharing one content),
        // fee reports; half the lines start with their kind. Many rows per write batch, so PostgreSQL takes the COPY path.
        var expected = suppliers.Concat(recruiters.Select(r => "rec:" + r)).ToDictionary(s => s, _ => 0);
        var lines = new List<string>();
        for (var i = 0; i < 900; i++)
        {
            var supplier = suppliers[i % suppliers.Length];
            var recruiter = recruiters[i % recruiters.Length];
            var (kind, body) = (i % 3) switch
            {
                0 => ("audit", Samples.Audit($"PGI-A{i}", supplier, i % 9 == 0 ? recruiter : null,
                    Samples.Finding("F1", "wages", i % 7 == 0 ? "critical" : "minor", 1 + (i % 40), codes: i % 5 == 0 ? ["wage-withholding"] : []))),
                1 => ("grievance", Samples.Grievance($"PGI-G{i}", supplier, recruiter, "2026-11-10T10:00:00Z", "They keep our passports.", null, "document-retention")),
                _ => ("recruitment-fee", Samples.FeeReport($"PGI-R{i}", recruiter, supplier, $"w-{i}", 900m + i, loan: i % 2 == 0)),
            };
            lines.Add(i % 2 == 0 ? ImportTests.KindFirstLine(kind, body) : ImportTests.Line(kind, body));
            expected[supplier]++;
            if (kind != "audit" || i % 9 == 0)
            {
                expected["rec:" + recruiter]++;
            }
        }

        lines.Insert(450, ImportTests.Line("audit", Samples.Audit("PGI-A0", suppliers[0], null, Samples.Finding("F1", "wages", "major", 3)))); // conflict with line 1
        lines.Insert(100, ImportTests.KindFirstLine("audit", Samples.Audit("PGI-BAD", suppliers[1], null, Samples.Finding("F1", "wages", "catastrophic", 1)))); // rejected
        var file = string.Join("\n", lines) + "\n";
        var log = factory.Service<IEvidenceLog>();
        var rowsBefore = await log.CountAsync();

        var first = await ImportTests.ImportAsync(client, file);

        Assert.Equal(902, first["lines"]!.GetValue<long>());
        Assert.Equal(900, first["accepted"]!.GetValue<long>());
        Assert.Equal(1, first["rejected"]!.GetValue<long>());
        Assert.Equal(1, first["conflicts"]!.GetValue<long>());
        Assert.Equal([101L, 452L], first["results"]!.AsArray().Select(r => r!["line"]!.GetValue<long>()));
        Assert.Equal("PGI-BAD", first["results"]![0]!["id"]!.GetValue<string>());
        var rowsAfterFirst = await log.CountAsync();
        Assert.Equal(rowsBefore + expected.Values.Sum(), rowsAfterFirst);
        Assert.Equal(expected, await SignalCountsAsync(client, expected.Keys));
        await EvidenceLogVerification.AssertChainsVerifyAsync(storage);

        var second = await ImportTests.ImportAsync(client, file);

        Assert.Equal(0, second["accepted"]!.GetValue<long>());
        Assert.Equal(900, second["duplicates"]!.GetValue<long>());
        Assert.Equal(first["results"]!.ToJsonString(), second["results"]!.ToJsonString());
        Assert.Equal(rowsAfterFirst, await log.CountAsync());
        Assert.Equal(expected, await SignalCountsAsync(client, expected.Keys));
        await EvidenceLogVerification.AssertChainsVerifyAsync(storage);
    }

    private static async Task<Dictionary<string, int>> SignalCountsAsync(HttpClient client, IEnumerable<string> subjects)
    {
        var counts = new Dictionary<string, int>();
        foreach (var subject in subjects)
        {
            var url = subject.StartsWith("rec:", StringComparison.Ordinal) ? $"/api/v1/recruiters/{subject[4..]}" : $"/api/v1/suppliers/{subject}";
            counts[subject] = (await client.GetJsonAsync(url)).Expect(HttpStatusCode.OK)["signalCount"]!.GetValue<int>();
        }

        return counts;
    }
}
