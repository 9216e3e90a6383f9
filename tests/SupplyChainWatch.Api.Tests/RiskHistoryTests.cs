using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

public sealed class RiskHistoryTests(ITestOutputHelper output) : IDisposable
{
    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task An_audit_then_a_remediation_are_two_points_whose_causes_add_up_to_the_score_changes()
    {
        using var client = _factory.CreateClient();
        var auditedAt = _factory.Clock.GetUtcNow();
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit("hist-aud", "hist-sup", null,
            Samples.Finding("F1", "wages", "critical", 40, codes: "wage-withholding")))).Expect(HttpStatusCode.Created);
        var afterAudit = (await client.GetJsonAsync("/api/v1/suppliers/hist-sup/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>();
        _factory.Clock.Advance(TimeSpan.FromDays(60));
        (await client.PostJsonAsync("/api/v1/audits/hist-aud/findings/F1/status", new { status = "verified-remediated", on = "2027-01-18" })).Expect(HttpStatusCode.OK);
        var now = (await client.GetJsonAsync("/api/v1/suppliers/hist-sup/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>();

        var points = (await client.GetJsonAsync("/api/v1/suppliers/hist-sup/risk/history")).Expect(HttpStatusCode.OK)["points"]!.AsArray();
        Assert.Equal(2, points.Count);
        var (audit, remediation) = (points[0]!, points[1]!);
        Assert.Equal(afterAudit, Score(audit));
        Assert.Equal(now, Score(remediation));
        Assert.Equal(Score(remediation) - Score(audit), Delta(remediation));
        foreach (var point in points)
        {
            Assert.Equal(Delta(point!), point!["causes"]!.AsArray().Sum(c => c!["points"]!.GetValue<int>()));
        }

        var auditCause = Assert.Single(audit["causes"]!.AsArray());
        Assert.Equal("finding", auditCause!["cause"]!.GetValue<string>());
        Assert.Equal("hist-aud/F1", auditCause["signalId"]!.GetValue<string>());
        Assert.True(auditCause["points"]!.GetValue<int>() > 0);
        var remediated = remediation["causes"]!.AsArray().Single(c => c!["cause"]!.GetValue<string>() == "finding-status")!;
        Assert.Equal("hist-aud/F1", remediated["signalId"]!.GetValue<string>());
        // Verification restarts the finding's decay clock (from the verification date), so the row moves the score.
        Assert.NotEqual(0, remediated["points"]!.GetValue<int>());
        // Sixty days of decay of the open finding before it, shown apart from the row's own effect.
        var decay = remediation["causes"]!.AsArray().Single(c => c!["cause"]!.GetValue<string>() == "decay")!;
        Assert.True(decay["points"]!.GetValue<int>() < 0, decay.ToJsonString());
        Assert.NotNull(remediation["band"]);
        Assert.NotNull(remediation["forcedLabour"]);

        // Each point is the score a risk read "as of" its instant gives (the same evidence, recorded by then).
        foreach (var point in points)
        {
            var asOf = Uri.EscapeDataString(point!["at"]!.GetValue<DateTimeOffset>().ToString("O"));
            Assert.Equal(Score(point), (await client.GetJsonAsync($"/api/v1/suppliers/hist-sup/risk?asOf={asOf}")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>());
        }

        // A window after the audit holds the remediation alone, still measured from the audit's point.
        var from = Uri.EscapeDataString(auditedAt.AddDays(1).ToString("O"));
        var windowed = (await client.GetJsonAsync($"/api/v1/suppliers/hist-sup/risk/history?from={from}")).Expect(HttpStatusCode.OK)["points"]!.AsArray();
        Assert.Equal(Delta(remediation), Delta(Assert.Single(windowed)!));
    }

    [Fact]
    public async Task A_deadline_passing_after_the_last_row_is_a_last_point_at_the_window_end_that_meets_the_current_score()
    {
        using var client = _factory.CreateClient();
        var due = DateOnly.FromDateTime(_factory.Clock.GetUtcNow().UtcDateTime).AddDays(5).ToString("yyyy-MM-dd");
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit("hist-due-aud", "hist-due", null,
            Samples.Finding("F1", "working-hours", "major", 30, dueDate: due, codes: "excessive-overtime-imposed")))).Expect(HttpStatusCode.Created);
        _factory.Clock.Advance(TimeSpan.FromDays(20));
        var now = (await client.GetJsonAsync("/api/v1/suppliers/hist-due/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>();

        var points = (await client.GetJsonAsync("/api/v1/suppliers/hist-due/risk/history")).Expect(HttpStatusCode.OK)["points"]!.AsArray();
        Assert.Equal(2, points.Count);
        var last = points[1]!;
        Assert.Equal(now, Score(last));
        Assert.Equal(points[0]!["seq"]!.GetValue<long>(), last["seq"]!.GetValue<long>()); // No new row: the last row's position.
        Assert.Equal(Delta(last), last["causes"]!.AsArray().Sum(c => c!["points"]!.GetValue<int>()));
        var deadline = last["causes"]!.AsArray().Single(c => c!["cause"]!.GetValue<string>() == "deadline-passed")!;
        Assert.True(deadline["points"]!.GetValue<int>() > 0, deadline.ToJsonString());
    }

    [Fact]
    public async Task A_linked_recruiter_whose_score_rose_moves_the_supplier_history_as_recruiter_propagation()
    {
        using var client = _factory.CreateClient();
        (await client.PutJsonAsync("/api/v1/suppliers/hist-prop-sup", Samples.Supplier())).Expect(HttpStatusCode.Created);
        (await client.PutJsonAsync("/api/v1/recruiters/hist-prop-rec", Samples.Recruiter())).Expect(HttpStatusCode.Created);
        (await client.PutJsonAsync("/api/v1/suppliers/hist-prop-sup/recruiters/hist-prop-rec", new { workforceShare = 0.9 })).Expect(HttpStatusCode.OK);
        _factory.Clock.Advance(TimeSpan.FromHours(1));
        (await client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport("hist-prop-fee", "hist-prop-rec", null, "w-1", 3000m, loan: true))).Expect(HttpStatusCode.Created);
        // The history takes the recruiter's score from the recruiter's own history; the supplier's live state gets it when
        // the recruiter pushes it, after the fee report's answer. So the risk read meets the history's last point once the
        // push has landed (and never differs for longer: the helper fails on its timeout).
        var points = (await client.GetJsonAsync("/api/v1/suppliers/hist-prop-sup/risk/history")).Expect(HttpStatusCode.OK)["points"]!.AsArray();
        var last = points[^1]!;
        Assert.Equal(Score(last), await ApiCalls.EventuallyAsync(
            async () => (await client.GetJsonAsync("/api/v1/suppliers/hist-prop-sup/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>(),
            score => score == Score(last)));
        var propagation = last["causes"]!.AsArray().Single(c => c!["cause"]!.GetValue<string>() == "recruiter-propagation")!;
        Assert.Equal("rec:hist-prop-rec", propagation["signalId"]!.GetValue<string>());
        Assert.True(propagation["points"]!.GetValue<int>() > 0, last.ToJsonString());
    }

    [Fact]
    public async Task Unknown_subjects_are_404_and_bad_windows_are_400_naming_the_parameter()
    {
        using var client = _factory.CreateClient();
        (await client.GetJsonAsync("/api/v1/suppliers/hist-nobody/risk/history")).Expect(HttpStatusCode.NotFound);
        (await client.GetJsonAsync("/api/v1/recruiters/hist-nobody/risk/history")).Expect(HttpStatusCode.NotFound);
        var bad = (await client.GetJsonAsync("/api/v1/suppliers/hist-sup/risk/history?from=yesterday&to=1980-01-01T00:00:00Z")).Expect(HttpStatusCode.BadRequest);
        Assert.NotNull(bad["errors"]!["from"]);
        Assert.NotNull(bad["errors"]!["to"]);
        var reversed = (await client.GetJsonAsync("/api/v1/suppliers/hist-sup/risk/history?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z")).Expect(HttpStatusCode.BadRequest);
        Assert.NotNull(reversed["errors"]!["from"]);
        var cursor = (await client.GetJsonAsync("/api/v1/suppliers/hist-sup/risk/history?cursor=nope")).Expect(HttpStatusCode.BadRequest);
        Assert.NotNull(cursor["errors"]!["cursor"]);
    }

    [Fact]
    public async Task A_long_history_is_paged_at_1000_points_and_the_pages_join_up()
    {
        using var client = _factory.CreateClient();
        // Three audits (an audit holds at most 500 findings): 1,010 rows, one point each.
        foreach (var (audit, count) in new[] { ("hist-long-1", 500), ("hist-long-2", 500), ("hist-long-3", 10) })
        {
            var findings = Enumerable.Range(0, count).Select(i => Samples.Finding($"F{i}", "wages", "minor", 1)).ToArray();
            (await client.PostJsonAsync("/api/v1/audits", Samples.Audit(audit, "hist-long-sup", null, findings))).Expect(HttpStatusCode.Created);
        }

        var watch = Stopwatch.StartNew();
        var first = (await client.GetJsonAsync("/api/v1/suppliers/hist-long-sup/risk/history")).Expect(HttpStatusCode.OK);
        output.WriteLine($"history of 1,000 points (1,010 signals) in {watch.ElapsedMilliseconds} ms (a measurement, not an assertion)");
        Assert.Equal(1000, first["points"]!.AsArray().Count);
        var cursor = first["nextCursor"]!.GetValue<string>();
        var second = (await client.GetJsonAsync($"/api/v1/suppliers/hist-long-sup/risk/history?cursor={cursor}")).Expect(HttpStatusCode.OK);
        var rest = second["points"]!.AsArray();
        Assert.Equal(10, rest.Count);
        Assert.Null(second["nextCursor"]);
        Assert.Equal(Score(first["points"]!.AsArray()[^1]!) + Delta(rest[0]!), Score(rest[0]!));
    }

    private static int Score(JsonNode point) => point["score"]!.GetValue<int>();

    private static int Delta(JsonNode point) => point["delta"]!.GetValue<int>();
}
