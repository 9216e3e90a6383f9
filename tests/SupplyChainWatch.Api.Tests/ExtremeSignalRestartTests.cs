using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Issue 14, acceptance 2: a generated batch of extreme-but-valid signals of every kind (each number and date at a bound
/// of <see cref="DomainLimits"/>), sent one by one and as a bulk import, is accepted; after a restart on the same store
/// every subject, and every subject linked to it, answers its profile and its risk (now, as of and as dated by the
/// bounds) with 2xx and nothing quarantined.
/// </summary>
public sealed class ExtremeSignalRestartTests
{
    private static readonly string MinDate = DomainLimits.MinDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private static readonly string MaxDate = DomainLimits.MaxDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    private const string Today = "2026-11-20";

    private static T Pick<T>(Random random, params T[] items) => items[random.Next(items.Length)];

    private static JsonObject Audit(Random random, string id, string supplier, string recruiter) => new()
    {
        ["auditId"] = id,
        ["supplierId"] = supplier,
        ["recruiterId"] = random.Next(2) == 0 ? recruiter : null,
        ["standard"] = "smeta",
        ["auditType"] = "initial",
        ["startDate"] = MinDate,
        ["endDate"] = Pick(random, MinDate, Today),
        ["auditFirm"] = new string('F', 200),
        ["findings"] = new JsonArray([.. Enumerable.Range(0, Pick(random, 1, 20)).Select(i => (JsonNode)new JsonObject
        {
            ["findingId"] = "F-" + i,
            ["category"] = Pick(random, "documents", "wages", "forced-labour", "child-labour", "health-safety"),
            ["severity"] = Pick(random, "zero-tolerance", "critical", "major", "minor", "observation"),
            ["indicators"] = new JsonArray([.. Enum.GetValues<IndicatorCode>().Take(Pick(random, 0, 15)).Select(c =>
                (JsonNode)new JsonObject { ["code"] = JsonNamingPolicy.KebabCaseLower.ConvertName(c.ToString()) })]),
            ["workersAffected"] = Pick(random, 0, 1, DomainLimits.MaxWorkersAffected),
            ["evidenceStatus"] = Pick(random, "verified", "corroborated", "alleged", "self-assessed"),
            ["status"] = Pick(random, "open", "remediated", "verified-remediated"),
            ["dueDate"] = Pick(random, MinDate, Today, MaxDate),
            ["caseRef"] = Pick(random, "case-a", new string('c', 128)),
        })]),
    };

    private static JsonObject Grievance(Random random, string id, string supplier, string recruiter) => new()
    {
        ["grievanceId"] = id,
        ["supplierId"] = supplier,
        ["recruiterId"] = random.Next(2) == 0 ? recruiter : null,
        ["receivedAt"] = Pick(random, "1990-01-01T00:00:00Z", "2026-11-20T12:00:00Z"),
        ["channel"] = "hotline",
        ["allegations"] = new JsonArray([.. Enum.GetValues<IndicatorCode>().Select(c =>
            (JsonNode)new JsonObject { ["code"] = JsonNamingPolicy.KebabCaseLower.ConvertName(c.ToString()), ["strength"] = Pick(random, "strong", "medium") })]),
        ["categories"] = new JsonArray("forced-labour", "wages"),
        ["workersAffected"] = Pick(random, 0, DomainLimits.MaxWorkersAffected),
        ["evidenceStatus"] = Pick(random, "alleged", "verified"),
        ["imminentDanger"] = random.Next(2) == 0,
        ["childInvolved"] = random.Next(2) == 0,
        ["anonymity"] = "anonymous",
        ["consent"] = new JsonObject { ["shareWithBrand"] = true, ["shareWithNgo"] = false, ["shareWithLawEnforcement"] = false },
    };

    private static JsonObject FeeReport(Random random, string id, string recruiter, string supplier)
    {
        var atMost = random.Next(2) == 0;
        return new JsonObject
        {
            ["reportId"] = id,
            ["recruiterId"] = recruiter,
            ["supplierId"] = supplier,
            ["workerRef"] = "w-" + id,
            ["originCountry"] = "NP",
            ["destinationCountry"] = "MY",
            ["recruitedOn"] = MinDate,
            ["costs"] = new JsonArray([.. Enumerable.Range(0, atMost ? DomainLimits.MaxCosts : 1).Select(_ => (JsonNode)new JsonObject
            {
                ["type"] = "placement-fee",
                ["amount"] = atMost ? DomainLimits.MaxAmount : 0m,
                ["currency"] = "EUR",
                ["paidBy"] = Pick(random, "worker", "family", "employer"),
            })]),
            ["monthlyWage"] = new JsonObject { ["amount"] = atMost ? 1m : DomainLimits.MaxAmount, ["currency"] = "EUR" },
            ["fxRatesToUsd"] = new JsonObject { ["EUR"] = atMost ? DomainLimits.MaxFxRate : DomainLimits.MinFxRate },
            ["financing"] = new JsonObject { ["loan"] = true, ["repaidByWageDeduction"] = true, ["mayNotLeaveUntilRepaid"] = random.Next(2) == 0 },
            ["reimbursement"] = new JsonObject { ["status"] = "partial", ["amount"] = DomainLimits.MaxAmount, ["on"] = Today },
        };
    }

    [Fact]
    public async Task Extreme_but_valid_signals_of_every_kind_leave_every_subject_and_its_links_readable_after_a_restart()
    {
        var random = new Random(1410);
        var suppliers = Enumerable.Range(0, 4).Select(i => $"xs-sup-{i}").ToArray();
        var recruiters = Enumerable.Range(0, 3).Select(i => $"xs-rec-{i}").ToArray();
        var data = TestPaths.NewTempDirectory();
        await using (var service = new ServiceFactory(data))
        {
            using var client = service.CreateClient();
            for (var i = 0; i < suppliers.Length; i++)
            {
                (await client.PutJsonAsync($"/api/v1/suppliers/{suppliers[i]}", new
                {
                    name = new string('S', 200),
                    country = "MY",
                    sector = "apparel",
                    workforce = i % 2 == 0 ? DomainLimits.MaxWorkforce : 0,
                    migrantWorkerShare = i % 2 == 0 ? 1.0 : 0.0,
                    agencyWorkerShare = i % 2 == 0 ? 0.0 : 1.0,
                    products = Enumerable.Range(0, 100).Select(p => "garments").ToArray(),
                })).Expect(HttpStatusCode.Created);
            }

            foreach (var recruiter in recruiters)
            {
                (await client.PutJsonAsync($"/api/v1/recruiters/{recruiter}", new
                {
                    name = "R",
                    country = "NP",
                    corridors = Enumerable.Range(0, 100).Select(_ => new { origin = "NP", destination = "MY" }).ToArray(),
                })).Expect(HttpStatusCode.Created);
            }

            // Shares at their bounds: one recruiter holds all of a workforce, another none, two split one.
            (await client.PutJsonAsync($"/api/v1/suppliers/{suppliers[0]}/recruiters/{recruiters[0]}", new { workforceShare = 1.0 })).Expect(HttpStatusCode.OK);
            (await client.PutJsonAsync($"/api/v1/suppliers/{suppliers[1]}/recruiters/{recruiters[1]}", new { workforceShare = 0.0 })).Expect(HttpStatusCode.OK);
            (await client.PutJsonAsync($"/api/v1/suppliers/{suppliers[2]}/recruiters/{recruiters[0]}", new { workforceShare = 0.5 })).Expect(HttpStatusCode.OK);
            (await client.PutJsonAsync($"/api/v1/suppliers/{suppliers[2]}/recruiters/{recruiters[2]}", new { workforceShare = 0.5 })).Expect(HttpStatusCode.OK);

            var lines = new List<string>();
            for (var i = 0; i < 24; i++)
            {
                var supplier = suppliers[i % suppliers.Length];
                var recruiter = recruiters[i % recruiters.Length];
                var (kind, path, body) = (i % 3) switch
                {
                    0 => ("audit", "/api/v1/audits", Audit(random, $"XA-{i}", supplier, recruiter)),
                    1 => ("grievance", "/api/v1/grievances", Grievance(random, $"XG-{i}", supplier, recruiter)),
                    _ => ("recruitment-fee", "/api/v1/recruitment-fees", FeeReport(random, $"XF-{i}", recruiter, supplier)),
                };
                if (i % 2 == 0)
                {
                    (await client.PostJsonAsync(path, body.ToJsonString())).Expect(HttpStatusCode.Created);
                    if (kind == "audit")
                    {
                        // A move the lifecycle allows from whichever status the finding was submitted with (setting it again is 409).
                        var next = body["findings"]![0]!["status"]!.GetValue<string>() == "verified-remediated" ? "open" : "verified-remediated";
                        (await client.PostJsonAsync($"/api/v1/audits/XA-{i}/findings/F-0/status", new { status = next, on = Today })).Expect(HttpStatusCode.OK);
                    }
                    else if (kind == "grievance")
                    {
                        (await client.PostJsonAsync($"/api/v1/grievances/XG-{i}/status", new { status = "closed", on = Today, outcome = "founded", verified = true })).Expect(HttpStatusCode.OK);
                    }
                }
                else
                {
                    body["kind"] = kind;
                    lines.Add(body.ToJsonString());
                }
            }

            using var content = new StringContent(string.Join('\n', lines), Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            using var import = await client.PostAsync(new Uri("/api/v1/signals:import", UriKind.Relative), content);
            var summary = JsonNode.Parse(await import.Content.ReadAsStringAsync())!;
            Assert.True(import.StatusCode == HttpStatusCode.OK, summary.ToJsonString());
            Assert.Equal(lines.Count, summary["accepted"]!.GetValue<int>());
        }

        await using var restarted = new ServiceFactory(data);
        using var reader = restarted.CreateClient();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Queue<(string Type, string Id)>([.. suppliers.Select(s => ("suppliers", s)), .. recruiters.Select(r => ("recruiters", r))]);
        while (pending.TryDequeue(out var subject))
        {
            if (!seen.Add(subject.Type + "/" + subject.Id))
            {
                continue;
            }

            var profile = (await reader.GetJsonAsync($"/api/v1/{subject.Type}/{subject.Id}")).Expect(HttpStatusCode.OK);
            foreach (var query in new[] { "", "?asOf=1990-01-01T00:00:00Z", "?asOf=2100-12-31T23:59:59Z", "?dated=1990-01-01T00:00:00Z", "?dated=2100-12-31T23:59:59Z" })
            {
                var risk = (await reader.GetJsonAsync($"/api/v1/{subject.Type}/{subject.Id}/risk{query}")).Expect(HttpStatusCode.OK);
                Assert.InRange(risk["score"]!.GetValue<double>(), 0, 100);
                Assert.Empty(risk["quarantined"]!.AsArray());
            }

            foreach (var link in profile["recruiters"]?.AsArray() ?? [])
            {
                pending.Enqueue(("recruiters", link!["recruiterId"]!.GetValue<string>()));
            }

            foreach (var link in profile["suppliers"]?.AsArray() ?? [])
            {
                pending.Enqueue(("suppliers", link!["supplierId"]!.GetValue<string>()));
            }
        }

        Assert.Equal(suppliers.Length + recruiters.Length, seen.Count);
        (await reader.GetJsonAsync("/api/v1/suppliers?limit=500")).Expect(HttpStatusCode.OK);
        (await reader.GetJsonAsync("/api/v1/recruiters?limit=500")).Expect(HttpStatusCode.OK);
        Assert.Empty((await reader.GetJsonAsync("/api/v1/admin/quarantine")).Expect(HttpStatusCode.OK).AsArray());
    }
}
