using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Issue 14, open point: <c>GET /api/v1/admin/quarantine</c> lists quarantined grievance rows whatever their consent
/// (operators need the id to repair the row). Admin is an operator role, not a grievance role, so an entry carries the
/// subject, the signal id and a reason made of a field name and a rule (or a row kind and an exception type), and nothing
/// derived from the row's content: no narrative, contact or digest of them, no allegation codes, no flags.
/// </summary>
public sealed class QuarantineListTests
{
    [Fact]
    public async Task Quarantined_grievance_rows_without_consent_are_listed_to_admins_by_id_and_reason_only()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        string supplier = $"qua-{tag}", model = $"QM-{tag}", outside = $"QO-{tag}";
        string narrative = $"QUARANTINE-NARRATIVE-{tag}", contact = $"+60 12-555 {tag[..4]}";
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{narrative}\u0000{contact}"));
        var data = TestPaths.NewTempDirectory();
        long unreadableSeq;
        await using (var service = new ServiceFactory(data))
        {
            using var client = service.CreateClient();
            (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
            var body = JsonSerializer.SerializeToNode(Samples.Grievance(model, supplier, null, "2026-11-18T09:00:00Z", narrative, contact, "physical-sexual-violence"), ApiCalls.Json)!;
            body["imminentDanger"] = true;
            body["consent"] = new JsonObject { ["shareWithBrand"] = false, ["shareWithNgo"] = false, ["shareWithLawEnforcement"] = false };
            (await client.PostJsonAsync("/api/v1/grievances", body.ToJsonString())).Expect(HttpStatusCode.Created);

            // Rows the engine cannot use, as an older version (or a damaged import) could have left them: a grievance row
            // whose content is not readable at all (and quotes the narrative), and a grievance with the pre-version-8
            // digest of its texts and a worker count outside the limits. The unreadable row is the subject's last: the turn
            // that applies it must not parse it again (it once did, to name the live event's signal, and failed activation).
            var log = service.Service<IEvidenceLog>();
            var row = (await log.FindByKeyAsync(IdempotencyKeys.Grievance(model)))[0];
            var content = EvidenceJson.Deserialize<EvidenceContent.Grievance>(row.ContentJson);
            var legacy = content with
            {
                ConfidentialDigest = Convert.ToHexStringLower(digest),
                Detail = content.Detail with { GrievanceId = outside, WorkersAffected = int.MaxValue },
            };
            Assert.Equal(AppendOutcome.Appended, (await log.AppendAsync([new EvidenceAppend("sup:" + supplier, IdempotencyKeys.Grievance(outside), EvidenceKinds.Grievance,
                EvidenceJson.Serialize(legacy), row.OccurredAt)])).Outcome);
            Assert.Equal(AppendOutcome.Appended, (await log.AppendAsync([new EvidenceAppend("sup:" + supplier, IdempotencyKeys.Grievance($"QU-{tag}"), EvidenceKinds.Grievance,
                $"{{\"narrative\":\"{narrative}\",\"reporterContact\":", row.OccurredAt)])).Outcome);
            unreadableSeq = (await log.ReadSubjectAsync("sup:" + supplier, 0)).Max(r => r.SubjectSeq);
        }

        // A restart replays the log: both rows are quarantined, the subject keeps working.
        await using var restarted = new ServiceFactory(data);
        using var admin = restarted.CreateClient(["admin"]);
        (await admin.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        var list = (await admin.GetJsonAsync("/api/v1/admin/quarantine")).Expect(HttpStatusCode.OK).AsArray();

        var entry = Assert.Single(list)!.AsObject();
        Assert.Equal(["subjectKey", "signals"], entry.Select(p => p.Key));
        Assert.Equal("sup:" + supplier, entry["subjectKey"]!.GetValue<string>());
        var signals = entry["signals"]!.AsArray().Select(s => s!.AsObject()).ToList();
        Assert.All(signals, s => Assert.Equal(["signalId", "reason"], s.Select(p => p.Key)));
        Assert.Equal([outside, $"seq:{unreadableSeq}"], signals.Select(s => s["signalId"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.StartsWith("workersAffected ", signals.Single(s => s["signalId"]!.GetValue<string>() == outside)["reason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("grievance row could not be read (JsonException)", signals.Single(s => s["signalId"]!.GetValue<string>() != outside)["reason"]!.GetValue<string>());

        var text = JsonSerializer.Serialize(list);
        foreach (var forbidden in new[] { narrative, contact, Convert.ToHexStringLower(digest), Convert.ToBase64String(digest), "physical-sexual-violence", "imminent", model })
        {
            Assert.DoesNotContain(forbidden, text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
