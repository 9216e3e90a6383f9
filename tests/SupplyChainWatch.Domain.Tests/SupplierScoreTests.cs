using SupplyChainWatch.Domain;
using static SupplyChainWatch.Domain.IndicatorCode;

namespace SupplyChainWatch.Domain.Tests;

public sealed class SupplierScoreTests
{
    [Fact]
    public void Supplier_with_no_profile_scores_the_unknown_inherent_risk_only()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier());
        var inherent = evaluation.Explanation.Inherent;
        Assert.Equal((3, 2, 0), (inherent.CountryRisk, inherent.SectorRisk, inherent.GoodsRisk));
        Assert.Equal(50, inherent.Inherent);
        Assert.Equal(10m, inherent.Points);
        Assert.Equal(10, evaluation.Score);
        Assert.Equal(RiskBand.Low, evaluation.Band);
        Assert.Equal(ShippedConfig.Model.ModelVersion, evaluation.ModelVersion);
        Assert.Equal(Make.At, evaluation.EvaluatedAt);
        Assert.Equal(Make.At, evaluation.Explanation.EvaluatedAt);
    }

    [Theory]
    [InlineData(0.25, 0.0, 1)]
    [InlineData(0.0, 0.30, 1)]
    [InlineData(0.24, 0.24, 0)]
    public void Migrant_or_agency_share_of_a_quarter_bumps_sector_risk(double migrant, double agency, int bump)
    {
        var profile = new SupplierProfile("S", "DE", Sector.Logistics, 100, migrant, agency, []);
        var inherent = Make.EvaluateSupplier(Make.Supplier(profile: profile)).Explanation.Inherent;
        Assert.Equal(2 + bump, inherent.SectorRisk);
    }

    [Fact]
    public void Inherent_sum_is_capped_at_ten()
    {
        var profile = new SupplierProfile("S", "AE", Sector.Apparel, 100, 0.9, 0, ["cotton garments"]);
        Assert.Equal(100, Make.EvaluateSupplier(Make.Supplier(profile: profile)).Explanation.Inherent.Inherent);
    }

    [Fact]
    public void Single_strong_verified_indicator_follows_the_evidence_formula()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([Make.Finding(indicators: [Make.Obs(DeceptionNatureOfWork)])]));
        var term = Assert.Single(evaluation.Explanation.Evidence.Terms);
        Assert.Equal(30, term.RawPoints, 1); // decayed by half a day only
        Assert.Equal(Make.Saturate(term.RawPoints), (double)evaluation.Explanation.Evidence.Points, tolerance: 0.01);
        Assert.Equal((int)Math.Round(10 + Make.Saturate(term.RawPoints), MidpointRounding.AwayFromZero), evaluation.Score);
    }

    [Theory]
    [InlineData(1, 1.0)]
    [InlineData(10, 1.5)]
    [InlineData(100, 2.0)]
    [InlineData(0, 1.0)]
    public void Workers_affected_scale_the_term(int workers, double scale)
    {
        var term = Assert.Single(Make.EvaluateSupplier(Make.Supplier([Make.Finding(workers: workers)])).Explanation.Evidence.Terms);
        Assert.Equal(scale, term.Scale, 4);
    }

    [Theory]
    [InlineData(EvidenceStatus.Verified, 1.0)]
    [InlineData(EvidenceStatus.Corroborated, 0.8)]
    [InlineData(EvidenceStatus.Reported, 0.6)]
    [InlineData(EvidenceStatus.Alleged, 0.4)]
    [InlineData(EvidenceStatus.SelfAssessed, 0.3)]
    public void Evidence_status_sets_the_confidence(EvidenceStatus status, double conf)
    {
        var term = Assert.Single(Make.EvaluateSupplier(Make.Supplier([Make.Finding(evidence: status)])).Explanation.Evidence.Terms);
        Assert.Equal(conf, term.Conf);
    }

    [Theory]
    [InlineData(Severity.ZeroTolerance, 20)]
    [InlineData(Severity.Critical, 20)]
    [InlineData(Severity.Major, 8)]
    [InlineData(Severity.Minor, 2)]
    [InlineData(Severity.Observation, 0)]
    public void Finding_without_indicators_scores_by_severity(Severity severity, double expectedBase)
    {
        var term = Assert.Single(Make.EvaluateSupplier(Make.Supplier([Make.Finding(category: FindingCategory.Wages, severity: severity)])).Explanation.Evidence.Terms);
        Assert.Equal(expectedBase, term.Base);
        Assert.Equal("wages/" + KebabCase.Of(severity), term.Code);
    }

    [Fact]
    public void Same_category_found_again_within_24_months_counts_one_and_a_half_times()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([
            Make.Finding("A1", endDate: Make.Today.AddMonths(-24), category: FindingCategory.Wages, severity: Severity.Major),
            Make.Finding("A2", endDate: Make.Today, category: FindingCategory.Wages, severity: Severity.Major),
        ]));
        var terms = evaluation.Explanation.Evidence.Terms;
        Assert.False(terms[0].Repeat);
        Assert.Equal(8, terms[0].Base);
        Assert.True(terms[1].Repeat);
        Assert.Equal(12, terms[1].Base);
    }

    [Fact]
    public void Repeat_applies_to_indicator_terms_too()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([
            Make.Finding("A1", endDate: Make.Today.AddMonths(-6), indicators: [Make.Obs(DocumentRetention)]),
            Make.Finding("A2", endDate: Make.Today, indicators: [Make.Obs(DocumentRetention)]),
        ]));
        Assert.Equal(45, evaluation.Explanation.Evidence.Terms[1].Base);
    }

    [Fact]
    public void Same_category_longer_ago_or_in_the_same_audit_is_not_a_repeat()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([
            Make.Finding("A1", endDate: Make.Today.AddMonths(-24).AddDays(-1), category: FindingCategory.Wages),
            Make.Finding("A2", "F1", endDate: Make.Today, category: FindingCategory.Wages),
            Make.Finding("A2", "F2", endDate: Make.Today, category: FindingCategory.Wages),
        ]));
        Assert.All(evaluation.Explanation.Evidence.Terms, t => Assert.False(t.Repeat));
    }

    [Fact]
    public void Recruiter_score_propagates_by_workforce_share()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier(recruiters: [new RecruiterLink("rec:a", 0.5, 60), new RecruiterLink("rec:b", 0.25, 40)]));
        var propagation = evaluation.Explanation.Propagation;
        Assert.False(propagation.Capped);
        Assert.Equal([6m, 2m], propagation.Terms.Select(t => t.Points));
        Assert.Equal(8m, propagation.Points);
        Assert.Equal(18, evaluation.Score);
    }

    [Fact]
    public void Propagation_is_capped_at_20_and_shared_proportionally()
    {
        var propagation = Make.EvaluateSupplier(Make.Supplier(recruiters: [new RecruiterLink("rec:a", 1.0, 100), new RecruiterLink("rec:b", 1.0, 100)])).Explanation.Propagation;
        Assert.True(propagation.Capped);
        Assert.Equal(20m, propagation.Points);
        Assert.Equal([10m, 10m], propagation.Terms.Select(t => t.Points));
    }

    [Fact]
    public void Overdue_major_corrective_action_adds_five_points()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([Make.Finding(endDate: Make.Today.AddDays(-60), severity: Severity.Major, dueDate: Make.Today.AddDays(-1))]));
        Assert.Equal(5m, evaluation.Explanation.Management.Points);
        Assert.Equal(["A1/F1"], evaluation.Explanation.Management.OverdueCorrectiveActions);
    }

    [Fact]
    public void Management_points_stop_at_ten()
    {
        var findings = Enumerable.Range(1, 3).Select(i => Make.Finding("A1", "F" + i, endDate: Make.Today.AddDays(-60), severity: Severity.Critical, dueDate: Make.Today.AddDays(-1))).ToList();
        Assert.Equal(10m, Make.EvaluateSupplier(Make.Supplier(findings)).Explanation.Management.Points);
    }

    [Theory]
    [InlineData(Severity.Minor, FindingStatus.Open, -1)]
    [InlineData(Severity.Major, FindingStatus.Open, 0)]
    [InlineData(Severity.Major, FindingStatus.Remediated, -1)]
    [InlineData(Severity.Major, FindingStatus.VerifiedRemediated, -1)]
    public void Minor_not_yet_due_or_remediated_actions_add_nothing(Severity severity, FindingStatus status, int dueInDays)
    {
        var finding = Make.Finding(endDate: Make.Today.AddDays(-60), severity: severity, status: status, statusOn: status == FindingStatus.Open ? null : Make.Today.AddDays(-2), dueDate: Make.Today.AddDays(dueInDays));
        Assert.Equal(0m, Make.EvaluateSupplier(Make.Supplier([finding])).Explanation.Management.Points);
    }

    [Theory]
    [InlineData(0, RiskBand.Low)]
    [InlineData(24, RiskBand.Low)]
    [InlineData(25, RiskBand.Medium)]
    [InlineData(49, RiskBand.Medium)]
    [InlineData(50, RiskBand.High)]
    [InlineData(79, RiskBand.High)]
    [InlineData(80, RiskBand.Critical)]
    [InlineData(100, RiskBand.Critical)]
    public void Bands_follow_the_thresholds(int score, RiskBand band)
    {
        Assert.Equal(band, ShippedConfig.Model.BandOf(score));
    }

    [Fact]
    public void Worked_check_a_verified_audit_of_20_workers_with_deception_and_threat_is_indicated_and_floored()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier([Make.Finding(workers: 20,
            indicators: [Make.Obs(DeceptionNatureOfWork), Make.Obs(ThreatDismissalOrFinancialPenalty)])]));
        Assert.Equal(ForcedLabourClassification.Indicated, evaluation.ForcedLabour);
        Assert.True(evaluation.Explanation.ScoreBeforeFloor < 80);
        Assert.Equal(80, evaluation.Score);
        Assert.Equal(RiskBand.Critical, evaluation.Band);
        Assert.True(evaluation.Explanation.Floor.Applied);
        Assert.Contains(ZeroToleranceTrigger.ForcedLabourIndicated, evaluation.Explanation.Floor.Triggers);
        var terms = evaluation.Explanation.Evidence.Terms;
        Assert.Equal([30.0, 12.0], terms.Select(t => t.Base));
        Assert.All(terms, t => Assert.Equal(1 + (Math.Log10(20) / 2), t.Scale, 4));
        var @case = Assert.Single(evaluation.Cases);
        Assert.Equal(DeceptionNatureOfWork, Assert.Single(@case.Involuntariness).Code);
        Assert.Equal(ThreatDismissalOrFinancialPenalty, Assert.Single(@case.MenaceOfPenalty).Code);
    }

    [Fact]
    public void Worked_check_b_the_same_codes_in_an_alleged_grievance_are_indicated_unverified_with_an_alert_and_no_floor()
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier(grievances: [Make.Grievance(allegations: [Make.Obs(DeceptionNatureOfWork), Make.Obs(ThreatDismissalOrFinancialPenalty)])]));
        Assert.Equal(ForcedLabourClassification.IndicatedUnverified, evaluation.ForcedLabour);
        var alert = Assert.Single(evaluation.PrecautionaryAlerts);
        Assert.Equal(ZeroToleranceTrigger.ForcedLabourIndicated, alert.Trigger);
        Assert.Equal(EvidenceStatus.Alleged, alert.EvidenceStatus);
        Assert.Empty(evaluation.ZeroTolerance);
        Assert.False(evaluation.Explanation.Floor.Applied);
        Assert.Equal(evaluation.Explanation.ScoreBeforeFloor, evaluation.Score);
        Assert.True(evaluation.Score < 80);
    }

    [Fact]
    public void Signal_naming_a_supplier_and_a_recruiter_counts_fully_on_both()
    {
        var finding = Make.Finding(indicators: [Make.Obs(WageWithholding)]);
        var atSupplier = Make.EvaluateSupplier(Make.Supplier([finding])).Explanation.Evidence.Terms.Single();
        var atRecruiter = Make.EvaluateRecruiter(Make.Recruiter(findings: [finding])).Explanation.Evidence.Terms.Single();
        Assert.Equal(atSupplier.RawPoints, atRecruiter.RawPoints);
    }
}
