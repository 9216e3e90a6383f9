using SupplyChainWatch.Domain;
using static SupplyChainWatch.Domain.IndicatorCode;

namespace SupplyChainWatch.Domain.Tests;

public sealed class ZeroToleranceTests
{
    private static RiskEvaluation WithFinding(AuditFinding finding) => Make.EvaluateSupplier(Make.Supplier([finding]));

    private static void AssertFloored(RiskEvaluation evaluation, ZeroToleranceTrigger trigger)
    {
        Assert.Contains(evaluation.ZeroTolerance, h => h.Trigger == trigger);
        Assert.True(evaluation.Score >= 80);
        Assert.True(evaluation.Explanation.Floor.Applied);
        Assert.Contains(trigger, evaluation.Explanation.Floor.Triggers);
        Assert.Contains(KebabCase.Of(trigger), evaluation.Explanation.Floor.Reason, StringComparison.Ordinal);
        Assert.Equal(RiskBand.Critical, evaluation.Band);
    }

    [Fact]
    public void Forced_labour_indicated_floors_the_score()
    {
        AssertFloored(WithFinding(Make.Finding(indicators: [Make.Obs(DeceptionNatureOfWork), Make.Obs(ThreatDismissalOrFinancialPenalty)])), ZeroToleranceTrigger.ForcedLabourIndicated);
    }

    [Theory]
    [InlineData(EvidenceStatus.Verified)]
    [InlineData(EvidenceStatus.Corroborated)]
    public void Document_retention_verified_or_corroborated_floors_the_score(EvidenceStatus evidence)
    {
        AssertFloored(WithFinding(Make.Finding(indicators: [Make.Obs(DocumentRetention)], evidence: evidence)), ZeroToleranceTrigger.DocumentRetention);
    }

    [Theory]
    [InlineData(PhysicalSexualViolence)]
    [InlineData(RestrictionOfMovement)]
    public void Violence_or_confinement_floors_the_score(IndicatorCode code)
    {
        AssertFloored(WithFinding(Make.Finding(indicators: [Make.Obs(code)], evidence: EvidenceStatus.Corroborated)), ZeroToleranceTrigger.PhysicalViolenceOrConfinement);
    }

    [Fact]
    public void Child_labour_finding_floors_the_score()
    {
        AssertFloored(WithFinding(Make.Finding(category: FindingCategory.ChildLabour, severity: Severity.Critical)), ZeroToleranceTrigger.ChildLabour);
    }

    [Fact]
    public void Verified_grievance_with_a_child_involved_floors_the_score()
    {
        AssertFloored(Make.EvaluateSupplier(Make.Supplier(grievances: [Make.Grievance(childInvolved: true, evidence: EvidenceStatus.Verified)])), ZeroToleranceTrigger.ChildLabour);
    }

    [Fact]
    public void Young_workers_are_not_child_labour()
    {
        Assert.Empty(WithFinding(Make.Finding(category: FindingCategory.YoungWorkers, severity: Severity.Major)).ZeroTolerance);
    }

    [Fact]
    public void Debt_bondage_from_a_fee_report_floors_the_score()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier(feeReports: [Make.FeeReport(workerPaid: 900m, loan: true, wageDeduction: true, mayNotLeave: true)]));
        AssertFloored(evaluation, ZeroToleranceTrigger.DebtBondage);
        Assert.Contains(evaluation.ZeroTolerance, h => h.Trigger == ZeroToleranceTrigger.ForcedLabourIndicated);
    }

    [Fact]
    public void Debt_bondage_from_audit_indicators_floors_the_score()
    {
        AssertFloored(WithFinding(Make.Finding(indicators: [Make.Obs(DebtLinkedRecruitment), Make.Obs(DebtManipulation)])), ZeroToleranceTrigger.DebtBondage);
    }

    [Fact]
    public void Imminent_danger_finding_floors_the_score()
    {
        AssertFloored(WithFinding(Make.Finding(category: FindingCategory.HealthSafety, severity: Severity.ZeroTolerance)), ZeroToleranceTrigger.ImminentDanger);
    }

    [Fact]
    public void Critical_health_and_safety_finding_is_not_imminent_danger()
    {
        Assert.Empty(WithFinding(Make.Finding(category: FindingCategory.HealthSafety, severity: Severity.Critical)).ZeroTolerance);
    }

    [Fact]
    public void Corroborated_grievance_of_imminent_danger_floors_the_score()
    {
        AssertFloored(Make.EvaluateSupplier(Make.Supplier(grievances: [Make.Grievance(imminentDanger: true, evidence: EvidenceStatus.Corroborated)])), ZeroToleranceTrigger.ImminentDanger);
    }

    [Fact]
    public void Auditor_bribery_or_falsified_records_floors_the_score()
    {
        AssertFloored(WithFinding(Make.Finding(category: FindingCategory.Ethics, severity: Severity.ZeroTolerance)), ZeroToleranceTrigger.AuditIntegrity);
    }

    [Fact]
    public void Verified_remediated_finding_triggers_nothing()
    {
        var evaluation = WithFinding(Make.Finding(indicators: [Make.Obs(DocumentRetention), Make.Obs(DeceptionNatureOfWork)], status: FindingStatus.VerifiedRemediated, statusOn: Make.Today.AddDays(-10)));
        Assert.Empty(evaluation.ZeroTolerance);
        Assert.Empty(evaluation.PrecautionaryAlerts);
        Assert.False(evaluation.Explanation.Floor.Applied);
        Assert.True(evaluation.Score < 80);
    }

    [Fact]
    public void Remediated_but_unverified_finding_still_triggers()
    {
        AssertFloored(WithFinding(Make.Finding(indicators: [Make.Obs(DocumentRetention)], status: FindingStatus.Remediated, statusOn: Make.Today)), ZeroToleranceTrigger.DocumentRetention);
    }

    [Theory]
    [InlineData(FindingCategory.ChildLabour, Severity.Critical)]
    [InlineData(FindingCategory.Ethics, Severity.ZeroTolerance)]
    [InlineData(FindingCategory.HealthSafety, Severity.ZeroTolerance)]
    public void Finding_outside_the_reference_period_triggers_nothing(FindingCategory category, Severity severity)
    {
        var evaluation = WithFinding(Make.Finding(endDate: Make.Today.AddMonths(-24).AddDays(-1), category: category, severity: severity));
        Assert.Empty(evaluation.ZeroTolerance);
    }

    [Fact]
    public void Trigger_on_the_first_day_of_the_reference_period_still_holds()
    {
        Assert.NotEmpty(WithFinding(Make.Finding(endDate: Make.Today.AddMonths(-24), indicators: [Make.Obs(DocumentRetention)])).ZeroTolerance);
    }

    [Theory]
    [InlineData(EvidenceStatus.Reported)]
    [InlineData(EvidenceStatus.Alleged)]
    [InlineData(EvidenceStatus.SelfAssessed)]
    public void Trigger_on_weaker_evidence_raises_a_precautionary_alert_and_no_floor(EvidenceStatus evidence)
    {
        var evaluation = WithFinding(Make.Finding(indicators: [Make.Obs(DocumentRetention)], evidence: evidence));
        Assert.Empty(evaluation.ZeroTolerance);
        var alert = Assert.Single(evaluation.PrecautionaryAlerts);
        Assert.Equal(ZeroToleranceTrigger.DocumentRetention, alert.Trigger);
        Assert.Equal(evidence, alert.EvidenceStatus);
        Assert.False(evaluation.Explanation.Floor.Applied);
        Assert.True(evaluation.Score < 80);
    }

    [Fact]
    public void Alleged_child_labour_grievance_is_a_precautionary_alert()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier(grievances: [Make.Grievance(childInvolved: true)]));
        Assert.Equal(ZeroToleranceTrigger.ChildLabour, Assert.Single(evaluation.PrecautionaryAlerts).Trigger);
        Assert.Empty(evaluation.ZeroTolerance);
    }
}
