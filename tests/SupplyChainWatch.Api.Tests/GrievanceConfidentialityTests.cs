using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// A grievance's narrative and reporter contact reach the grievance handler through one endpoint, leave a trace in the
/// access log when they do, and appear nowhere else: no other role's answers, no error message, no log line, no
/// database cell (the vault holds ciphertext), not even the raw database files.
/// </summary>
public sealed class GrievanceConfidentialityTests : IDisposable
{
    private readonly ITestOutputHelper _output;

    private readonly ServiceFactory _factory = new();

    public GrievanceConfidentialityTests(ITestOutputHelper output)
    {
        _output = output;
        // Everything every component logs, down to Trace: not even debug output may carry the text.
        foreach (var category in new[] { "Default", "Microsoft", "Microsoft.AspNetCore", "Orleans", "System" })
        {
            _factory.Settings[$"Logging:LogLevel:{category}"] = "Trace";
        }
    }

    public void Dispose() => _factory.Dispose();

    private static string Canary(string what) => $"CANARY{what}{Guid.NewGuid():N}";

    [Fact]
    public async Task Canaries_in_narrative_and_contact_leak_nowhere_and_the_handler_reads_them_with_a_trace()
    {
        var narrative = Canary("narrative");
        var contact = Canary("contact");
        var severeNarrative = Canary("severe");
        var severeContact = Canary("severecontact");
        var rejected = Canary("rejected");
        var conflicting = Canary("conflict");
        string[] canaries = [narrative, contact, severeNarrative, severeContact, rejected, conflicting];
        var world = await SeededWorld.CreateAsync(_factory, narrative, contact);
        var answers = new StringBuilder();

        using (var handler = _factory.CreateClient(["grievance-handler"]))
        {
            // A grievance severe enough to escalate (forced-labour indicators, child involved), so escalation payloads exist.
            var severe = Samples.Grievance($"{world.GrievanceId}-2", world.Supplier, world.Recruiter, "2026-11-19T07:30:00Z", severeNarrative, severeContact,
                "document-retention", "physical-sexual-violence", "restriction-of-movement", "debt-manipulation");
            var severeBody = System.Text.Json.JsonSerializer.SerializeToNode(severe, ApiCalls.Json)!;
            severeBody["childInvolved"] = true;
            severeBody["imminentDanger"] = true;
            severeBody["evidenceStatus"] = "corroborated";
            Record(answers, await handler.PostJsonAsync("/api/v1/grievances", severeBody.ToJsonString())).Expect(HttpStatusCode.Created);
            Record(answers, await handler.PostJsonAsync($"/api/v1/grievances/{world.GrievanceId}/status", new { status = "acknowledged", on = "2026-11-19" })).Expect(HttpStatusCode.OK);

            // Error paths: a rejected narrative (control character, over-long contact) and a conflicting resubmission.
            var invalid = Samples.Grievance($"{world.GrievanceId}-3", world.Supplier, null, "2026-11-19T08:00:00Z", rejected + "\u0007", rejected + new string('x', 600));
            Record(answers, await handler.PostJsonAsync("/api/v1/grievances", invalid)).Expect(HttpStatusCode.BadRequest);
            var conflict = Samples.Grievance(world.GrievanceId, world.Supplier, world.Recruiter, "2026-11-18T09:00:00Z", conflicting, contact, "document-retention");
            Record(answers, await handler.PostJsonAsync("/api/v1/grievances", conflict)).Expect(HttpStatusCode.Conflict);
        }

        var escalations = await ApiCalls.EventuallyAsync(
            async () => (await _factory.CreateClient(["compliance"]).GetJsonAsync($"/api/v1/escalations?subjectId=sup:{world.Supplier}&limit=500")).Expect(HttpStatusCode.OK),
            e => e["items"]!.AsArray().Count > 0);
        Assert.NotEmpty(escalations["items"]!.AsArray());

        // Every read endpoint of the endpoint table, as every role that is not grievance-handler (alone and together),
        // and anonymous; the grievance endpoint is among them and must refuse them all.
        var reads = EndpointCatalog.ForMappedEndpoints(_factory.Services).Where(s => s.Method == "GET" && !s.Streaming).ToList(); // Streams never end; EventStreamTests reads them.
        var others = SupplyChainWatch.Api.Hosting.Roles.All.Where(r => r != "grievance-handler").ToArray();
        var callers = others.Select(r => new[] { r }).Append(others).Append([]).ToList();
        var requests = 0;
        foreach (var roles in callers)
        {
            using var client = _factory.CreateClient(roles);
            foreach (var spec in reads)
            {
                foreach (var url in Variants(spec.Url(world), world))
                {
                    using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
                    requests++;
                    answers.Append(url).Append(' ').Append((int)response.StatusCode).Append(' ').Append(response.Headers).Append(await response.Content.ReadAsStringAsync()).AppendLine();
                    if (spec.Key == "GET /api/v1/grievances/{grievanceId}")
                    {
                        Assert.Equal(roles.Length == 0 ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden, response.StatusCode);
                    }
                }
            }
        }

        // The escalation writes behind the answers are durable before the store and the logs are scanned.
        await _factory.DerivedViewsCaughtUpAsync();

        // The webhooks the world's NGO subscription received (escalations of the severe grievance among them).
        var receiver = await _factory.WebhookReceiverAsync();
        await ApiCalls.EventuallyAsync(() => Task.FromResult(receiver.Received.Count(r => r.Body.Contains(world.Supplier, StringComparison.Ordinal))), n => n >= 2, TimeSpan.FromSeconds(10));
        Assert.True(receiver.Received.Count >= 2, $"only {receiver.Received.Count} webhook deliveries to scan");
        foreach (var delivery in receiver.Received)
        {
            answers.Append(delivery.Id).Append(' ').Append(delivery.Signature).Append(' ').AppendLine(delivery.Body);
        }

        var text = answers.ToString();
        var logs = string.Join("\n", _factory.Logs.Lines);
        var files = Directory.GetFiles(_factory.DataDirectory).Select(f => (Name: Path.GetFileName(f), Bytes: ReadShared(f))).ToList();
        foreach (var canary in canaries)
        {
            Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
            Assert.DoesNotContain(canary, logs, StringComparison.Ordinal);
            // Every column of every table, the vault's encrypted columns included: they must hold ciphertext only.
            var cells = await DatabaseInspection.FindAsync(_factory.DatabasePath, canary);
            Assert.True(cells.Count == 0, $"{canary} found in {string.Join(", ", cells)}");
            foreach (var (name, bytes) in files)
            {
                Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(canary)) < 0, $"{canary} found in the raw file {name}");
            }
        }

        var vault = await DatabaseInspection.QueryAsync(_factory.DatabasePath, $"SELECT narrative, reporter_contact FROM grievance_confidential WHERE grievance_id = '{world.GrievanceId}'");
        Assert.StartsWith("CfDJ8", (string)vault.Single()["narrative"]!, StringComparison.Ordinal);
        Assert.NotEmpty(await DatabaseInspection.QueryAsync(_factory.DatabasePath, "SELECT friendly_name FROM data_protection_keys"));
        Assert.Empty(await DatabaseInspection.QueryAsync(_factory.DatabasePath, "SELECT * FROM grievance_access_log"));

        // The grievance handler reads both texts through its endpoint, and the read is in the access log.
        using (var handler = _factory.CreateClient(["grievance-handler"]))
        {
            var view = (await handler.GetJsonAsync($"/api/v1/grievances/{world.GrievanceId}")).Expect(HttpStatusCode.OK);
            Assert.Equal(narrative, view["narrative"]!.GetValue<string>());
            Assert.Equal(contact, view["reporterContact"]!.GetValue<string>());
            Assert.Equal(world.Supplier, view["supplierId"]!.GetValue<string>());
            (await handler.GetJsonAsync("/api/v1/grievances/grv-unknown")).Expect(HttpStatusCode.NotFound);
        }

        var access = await DatabaseInspection.QueryAsync(_factory.DatabasePath, "SELECT grievance_id, accessed_by, accessed_at FROM grievance_access_log");
        var row = Assert.Single(access);
        Assert.Equal(world.GrievanceId, row["grievance_id"]);
        Assert.Equal($"user-grievance-handler ({TestTokens.Issuer})", row["accessed_by"]);
        Assert.Equal("2026-11-20T12:00:00.000000Z", row["accessed_at"]);
        Assert.DoesNotContain(narrative, string.Join("\n", _factory.Logs.Lines), StringComparison.Ordinal);
        _output.WriteLine($"{requests} read requests as {callers.Count} callers over {reads.Count} read endpoints; {_factory.Logs.Lines.Count} log lines and {files.Count} database files scanned for {canaries.Length} canaries");
    }

    [Fact]
    public async Task The_key_ring_lives_in_the_database_so_a_new_silo_on_the_same_store_decrypts()
    {
        var narrative = Canary("restart");
        WorldIds world;
        using (var first = new ServiceFactory(_factory.DataDirectory))
        {
            world = await SeededWorld.CreateAsync(first, narrative, "contact");
        }

        using var second = new ServiceFactory(_factory.DataDirectory);
        using var handler = second.CreateClient(["grievance-handler"]);
        var view = (await handler.GetJsonAsync($"/api/v1/grievances/{world.GrievanceId}")).Expect(HttpStatusCode.OK);
        Assert.Equal(narrative, view["narrative"]!.GetValue<string>());
        var keys = await DatabaseInspection.QueryAsync(second.DatabasePath, "SELECT friendly_name FROM data_protection_keys");
        Assert.Single(keys);
    }

    private static IEnumerable<string> Variants(string url, WorldIds world)
    {
        yield return url;
        if (url.EndsWith("/risk", StringComparison.Ordinal))
        {
            yield return url + "?asOf=2026-11-19T12:00:00Z";
        }
        else if (url.EndsWith("/suppliers", StringComparison.Ordinal) || url.EndsWith("/recruiters", StringComparison.Ordinal))
        {
            yield return url + "?limit=500&sort=score";
            yield return url + "?country=MY&minScore=0";
        }
        else if (url.EndsWith("/escalations", StringComparison.Ordinal))
        {
            yield return url + $"?subjectId=sup:{world.Supplier}&limit=500";
            yield return url + $"?subjectId=rec:{world.Recruiter}&limit=500";
        }
    }

    private static (HttpStatusCode Status, JsonNode? Body) Record(StringBuilder answers, (HttpStatusCode Status, JsonNode? Body) answer)
    {
        answers.AppendLine(answer.Body?.ToJsonString());
        return answer;
    }

    private static byte[] ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
