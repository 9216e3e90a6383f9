using SupplyChainWatch.Domain;
using static SupplyChainWatch.Domain.IndicatorCode;

namespace SupplyChainWatch.Domain.Tests;

public sealed class ForcedLabourRuleTests
{
    private static ForcedLabourClassification Classify(params (IndicatorCode Code, IndicatorStrength? Strength, EvidenceStatus Evidence)[] observations) =>
        ForcedLabourRule.Classify(observations.Select(o => (o.Code, o.Strength ?? IndicatorCatalog.DefaultStrengthOf(o.Code), o.Evidence)));

    [Fact]
    public void No_observation_is_none()
    {
        Assert.Equal(ForcedLabourClassification.None, Classify());
        Assert.Equal(ForcedLabourClassification.None, Make.EvaluateSupplier(Make.Supplier([Make.Finding()])).ForcedLabour);
    }

    [Fact]
    public void Strong_I_and_medium_P_verified_is_indicated()
    {
        Assert.Equal(ForcedLabourClassification.Indicated, Classify((DeceptionNatureOfWork, null, EvidenceStatus.Verified), (ThreatDismissalOrFinancialPenalty, null, EvidenceStatus.Verified)));
    }

    [Fact]
    public void Medium_I_and_strong_P_reported_is_indicated()
    {
        Assert.Equal(ForcedLabourClassification.Indicated, Classify((Isolation, null, EvidenceStatus.Reported), (DocumentRetention, null, EvidenceStatus.Reported)));
    }

    [Fact]
    public void I_and_P_both_medium_is_risk()
    {
        Assert.Equal(ForcedLabourClassification.Risk, Classify((DeceptionConditions, null, EvidenceStatus.Verified), (AbuseOfVulnerability, null, EvidenceStatus.Verified)));
    }

    [Fact]
    public void Lowered_strength_turns_indicated_into_risk()
    {
        Assert.Equal(ForcedLabourClassification.Risk, Classify((DeceptionNatureOfWork, IndicatorStrength.Medium, EvidenceStatus.Verified), (ThreatDismissalOrFinancialPenalty, null, EvidenceStatus.Verified)));
    }

    [Fact]
    public void I_without_P_and_P_without_I_are_risk()
    {
        Assert.Equal(ForcedLabourClassification.Risk, Classify((DeceptionNatureOfWork, null, EvidenceStatus.Verified), (NoFreedomToResign, null, EvidenceStatus.Verified)));
        Assert.Equal(ForcedLabourClassification.Risk, Classify((DocumentRetention, null, EvidenceStatus.Verified), (WageWithholding, null, EvidenceStatus.Verified)));
    }

    [Theory]
    [InlineData(EvidenceStatus.Alleged)]
    [InlineData(EvidenceStatus.SelfAssessed)]
    public void Indicated_resting_on_alleged_or_self_assessed_evidence_is_indicated_unverified(EvidenceStatus weak)
    {
        Assert.Equal(ForcedLabourClassification.IndicatedUnverified, Classify((DeceptionNatureOfWork, null, EvidenceStatus.Verified), (DocumentRetention, null, weak)));
    }

    [Fact]
    public void Weak_extra_observation_does_not_weaken_a_case_that_holds_without_it()
    {
        Assert.Equal(ForcedLabourClassification.Indicated,
            Classify((DeceptionNatureOfWork, null, EvidenceStatus.Verified), (DocumentRetention, null, EvidenceStatus.Corroborated), (Isolation, null, EvidenceStatus.Alleged)));
    }

    [Fact]
    public void Observations_of_different_audits_are_different_cases()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([
            Make.Finding("A1", indicators: [Make.Obs(DeceptionNatureOfWork)]),
            Make.Finding("A2", indicators: [Make.Obs(DocumentRetention)]),
        ]));
        Assert.Equal(2, evaluation.Cases.Count);
        Assert.All(evaluation.Cases, c => Assert.Equal(ForcedLabourClassification.Risk, c.Classification));
        Assert.Equal(ForcedLabourClassification.Risk, evaluation.ForcedLabour);
    }

    [Fact]
    public void Findings_of_one_audit_form_one_case()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([
            Make.Finding("A1", "F1", indicators: [Make.Obs(DeceptionNatureOfWork)]),
            Make.Finding("A1", "F2", indicators: [Make.Obs(DocumentRetention)]),
        ]));
        var single = Assert.Single(evaluation.Cases);
        Assert.Equal(ForcedLabourClassification.Indicated, single.Classification);
        Assert.Equal("audit:A1", single.CaseId);
    }

    [Fact]
    public void Shared_case_ref_joins_an_audit_and_a_grievance_into_one_case()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier(
            [Make.Finding("A1", indicators: [Make.Obs(NoFreedomToResign)], caseRef: "C-7")],
            [Make.Grievance("G1", allegations: [Make.Obs(ThreatViolenceOrDenunciation)], evidence: EvidenceStatus.Corroborated, caseRef: "C-7")]));
        var single = Assert.Single(evaluation.Cases);
        Assert.Equal("ref:C-7", single.CaseId);
        Assert.Equal(ForcedLabourClassification.Indicated, single.Classification);
        Assert.Equal(["A1/F1", "G1"], single.SignalIds);
        Assert.Equal(NoFreedomToResign, Assert.Single(single.Involuntariness).Code);
        Assert.Equal(ThreatViolenceOrDenunciation, Assert.Single(single.MenaceOfPenalty).Code);
    }

    [Fact]
    public void Grievance_alone_with_I_and_P_is_indicated_unverified()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier(grievances: [Make.Grievance(allegations: [Make.Obs(DeceptionNatureOfWork), Make.Obs(DocumentRetention)])]));
        Assert.Equal(ForcedLabourClassification.IndicatedUnverified, evaluation.ForcedLabour);
        Assert.Equal(EvidenceStatus.Alleged, evaluation.Cases[0].WeakestEvidence);
    }

    [Fact]
    public void Reference_period_includes_the_day_exactly_24_months_before()
    {
        var edge = Make.Today.AddMonths(-24);
        var evaluation = Make.EvaluateSupplier(Make.Supplier([Make.Finding(endDate: edge, indicators: [Make.Obs(DeceptionNatureOfWork), Make.Obs(DocumentRetention)])]));
        Assert.Equal(ForcedLabourClassification.Indicated, evaluation.ForcedLabour);
    }

    [Fact]
    public void Reference_period_excludes_the_day_before_that()
    {
        var outside = Make.Today.AddMonths(-24).AddDays(-1);
        var evaluation = Make.EvaluateSupplier(Make.Supplier([Make.Finding(endDate: outside, indicators: [Make.Obs(DeceptionNatureOfWork), Make.Obs(DocumentRetention)])]));
        Assert.Equal(ForcedLabourClassification.None, evaluation.ForcedLabour);
        Assert.Equal(ForcedLabourClassification.None, Assert.Single(evaluation.Cases).Classification);
        Assert.Empty(evaluation.ZeroTolerance);
        // Still scored (decayed): the reference period limits classification, not points.
        Assert.True(evaluation.Explanation.Evidence.Points > 0);
    }

    [Fact]
    public void Observations_of_one_case_across_the_period_edge_only_count_inside()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier(
            [Make.Finding("A1", endDate: Make.Today.AddMonths(-25), indicators: [Make.Obs(DeceptionNatureOfWork)], caseRef: "C-1")],
            [Make.Grievance("G1", allegations: [Make.Obs(DocumentRetention)], evidence: EvidenceStatus.Verified, caseRef: "C-1")]));
        Assert.Equal(ForcedLabourClassification.Risk, evaluation.ForcedLabour);
    }

    [Fact]
    public void Signals_after_the_evaluation_instant_are_not_seen()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([Make.Finding(endDate: Make.Today.AddDays(1), indicators: [Make.Obs(DeceptionNatureOfWork), Make.Obs(DocumentRetention)])]));
        Assert.Equal(ForcedLabourClassification.None, evaluation.ForcedLabour);
        Assert.Empty(evaluation.Explanation.Evidence.Terms);
    }

    [Fact]
    public void Fee_report_with_wage_deducted_loan_and_no_freedom_to_leave_is_debt_bondage_at_the_supplier_it_names()
    {
        var report = Make.FeeReport(workerPaid: 1500m, loan: true, wageDeduction: true, mayNotLeave: true);
        var evaluation = Make.EvaluateSupplier(Make.Supplier(feeReports: [report]));
        var single = Assert.Single(evaluation.Cases);
        Assert.Equal(ForcedLabourClassification.Indicated, single.Classification);
        Assert.Equal(DebtLinkedRecruitment, Assert.Single(single.Involuntariness).Code);
        Assert.Equal(DebtManipulation, Assert.Single(single.MenaceOfPenalty).Code);
        // Fee report points go to the recruiter only.
        Assert.Empty(evaluation.Explanation.Evidence.Terms);
    }

    [Fact]
    public void Unfounded_grievance_forms_no_case()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier(grievances: [Make.Grievance(allegations: [Make.Obs(DeceptionNatureOfWork), Make.Obs(DocumentRetention)],
            status: GrievanceStatus.Closed, closedOn: Make.Today, outcome: GrievanceOutcome.Unfounded)]));
        Assert.Equal(ForcedLabourClassification.None, evaluation.ForcedLabour);
        Assert.Empty(evaluation.PrecautionaryAlerts);
    }
}
