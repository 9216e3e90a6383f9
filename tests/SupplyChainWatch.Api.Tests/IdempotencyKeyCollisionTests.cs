using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Issue 14, finding 3: ids may contain ':', and no two of them may share an idempotency key.</summary>
public sealed class IdempotencyKeyCollisionTests : IDisposable
{
    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Audit_A_finding_X_F_and_audit_A_X_finding_F_are_two_findings_whose_status_changes_land_in_their_own_chains()
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        string first = $"key-a-{tag}", second = $"key-b-{tag}";
        string audit = $"A{tag}", finding = $"X:F{tag}", colonAudit = $"A{tag}:X", colonFinding = $"F{tag}";
        using var client = _factory.CreateClient();
        (await client.PutJsonAsync($"/api/v1/suppliers/{first}", Samples.Supplier())).Expect(HttpStatusCode.Created);
        (await client.PutJsonAsync($"/api/v1/suppliers/{second}", Samples.Supplier())).Expect(HttpStatusCode.Created);

        // audit + ":" + finding is the same text for both: "A…:X:F…" (the key the old format gave both).
        Assert.Equal($"{audit}:{finding}".Replace(tag, string.Empty, StringComparison.Ordinal), $"{colonAudit}:{colonFinding}".Replace(tag, string.Empty, StringComparison.Ordinal));
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit(audit, first, null, Samples.Finding(finding, "documents", "major", 5, "verified", null, "document-retention"))))
            .Expect(HttpStatusCode.Created);
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit(colonAudit, second, null, Samples.Finding(colonFinding, "wages", "major", 5, "verified", null, "wage-withholding"))))
            .Expect(HttpStatusCode.Created);

        var one = (await client.PostJsonAsync($"/api/v1/audits/{Uri.EscapeDataString(audit)}/findings/{Uri.EscapeDataString(finding)}/status",
            new { status = "remediated", on = "2026-11-20" })).Expect(HttpStatusCode.OK);
        var other = (await client.PostJsonAsync($"/api/v1/audits/{Uri.EscapeDataString(colonAudit)}/findings/{Uri.EscapeDataString(colonFinding)}/status",
            new { status = "remediated", on = "2026-11-20" })).Expect(HttpStatusCode.OK);

        Assert.Equal([first], one["evidence"]!.AsArray().Select(e => e!["subjectId"]!.GetValue<string>()));
        Assert.Equal([second], other["evidence"]!.AsArray().Select(e => e!["subjectId"]!.GetValue<string>()));
        Assert.NotEqual(one["evidence"]![0]!["idempotencyKey"]!.GetValue<string>(), other["evidence"]![0]!["idempotencyKey"]!.GetValue<string>());

        // Each chain holds its own finding and its own status change, and nothing of the other's; both verify.
        var log = _factory.Service<IEvidenceLog>();
        foreach (var (supplier, auditId) in new[] { (first, audit), (second, colonAudit) })
        {
            var rows = await log.ReadSubjectAsync("sup:" + supplier, 0);
            Assert.Equal(["profile", "finding", "finding-status"], rows.Select(r => r.Kind));
            Assert.All(rows.Skip(1), r => Assert.Contains($"\"auditId\":\"{auditId}\"", r.ContentJson, StringComparison.Ordinal));
            Assert.True((await log.VerifyChainAsync("sup:" + supplier)).Valid);
        }

        // Repeats are still no-ops.
        (await client.PostJsonAsync($"/api/v1/audits/{Uri.EscapeDataString(colonAudit)}/findings/{Uri.EscapeDataString(colonFinding)}/status",
            new { status = "remediated", on = "2026-11-20" })).Expect(HttpStatusCode.OK);
        Assert.Equal(3, (await log.ReadSubjectAsync("sup:" + second, 0)).Count);
    }
}
