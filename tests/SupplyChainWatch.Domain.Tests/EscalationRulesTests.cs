using SupplyChainWatch.Domain;
using static SupplyChainWatch.Domain.IndicatorCode;

namespace SupplyChainWatch.Domain.Tests;

public sealed class EscalationRulesTests
{
    private static readonly RiskEvaluation Quiet = Make.EvaluateSupplier(Make.Supplier());

    private static readonly RiskEvaluation Indicated = Make.EvaluateSupplier(Make.Supplier([Make.Finding(indicators: [Make.Obs(DeceptionNatureOfWork), Make.Obs(DocumentRetention)])]));

    private static readonly RiskEvaluation Unverified = Make.EvaluateSupplier(Make.Supplier(grievances: [Make.Grievance("G1", allegations: [Make.Obs(DeceptionNatureOfWork), Make.Obs(DocumentRetention)], caseRef: "C1")]));

    [Fact]
    public void Unchanged_evaluation_implies_no_event()
    {
        Assert.Empty(EscalationRules.Derive("sup:1", 2, Indicated, Indicated, []));
        Assert.Empty(EscalationRules.Derive("sup:1", 2, null, Quiet, []));
    }

    [Fact]
    public void Band_change_up_or_down_is_one_event()
    {
        var up = EscalationRules.Derive("sup:1", 7, Quiet, Indicated, []);
        Assert.Contains(up, d => d.Type == EscalationType.RiskBandChanged && d.EventName == "risk.band_changed" && d.EventId == "sup:1:7:risk.band_changed");
        var down = Assert.Single(EscalationRules.Derive("sup:1", 8, Indicated, Quiet, []));
        Assert.Equal(EscalationType.RiskBandChanged, down.Type);
        Assert.Equal(RiskBand.Critical, down.Payload.PreviousBand);
        Assert.Equal(RiskBand.Low, down.Payload.Band);
    }

    [Fact]
    public void Case_becoming_indicated_is_one_event_per_case_with_its_codes()
    {
        var drafts = EscalationRules.Derive("sup:1", 3, Quiet, Indicated, []);
        var draft = Assert.Single(drafts, d => d.Type == EscalationType.ForcedLabourIndicated);
        Assert.Equal("sup:1:3:forced_labour.indicated:audit:A1", draft.EventId);
        Assert.Equal(ForcedLabourClassification.Indicated, draft.Payload.CaseClassification);
        Assert.Equal([DeceptionNatureOfWork, DocumentRetention], draft.Payload.IndicatorCodes);
    }

    [Fact]
    public void Case_becoming_indicated_unverified_is_an_event_and_then_indicated_is_another()
    {
        Assert.Contains(EscalationRules.Derive("sup:1", 1, Quiet, Unverified, []), d => d.Type == EscalationType.ForcedLabourIndicated);
        var confirmed = Make.EvaluateSupplier(Make.Supplier(
            [Make.Finding(indicators: [Make.Obs(NoFreedomToResign), Make.Obs(WageWithholding)], caseRef: "C1")],
            [Make.Grievance("G1", allegations: [Make.Obs(DeceptionNatureOfWork), Make.Obs(DocumentRetention)], caseRef: "C1")]));
        var draft = Assert.Single(EscalationRules.Derive("sup:1", 2, Unverified, confirmed, []), d => d.Type == EscalationType.ForcedLabourIndicated);
        Assert.Equal("sup:1:2:forced_labour.indicated:ref:C1", draft.EventId);
    }

    [Fact]
    public void New_floor_bearing_trigger_escalates_the_case_due_within_24_hours()
    {
        var drafts = EscalationRules.Derive("sup:1", 4, Quiet, Indicated, [], ShippedConfig.Model);
        var draft = Assert.Single(drafts, d => d.Type == EscalationType.CaseEscalated);
        Assert.Equal("sup:1:4:case.escalated", draft.EventId);
        Assert.Equal(Indicated.EvaluatedAt.AddHours(24), draft.DueBy);
        Assert.Contains(ZeroToleranceTrigger.DocumentRetention, draft.Payload.Triggers);
    }

    [Fact]
    public void Trigger_already_known_does_not_escalate_again()
    {
        var later = Make.EvaluateSupplier(Make.Supplier([Make.Finding(indicators: [Make.Obs(DeceptionNatureOfWork), Make.Obs(DocumentRetention)])]), Make.At.AddDays(1));
        Assert.DoesNotContain(EscalationRules.Derive("sup:1", 5, Indicated, later, []), d => d.Type == EscalationType.CaseEscalated);
    }

    [Fact]
    public void Precautionary_alert_alone_does_not_escalate_the_case()
    {
        Assert.DoesNotContain(EscalationRules.Derive("sup:1", 1, Quiet, Unverified, []), d => d.Type == EscalationType.CaseEscalated);
    }

    [Fact]
    public void Newly_critical_band_without_a_trigger_escalates_the_case()
    {
        var findings = Enumerable.Range(1, 8).Select(i => Make.Finding("A1", "F" + i, category: FindingCategory.Wages, severity: Severity.Critical, workers: 100)).ToList();
        var critical = Make.EvaluateSupplier(Make.Supplier(findings, recruiters: [new RecruiterLink("rec:1", 1, 100)]));
        Assert.Equal(RiskBand.Critical, critical.Band);
        Assert.Empty(critical.ZeroTolerance);
        Assert.Contains(EscalationRules.Derive("sup:1", 1, Quiet, critical, []), d => d.Type == EscalationType.CaseEscalated);
    }

    [Fact]
    public void Recruiter_reaching_high_risk_emits_one_event_per_linked_supplier()
    {
        var recruiter = Make.EvaluateRecruiter(Make.Recruiter(findings: [Make.Finding(indicators: [Make.Obs(DocumentRetention)])]));
        Assert.True(recruiter.Band >= RiskBand.High);
        var drafts = EscalationRules.Derive("rec:1", 9, null, recruiter, ["sup:a", "sup:b", "sup:a"])
            .Where(d => d.Type == EscalationType.RecruiterHighRiskLinked).ToList();
        Assert.Equal(["rec:1:9:recruiter.high_risk_linked:sup:a", "rec:1:9:recruiter.high_risk_linked:sup:b"], drafts.Select(d => d.EventId));
        Assert.Equal(["sup:a", "sup:b"], drafts.Select(d => d.Payload.SupplierId));
        Assert.Empty(EscalationRules.Derive("rec:1", 10, recruiter, recruiter, ["sup:a"]));
    }

    [Fact]
    public void A_supplier_linking_to_a_recruiter_already_high_risk_gets_one_event_of_its_own()
    {
        var recruiter = Make.EvaluateRecruiter(Make.Recruiter(findings: [Make.Finding(indicators: [Make.Obs(DocumentRetention)])]));
        Assert.True(recruiter.Band >= RiskBand.High);
        var draft = Assert.Single(EscalationRules.Derive("rec:1", 12, recruiter, recruiter, ["sup:a", "sup:b"], null, ["sup:b"]));
        Assert.Equal(("rec:1:12:recruiter.high_risk_linked:sup:b", "sup:b"), (draft.EventId, draft.Payload.SupplierId));

        // Crossing the band in the same evaluation: one event per supplier, the new one included, none twice.
        var crossing = EscalationRules.Derive("rec:1", 13, null, recruiter, ["sup:a", "sup:b"], null, ["sup:b"])
            .Where(d => d.Type == EscalationType.RecruiterHighRiskLinked).Select(d => d.Payload.SupplierId);
        Assert.Equal(["sup:a", "sup:b"], crossing);

        var quiet = Make.EvaluateRecruiter(Make.Recruiter());
        Assert.Empty(EscalationRules.Derive("rec:1", 14, quiet, quiet, ["sup:a", "sup:b"], null, ["sup:b"]));
    }

    [Fact]
    public void Same_inputs_give_the_same_event_ids()
    {
        var first = EscalationRules.Derive("sup:1", 11, Quiet, Indicated, []).Select(d => d.EventId);
        var second = EscalationRules.Derive("sup:1", 11, Quiet, Indicated, []).Select(d => d.EventId);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Overdue_helpers_name_their_events()
    {
        var grievance = Make.Grievance("G9");
        var finding = Make.Finding(findingId: "F9");
        Assert.Equal("grievance.acknowledgement_overdue", EscalationRules.GrievanceAcknowledgementOverdue("sup:1", 1, grievance, Quiet, Make.At).EventName);
        Assert.Equal("sup:1:1:corrective_action.overdue:A1/F9", EscalationRules.CorrectiveActionOverdue("sup:1", 1, finding, Quiet, Make.At).EventId);
    }
}
