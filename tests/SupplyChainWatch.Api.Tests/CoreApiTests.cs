using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// The core API suite, run once per store (SQLite and PostgreSQL, see the derived classes below). One service per class;
/// every test uses its own subject ids instead of resetting state.
/// </summary>
public abstract class CoreApiTests(ServiceFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    private static string Id(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private JsonSerializerOptions ApiJson => factory.Service<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;

    [Fact]
    public async Task Walkthrough_registers_links_submits_each_signal_kind_and_reads_both_risks()
    {
        var supplier = Id("sup");
        var recruiter = Id("rec");
        (await _client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
        (await _client.PutJsonAsync($"/api/v1/recruiters/{recruiter}", Samples.Recruiter())).Expect(HttpStatusCode.Created);
        var linked = (await _client.PutJsonAsync($"/api/v1/suppliers/{supplier}/recruiters/{recruiter}", new { workforceShare = 0.5 })).Expect(HttpStatusCode.OK);
        Assert.Equal(recruiter, linked["recruiters"]![0]!["recruiterId"]!.GetValue<string>());

        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), supplier, null,
            Samples.Finding("F1", "working-hours", "major", 30, dueDate: "2026-12-31", codes: "excessive-overtime-imposed")))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(Id("grv"), supplier, recruiter, "2026-11-18T09:00:00Z", null, null, "document-retention"))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport(Id("fee"), recruiter, supplier, "w-1", 1500m, loan: true))).Expect(HttpStatusCode.Created);

        var supplierRisk = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        var recruiterRisk = (await _client.GetJsonAsync($"/api/v1/recruiters/{recruiter}/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal(supplier, supplierRisk["subjectId"]!.GetValue<string>());
        Assert.InRange(supplierRisk["score"]!.GetValue<int>(), 1, 100);
        Assert.NotNull(supplierRisk["explanation"]);
        Assert.Equal(recruiter, recruiterRisk["subjectId"]!.GetValue<string>());
        Assert.True(recruiterRisk["explanation"]!["feeGroups"]!.AsArray().Count == 1);

        await factory.DerivedViewsCaughtUpAsync(); // The list and the escalations are derived behind the answers.
        var list = (await _client.GetJsonAsync("/api/v1/suppliers?country=MY&limit=500")).Expect(HttpStatusCode.OK);
        Assert.Contains(list["items"]!.AsArray(), i => i!["id"]!.GetValue<string>() == supplier);
        var escalations = (await _client.GetJsonAsync($"/api/v1/escalations?subjectId=sup:{supplier}")).Expect(HttpStatusCode.OK);
        Assert.NotNull(escalations["items"]);
    }

    [Fact]
    public async Task Worked_check_a_verified_audit_is_indicated_floored_and_matches_the_engine()
    {
        var supplier = Id("sup");
        var auditId = Id("aud");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(auditId, supplier, null,
            Samples.Finding("F1", "forced-labour", "critical", 20, codes: ["deception-nature-of-work", "threat-dismissal-or-financial-penalty"])))).Expect(HttpStatusCode.Created);

        var risk = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal("indicated", risk["forcedLabour"]!.GetValue<string>());
        Assert.True(risk["score"]!.GetValue<int>() >= 80);

        var finding = new AuditFinding(auditId, "F1", AuditStandard.Smeta, AuditType.Initial, new DateOnly(2026, 10, 5), new DateOnly(2026, 10, 7),
            FindingCategory.ForcedLabour, Severity.Critical,
            [new IndicatorObservation(IndicatorCode.DeceptionNatureOfWork, null), new IndicatorObservation(IndicatorCode.ThreatDismissalOrFinancialPenalty, null)],
            20, EvidenceStatus.Verified, FindingStatus.Open, null, null, null);
        var engine = factory.Service<RiskEngine>();
        var expected = engine.EvaluateSupplier(supplier, new SupplierEvidence(null, [finding], [], [], []), risk["evaluatedAt"]!.GetValue<DateTimeOffset>());
        AssertSameJson(expected, risk);
    }

    [Fact]
    public async Task Worked_check_b_alleged_grievance_is_indicated_unverified_alerted_and_not_floored()
    {
        var supplier = Id("sup");
        var grievanceId = Id("grv");
        (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievanceId, supplier, null, "2026-11-19T10:00:00Z", null, null,
            "deception-nature-of-work", "threat-dismissal-or-financial-penalty"))).Expect(HttpStatusCode.Created);

        var risk = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal("indicated-unverified", risk["forcedLabour"]!.GetValue<string>());
        Assert.NotEmpty(risk["precautionaryAlerts"]!.AsArray());
        Assert.False(risk["explanation"]!["floor"]!["applied"]!.GetValue<bool>());
        Assert.True(risk["score"]!.GetValue<int>() < 80);

        var grievance = new Grievance(grievanceId, new DateTimeOffset(2026, 11, 19, 10, 0, 0, TimeSpan.Zero),
            [new IndicatorObservation(IndicatorCode.DeceptionNatureOfWork, null), new IndicatorObservation(IndicatorCode.ThreatDismissalOrFinancialPenalty, null)],
            [FindingCategory.ForcedLabour], 12, EvidenceStatus.Alleged, false, false, GrievanceStatus.Received, null, null, null, false, null);
        var expected = factory.Service<RiskEngine>().EvaluateSupplier(supplier, new SupplierEvidence(null, [], [grievance], [], []), risk["evaluatedAt"]!.GetValue<DateTimeOffset>());
        AssertSameJson(expected, risk);
    }

    [Fact]
    public async Task Worked_check_c_fee_report_with_wage_deducted_loan_is_risk_with_base_25_and_without_loan_none_with_15()
    {
        var withLoan = Id("rec");
        var withoutLoan = Id("rec");
        var loanReport = Id("fee");
        var plainReport = Id("fee");
        (await _client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport(loanReport, withLoan, null, "w-1", 1500m, loan: true))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport(plainReport, withoutLoan, null, "w-1", 1500m, loan: false))).Expect(HttpStatusCode.Created);

        var loanRisk = (await _client.GetJsonAsync($"/api/v1/recruiters/{withLoan}/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal("risk", loanRisk["forcedLabour"]!.GetValue<string>());
        var loanGroup = loanRisk["explanation"]!["feeGroups"]![0]!;
        Assert.Equal(25, loanGroup["feeBase"]!.GetValue<double>()); // 15 for a ratio of 1.5 + 10 loan surcharge
        Assert.True(loanGroup["loanSurcharge"]!.GetValue<bool>());
        Assert.Equal(1.5, loanGroup["medianCostRatio"]!.GetValue<double>(), 6);
        Assert.True(loanGroup["employerPaysBreach"]!.GetValue<bool>());
        var loanTerm = loanRisk["explanation"]!["evidence"]!["terms"]!.AsArray().Single(t => t!["kind"]!.GetValue<string>() == "fee-group")!;
        Assert.Equal(25, loanTerm["base"]!.GetValue<double>());

        var plainRisk = (await _client.GetJsonAsync($"/api/v1/recruiters/{withoutLoan}/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal("none", plainRisk["forcedLabour"]!.GetValue<string>());
        var plainTerm = plainRisk["explanation"]!["evidence"]!["terms"]!.AsArray().Single(t => t!["kind"]!.GetValue<string>() == "fee-group")!;
        Assert.Equal(15, plainTerm["base"]!.GetValue<double>());

        var engine = factory.Service<RiskEngine>();
        foreach (var (recruiter, reportId, loan, risk) in new[] { (withLoan, loanReport, true, loanRisk), (withoutLoan, plainReport, false, plainRisk) })
        {
            var report = new FeeReport(reportId, "w-1", "NP", "MY", new DateOnly(2026, 3, 1), [new FeeCost("placement-fee", 1500m, "MYR", PaidBy.Worker)],
                new Money(1000m, "MYR"), new Dictionary<string, decimal> { ["MYR"] = 0.21m }, new FeeFinancing(loan, loan, false),
                new FeeReimbursement(ReimbursementStatus.None, null, null), EvidenceStatus.Reported);
            var expected = engine.EvaluateRecruiter(recruiter, new RecruiterEvidence(null, [], [], [report], []), risk["evaluatedAt"]!.GetValue<DateTimeOffset>());
            AssertSameJson(expected, risk);
        }
    }

    [Fact]
    public async Task Resubmitting_an_audit_is_answered_the_same_and_counted_once()
    {
        var supplier = Id("sup");
        var audit = Samples.Audit(Id("aud"), supplier, null, Samples.Finding("F1", "wages", "major", 5), Samples.Finding("F2", "housing", "minor", 5));
        var first = await _client.PostJsonAsync("/api/v1/audits", audit);
        var second = await _client.PostJsonAsync("/api/v1/audits", audit);

        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(first.Status, second.Status);
        Assert.True(JsonNode.DeepEquals(first.Body, second.Body), $"{first.Body}\n{second.Body}");
        var view = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, view["signalCount"]!.GetValue<int>());
        var risk = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        Assert.Equal(2, risk["explanation"]!["evidence"]!["terms"]!.AsArray().Count);
    }

    [Fact]
    public async Task Same_ids_with_other_content_are_409_and_write_nothing()
    {
        var supplier = Id("sup");
        var auditId = Id("aud");
        var grievanceId = Id("grv");
        var reportId = Id("fee");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(auditId, supplier, null, Samples.Finding("F1", "wages", "major", 5)))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievanceId, supplier, null, "2026-11-19T10:00:00Z", "first account", null))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport(reportId, Id("rec"), supplier, "w-1", 100m, loan: false))).Expect(HttpStatusCode.Created);
        var log = factory.Service<IEvidenceLog>();
        var before = await log.CountAsync();

        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(auditId, supplier, null, Samples.Finding("F1", "wages", "critical", 5)))).Expect(HttpStatusCode.Conflict);
        (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievanceId, supplier, null, "2026-11-19T10:00:00Z", "another account", null))).Expect(HttpStatusCode.Conflict);
        (await _client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport(reportId, Id("rec"), supplier, "w-1", 200m, loan: false))).Expect(HttpStatusCode.Conflict);

        Assert.Equal(before, await log.CountAsync());
    }

    public static TheoryData<string, string, string> BadRequests => new()
    {
        { "/api/v1/audits", """{"auditId":"a1","supplierId":"s1","standard":"smeta","auditType":"initial","startDate":"2026-10-05","endDate":"2026-10-07","auditFirm":"X","findings":[{"findingId":"F1","category":"wages","severity":"major","workersAffected":3,"indicators":[{"code":"not-a-code"}]}]}""", "findings[0].indicators[0].code" },
        { "/api/v1/audits", """{"auditId":"a1","supplierId":"s1","standard":"iso-9001","auditType":"initial","startDate":"2026-10-05","endDate":"2026-10-07","auditFirm":"X","findings":[{"findingId":"F1","category":"wages","severity":"major","workersAffected":3}]}""", "standard" },
        { "/api/v1/audits", """{"auditId":"a1","supplierId":"s1","standard":"smeta","auditType":"initial","startDate":"2026-10-07","endDate":"2026-10-05","auditFirm":"X","findings":[{"findingId":"F1","category":"wages","severity":"major","workersAffected":3}]}""", "endDate" },
        { "/api/v1/audits", """{"auditId":"a1","supplierId":"s1","standard":"smeta","auditType":"initial","startDate":"2026-10-05","endDate":"2027-10-07","auditFirm":"X","findings":[{"findingId":"F1","category":"wages","severity":"major","workersAffected":3}]}""", "endDate" },
        { "/api/v1/audits", """{"supplierId":"s1","standard":"smeta","auditType":"initial","startDate":"2026-10-05","endDate":"2026-10-07","auditFirm":"X","findings":[{"findingId":"F1","category":"wages","severity":"major","workersAffected":3}]}""", "auditId" },
        { "/api/v1/audits", """{"auditId":"a1","supplierId":"s1","standard":"smeta",""", "body" },
        { "/api/v1/audits", """{"auditId":"a1","supplierId":"s1","standard":"smeta","auditType":"initial","startDate":"2026-10-05","endDate":"2026-10-07","auditFirm":"X","findings":[{"findingId":"F1","category":"wages","severity":"major","workersAffected":-3}]}""", "findings[0].workersAffected" },
        { "/api/v1/grievances", """{"grievanceId":"g1","receivedAt":"2026-11-01T00:00:00Z","channel":"hotline","allegations":[],"categories":[],"workersAffected":1,"anonymity":"anonymous","consent":{"shareWithBrand":true,"shareWithNgo":true,"shareWithLawEnforcement":false}}""", "supplierId" },
        { "/api/v1/grievances", """{"grievanceId":"g1","supplierId":"s1","receivedAt":"2026-11-01T00:00:00Z","channel":"hotline","allegations":[],"categories":[],"workersAffected":1,"anonymity":"secret","consent":{"shareWithBrand":true,"shareWithNgo":true,"shareWithLawEnforcement":false}}""", "anonymity" },
        { "/api/v1/recruitment-fees", """{"reportId":"r1","recruiterId":"rc1","workerRef":"w1","originCountry":"NP","destinationCountry":"MY","recruitedOn":"2026-03-01","costs":[{"type":"fee","amount":100,"currency":"XAU","paidBy":"worker"}],"monthlyWage":{"amount":1000,"currency":"MYR"},"financing":{"loan":false,"repaidByWageDeduction":false,"mayNotLeaveUntilRepaid":false}}""", "costs[0].currency" },
        { "/api/v1/recruitment-fees", """{"reportId":"r1","recruiterId":"rc1","workerRef":"w1","originCountry":"NP","destinationCountry":"MY","recruitedOn":"2026-03-01","costs":[{"type":"fee","amount":-100,"currency":"MYR","paidBy":"worker"}],"monthlyWage":{"amount":1000,"currency":"MYR"},"financing":{"loan":false,"repaidByWageDeduction":false,"mayNotLeaveUntilRepaid":false}}""", "costs[0].amount" },
        { "/api/v1/recruitment-fees", """{"reportId":"r1","recruiterId":"rc1","workerRef":"w1","originCountry":"NP","destinationCountry":"MY","recruitedOn":"2026-03-01","costs":[{"type":"fee","amount":"lots","currency":"MYR","paidBy":"worker"}],"monthlyWage":{"amount":1000,"currency":"MYR"},"financing":{"loan":false,"repaidByWageDeduction":false,"mayNotLeaveUntilRepaid":false}}""", "costs[0].amount" },
    };

    [Theory]
    [MemberData(nameof(BadRequests), MemberType = typeof(CoreApiTests))]
    public async Task Bad_submissions_are_400_problem_details_naming_the_field_and_write_nothing(string url, string body, string field)
    {
        var log = factory.Service<IEvidenceLog>();
        var before = await log.CountAsync();

        var answer = await _client.PostJsonAsync(url, body);

        var problem = answer.Expect(HttpStatusCode.BadRequest);
        Assert.Equal(400, problem["status"]!.GetValue<int>());
        Assert.True(problem["errors"]!.AsObject().ContainsKey(field), $"no error for '{field}' in {problem.ToJsonString()}");
        Assert.Equal(before, await log.CountAsync());
    }

    [Fact]
    public async Task Shares_above_one_and_out_of_range_shares_are_400()
    {
        var supplier = Id("sup");
        (await _client.PutJsonAsync($"/api/v1/suppliers/{supplier}/recruiters/{Id("rec")}", new { workforceShare = 0.7 })).Expect(HttpStatusCode.OK);
        var tooMuch = (await _client.PutJsonAsync($"/api/v1/suppliers/{supplier}/recruiters/{Id("rec")}", new { workforceShare = 0.4 })).Expect(HttpStatusCode.BadRequest);
        Assert.True(tooMuch["errors"]!.AsObject().ContainsKey("workforceShare"));
        var outOfRange = (await _client.PutJsonAsync($"/api/v1/suppliers/{supplier}/recruiters/{Id("rec")}", new { workforceShare = 1.5 })).Expect(HttpStatusCode.BadRequest);
        Assert.True(outOfRange["errors"]!.AsObject().ContainsKey("workforceShare"));
        var view = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}")).Expect(HttpStatusCode.OK);
        Assert.Single(view["recruiters"]!.AsArray());
    }

    [Fact]
    public async Task Unknown_subjects_and_unknown_findings_are_404()
    {
        (await _client.GetJsonAsync($"/api/v1/suppliers/{Id("nobody")}")).Expect(HttpStatusCode.NotFound);
        (await _client.GetJsonAsync($"/api/v1/recruiters/{Id("nobody")}/risk")).Expect(HttpStatusCode.NotFound);
        (await _client.PostJsonAsync($"/api/v1/audits/{Id("aud")}/findings/F1/status", new { status = "remediated", on = "2026-11-01" })).Expect(HttpStatusCode.NotFound);
        (await _client.PostJsonAsync($"/api/v1/grievances/{Id("grv")}/status", new { status = "acknowledged", on = "2026-11-01" })).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Finding_status_changes_follow_the_lifecycle_an_illegal_move_is_409_naming_the_current_status_and_an_exact_replay_is_answered_as_before()
    {
        var auditId = Id("aud");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(auditId, Id("sup"), null, Samples.Finding("F1", "wages", "major", 5)))).Expect(HttpStatusCode.Created);
        var url = $"/api/v1/audits/{auditId}/findings/F1/status";

        var remediated = (await _client.PostJsonAsync(url, new { status = "remediated", on = "2026-10-20" })).Expect(HttpStatusCode.OK);
        var replayed = (await _client.PostJsonAsync(url, new { status = "remediated", on = "2026-10-20" })).Expect(HttpStatusCode.OK);
        Assert.Equal(remediated.ToJsonString(), replayed.ToJsonString());

        AssertRefused(await _client.PostJsonAsync(url, new { status = "remediated", on = "2026-10-25" }), "is remediated since 2026-10-20");
        AssertRefused(await _client.PostJsonAsync(url, new { status = "verified-remediated", on = "2026-10-19" }), "is remediated since 2026-10-20");
        (await _client.PostJsonAsync(url, new { status = "verified-remediated", on = "2026-10-30" })).Expect(HttpStatusCode.OK);
        AssertRefused(await _client.PostJsonAsync(url, new { status = "remediated", on = "2026-11-01" }), "is verified-remediated since 2026-10-30");
        // A retry of a change already recorded still answers as it did, even after later changes.
        Assert.Equal(remediated.ToJsonString(), (await _client.PostJsonAsync(url, new { status = "remediated", on = "2026-10-20" })).Expect(HttpStatusCode.OK).ToJsonString());
        // A later audit finds it again: reopened, then remediated again.
        (await _client.PostJsonAsync(url, new { status = "open", on = "2026-11-05" })).Expect(HttpStatusCode.OK);
        (await _client.PostJsonAsync(url, new { status = "remediated", on = "2026-11-10" })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Grievance_status_changes_move_forward_a_resolved_one_may_be_reopened_and_a_closed_one_is_final()
    {
        var grievanceId = Id("grv");
        (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(grievanceId, Id("sup"), null, "2026-11-10T09:00:00Z"))).Expect(HttpStatusCode.Created);
        var url = $"/api/v1/grievances/{grievanceId}/status";

        var acknowledged = (await _client.PostJsonAsync(url, new { status = "acknowledged", on = "2026-11-11" })).Expect(HttpStatusCode.OK);
        Assert.Equal(acknowledged.ToJsonString(), (await _client.PostJsonAsync(url, new { status = "acknowledged", on = "2026-11-11" })).Expect(HttpStatusCode.OK).ToJsonString());
        AssertRefused(await _client.PostJsonAsync(url, new { status = "acknowledged", on = "2026-11-12" }), "is acknowledged since 2026-11-11");
        (await _client.PostJsonAsync(url, new { status = "investigating", on = "2026-11-11" })).Expect(HttpStatusCode.OK);
        (await _client.PostJsonAsync(url, new { status = "resolved", on = "2026-11-14", outcome = "founded", verified = true })).Expect(HttpStatusCode.OK);
        (await _client.PostJsonAsync(url, new { status = "investigating", on = "2026-11-15" })).Expect(HttpStatusCode.OK);
        AssertRefused(await _client.PostJsonAsync(url, new { status = "acknowledged", on = "2026-11-16" }), "is investigating since 2026-11-15");
        AssertRefused(await _client.PostJsonAsync(url, new { status = "resolved", on = "2026-11-13", outcome = "founded", verified = true }), "is investigating since 2026-11-15");
        var closed = (await _client.PostJsonAsync(url, new { status = "closed", on = "2026-11-17", outcome = "founded", verified = true })).Expect(HttpStatusCode.OK);
        var final = AssertRefused(await _client.PostJsonAsync(url, new { status = "investigating", on = "2026-11-18" }), "is closed since 2026-11-17");
        Assert.Contains("final", final, StringComparison.Ordinal);
        AssertRefused(await _client.PostJsonAsync(url, new { status = "closed", on = "2026-11-19", outcome = "founded", verified = true }), "is closed since 2026-11-17");

        // The same change again is answered as before; the same key with other details is still the duplicate conflict.
        Assert.Equal(closed.ToJsonString(), (await _client.PostJsonAsync(url, new { status = "closed", on = "2026-11-17", outcome = "founded", verified = true })).Expect(HttpStatusCode.OK).ToJsonString());
        var other = (await _client.PostJsonAsync(url, new { status = "closed", on = "2026-11-17", outcome = "unfounded", verified = true })).Expect(HttpStatusCode.Conflict);
        Assert.Equal("Conflicting duplicate.", other["title"]!.GetValue<string>());
    }

    /// <summary>Asserts the 409 of a refused status move naming <paramref name="current"/>, and returns its detail.</summary>
    private static string AssertRefused((HttpStatusCode Status, JsonNode? Body) answer, string current)
    {
        var problem = answer.Expect(HttpStatusCode.Conflict);
        Assert.Equal("Not allowed in the current state.", problem["title"]!.GetValue<string>());
        var detail = problem["detail"]!.GetValue<string>();
        Assert.Contains(current, detail, StringComparison.Ordinal);
        return detail;
    }

    [Fact]
    public async Task A_recruiter_score_propagates_to_both_suppliers_it_places_workers_with()
    {
        var recruiter = Id("rec");
        var first = Id("sup");
        var second = Id("sup");
        (await _client.PutJsonAsync($"/api/v1/suppliers/{first}/recruiters/{recruiter}", new { workforceShare = 0.5 })).Expect(HttpStatusCode.OK);
        (await _client.PutJsonAsync($"/api/v1/suppliers/{second}/recruiters/{recruiter}", new { workforceShare = 1.0 })).Expect(HttpStatusCode.OK);

        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), Id("sup"), recruiter,
            Samples.Finding("F1", "recruitment-fees", "critical", 50, codes: ["debt-linked-recruitment", "document-retention"])))).Expect(HttpStatusCode.Created);
        var recruiterScore = (await _client.GetJsonAsync($"/api/v1/recruiters/{recruiter}/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>();
        Assert.True(recruiterScore >= 80);

        foreach (var (supplier, share) in new[] { (first, 0.5), (second, 1.0) })
        {
            var risk = await ApiCalls.EventuallyAsync(
                async () => (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK),
                r => r["explanation"]!["propagation"]!["terms"]!.AsArray().Any(t => t!["recruiterScore"]!.GetValue<double>() == recruiterScore));
            var term = risk["explanation"]!["propagation"]!["terms"]!.AsArray().Single()!;
            Assert.Equal(recruiter, term["recruiterId"]!.GetValue<string>());
            Assert.Equal(recruiterScore, term["recruiterScore"]!.GetValue<double>());
            Assert.Equal(share, term["workforceShare"]!.GetValue<double>());
            Assert.True(risk["explanation"]!["propagation"]!["points"]!.GetValue<decimal>() > 0);
        }
    }

    [Fact]
    public async Task AsOf_reproduces_an_earlier_score_after_later_signals_arrive()
    {
        var supplier = Id("sup");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), supplier, null, Samples.Finding("F1", "wages", "major", 10)))).Expect(HttpStatusCode.Created);
        var earlier = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        var instant = earlier["evaluatedAt"]!.GetValue<DateTimeOffset>();

        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), supplier, null,
            Samples.Finding("F1", "forced-labour", "critical", 40, codes: ["document-retention", "wage-withholding"])))).Expect(HttpStatusCode.Created);
        var later = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK);
        Assert.NotEqual(earlier["score"]!.GetValue<int>(), later["score"]!.GetValue<int>());

        var asOf = (await _client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk?asOf={Uri.EscapeDataString(instant.ToString("O"))}")).Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(earlier, asOf), $"{earlier}\n{asOf}");
    }

    private const string ExpectedSubjectKey = "expected sup:{supplierId} or rec:{recruiterId}";

    [Theory]
    [InlineData("sunrise-2")]
    [InlineData("sup:")]
    [InlineData("supplier:sunrise-2")]
    public async Task A_subjectId_filter_that_is_not_a_typed_key_is_400_naming_subjectId_and_the_expected_form(string subjectId)
    {
        var supplier = Id("sup");
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), supplier, null, Samples.Finding("F1", "wages", "major", 5)))).Expect(HttpStatusCode.Created);

        foreach (var url in new[] { "/api/v1/escalations?subjectId=", "/api/v1/referrals/access-log?subjectId=" })
        {
            var problem = (await _client.GetJsonAsync(url + Uri.EscapeDataString(subjectId))).Expect(HttpStatusCode.BadRequest);
            Assert.Contains(problem["errors"]!["subjectId"]!.AsArray(), m => m!.GetValue<string>().Contains(ExpectedSubjectKey, StringComparison.Ordinal));
        }

        // The typed key of the same subject is accepted; the bare id of a known supplier was not.
        (await _client.GetJsonAsync($"/api/v1/escalations?subjectId=sup:{supplier}")).Expect(HttpStatusCode.OK);
        (await _client.GetJsonAsync($"/api/v1/escalations?subjectId={supplier}")).Expect(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("sunrise-2")]
    [InlineData("sup:")]
    [InlineData("rec:")]
    public async Task A_referral_body_subjectId_that_is_not_a_typed_key_is_400_naming_subjectId_and_the_expected_form(string subjectId)
    {
        using var officer = factory.CreateClient(["case-officer"]);
        var answer = await officer.PostJsonAsync("/api/v1/cases/ref:any-case/referrals",
            new { subjectId, recipientType = "ngo", recipientName = "Legal aid clinic", reason = "Passports retained." });

        var problem = answer.Expect(HttpStatusCode.BadRequest);
        Assert.Equal(["subjectId"], problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains(ExpectedSubjectKey, problem["errors"]!["subjectId"]![0]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_submission_about_an_unknown_subject_names_it_in_createdSubjects_and_later_submissions_name_none()
    {
        var supplier = Id("sup");
        var recruiter = Id("rec");
        var registered = Id("sup");
        var auditId = Id("aud");
        (await _client.PutJsonAsync($"/api/v1/suppliers/{registered}", Samples.Supplier())).Expect(HttpStatusCode.Created);

        var audit = Samples.Audit(auditId, supplier, null, Samples.Finding("F1", "wages", "major", 5));
        var first = (await _client.PostJsonAsync("/api/v1/audits", audit)).Expect(HttpStatusCode.Created);
        Assert.Equal([$"sup:{supplier}"], Created(first));
        // A retry after a lost answer learns what the first attempt did.
        Assert.Equal([$"sup:{supplier}"], Created((await _client.PostJsonAsync("/api/v1/audits", audit)).Expect(HttpStatusCode.Created)));

        var grievance = (await _client.PostJsonAsync("/api/v1/grievances", Samples.Grievance(Id("grv"), supplier, null, "2026-11-19T10:00:00Z"))).Expect(HttpStatusCode.Created);
        Assert.Empty(Created(grievance));
        var fee = (await _client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport(Id("fee"), recruiter, supplier, "w-1", 100m, loan: false))).Expect(HttpStatusCode.Created);
        Assert.Equal([$"rec:{recruiter}"], Created(fee));
        var status = (await _client.PostJsonAsync($"/api/v1/audits/{auditId}/findings/F1/status", new { status = "remediated", on = "2026-11-01" })).Expect(HttpStatusCode.OK);
        Assert.Empty(Created(status));
        var profiled = (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), registered, null, Samples.Finding("F1", "wages", "major", 5)))).Expect(HttpStatusCode.Created);
        Assert.Empty(Created(profiled));

        var line = JsonSerializer.SerializeToNode(Samples.Audit(Id("aud"), Id("sup"), null, Samples.Finding("F1", "wages", "major", 5)), ApiCalls.Json)!;
        line["kind"] = "audit";
        var again = JsonSerializer.SerializeToNode(Samples.Audit(Id("aud"), supplier, null, Samples.Finding("F1", "wages", "major", 5)), ApiCalls.Json)!;
        again["kind"] = "audit";
        var import = (await _client.SendAsync(HttpMethod.Post, "/api/v1/signals:import", line.ToJsonString() + "\n" + again.ToJsonString() + "\n", "application/x-ndjson"))
            .Expect(HttpStatusCode.OK);
        Assert.Equal(2, import["accepted"]!.GetValue<long>());
        Assert.Equal(1, import["subjectsCreated"]!.GetValue<long>());

        static string[] Created(JsonNode receipt) => [.. receipt["createdSubjects"]!.AsArray().Select(s => s!.GetValue<string>())];
    }

    [Fact]
    public async Task Profile_missing_lists_the_subjects_known_only_from_evidence_and_present_the_profiled_ones()
    {
        var typo = Id("sup");
        var profiled = Id("sup");
        var unprofiledRecruiter = Id("rec");
        (await _client.PutJsonAsync($"/api/v1/suppliers/{profiled}", Samples.Supplier())).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), profiled, null, Samples.Finding("F1", "wages", "major", 5)))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync("/api/v1/audits", Samples.Audit(Id("aud"), typo, null, Samples.Finding("F1", "wages", "major", 5)))).Expect(HttpStatusCode.Created);
        (await _client.PostJsonAsync("/api/v1/recruitment-fees", Samples.FeeReport(Id("fee"), unprofiledRecruiter, null, "w-1", 100m, loan: false))).Expect(HttpStatusCode.Created);

        await factory.DerivedViewsCaughtUpAsync();
        var missing = await AllIdsAsync("/api/v1/suppliers?profile=missing");
        Assert.Contains(typo, missing);
        Assert.DoesNotContain(profiled, missing);
        var present = await AllIdsAsync("/api/v1/suppliers?profile=present");
        Assert.Contains(profiled, present);
        Assert.DoesNotContain(typo, present);
        Assert.Contains(unprofiledRecruiter, await AllIdsAsync("/api/v1/recruiters?profile=missing"));

        var problem = (await _client.GetJsonAsync("/api/v1/suppliers?profile=none")).Expect(HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("profile"), problem.ToJsonString());
    }

    /// <summary>Every id of a list, following nextCursor (other tests share the service, so one page may not hold them).</summary>
    private async Task<HashSet<string>> AllIdsAsync(string url)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = (await _client.GetJsonAsync($"{url}&limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).Expect(HttpStatusCode.OK);
            ids.UnionWith(page["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        }
        while (cursor is not null);
        return ids;
    }

    private void AssertSameJson(RiskEvaluation expected, JsonNode actual)
    {
        var expectedJson = JsonSerializer.SerializeToNode(expected, ApiJson);
        Assert.True(JsonNode.DeepEquals(expectedJson, actual), $"engine: {expectedJson}\napi:    {actual}");
    }
}

public sealed class SqliteCoreApiTests(ServiceFixture fixture) : CoreApiTests(fixture.Factory), IClassFixture<ServiceFixture>;

[Collection(PostgresCollection.Name)]
public sealed class PostgresCoreApiTests(PostgresServerFixture server, PostgresServiceFixture fixture) : CoreApiTests(fixture.For(server)), IClassFixture<PostgresServiceFixture>;

/// <summary>One running service on SQLite shared by a test class.</summary>
public sealed class ServiceFixture : IDisposable
{
    public ServiceFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}

/// <summary>
/// One running service on a fresh PostgreSQL database, shared by a test class. Built on first use because the server
/// is a collection fixture, which xunit 2 cannot hand to a class fixture's constructor.
/// </summary>
public sealed class PostgresServiceFixture : IDisposable
{
    private readonly Lock _lock = new();
    private ServiceFactory? _factory;

    public ServiceFactory For(PostgresServerFixture server)
    {
        ArgumentNullException.ThrowIfNull(server);
        lock (_lock)
        {
            return _factory ??= new ServiceFactory(storage: server.CreateDatabase());
        }
    }

    public void Dispose() => _factory?.Dispose();
}
