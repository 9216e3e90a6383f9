using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class RecruiterScoreTests
{
    private static FeeGroupExplanation Group(params FeeReport[] reports) =>
        Assert.Single(Make.EvaluateRecruiter(Make.Recruiter(reports)).Explanation.FeeGroups);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 6)]
    [InlineData(999, 6)]
    [InlineData(1000, 15)]
    [InlineData(2990, 15)]
    [InlineData(3000, 30)]
    [InlineData(9000, 30)]
    public void Median_cost_ratio_sets_the_fee_band(int workerPaidUsd, double expectedBase)
    {
        var group = Group(Make.FeeReport(workerPaid: workerPaidUsd, wage: 1000m));
        Assert.Equal(expectedBase, group.FeeBase);
        Assert.False(group.LoanSurcharge);
    }

    [Fact]
    public void Median_is_taken_over_distinct_workers()
    {
        var group = Group(
            Make.FeeReport("R1", "W1", workerPaid: 500m),
            Make.FeeReport("R2", "W2", workerPaid: 2000m),
            Make.FeeReport("R3", "W3", workerPaid: 4000m));
        Assert.Equal(2.0, group.MedianCostRatio);
        Assert.Equal(15, group.FeeBase);
        Assert.Equal(3, group.Workers);
    }

    [Fact]
    public void Only_the_latest_report_of_a_worker_counts()
    {
        var day = new DateOnly(2026, 3, 1);
        var group = Group(
            Make.FeeReport("R1", "W1", workerPaid: 5000m, recruitedOn: day),
            Make.FeeReport("R2", "W1", workerPaid: 500m, recruitedOn: day.AddDays(30)));
        Assert.Equal(1, group.Workers);
        Assert.Equal(["R2"], group.ReportIds);
        Assert.Equal(6, group.FeeBase);
    }

    [Fact]
    public void Reports_group_per_corridor_and_calendar_year()
    {
        var evaluation = Make.EvaluateRecruiter(Make.Recruiter([
            Make.FeeReport("R1", "W1", workerPaid: 500m, recruitedOn: new DateOnly(2025, 12, 31)),
            Make.FeeReport("R2", "W2", workerPaid: 500m, recruitedOn: new DateOnly(2026, 1, 1)),
            Make.FeeReport("R3", "W3", workerPaid: 500m, recruitedOn: new DateOnly(2026, 1, 2), origin: "BD"),
        ]));
        Assert.Equal(3, evaluation.Explanation.FeeGroups.Count);
        Assert.Equal(3, evaluation.Explanation.Evidence.Terms.Count);
    }

    [Fact]
    public void Loan_surcharge_applies_when_half_the_workers_repay_a_loan_through_wages()
    {
        var group = Group(
            Make.FeeReport("R1", "W1", workerPaid: 500m, loan: true, wageDeduction: true),
            Make.FeeReport("R2", "W2", workerPaid: 500m));
        Assert.True(group.LoanSurcharge);
        Assert.Equal(6 + 10, group.FeeBase);
    }

    [Fact]
    public void Loan_surcharge_does_not_apply_below_half_or_without_wage_deduction()
    {
        var below = Group(
            Make.FeeReport("R1", "W1", workerPaid: 500m, loan: true, wageDeduction: true),
            Make.FeeReport("R2", "W2", workerPaid: 500m),
            Make.FeeReport("R3", "W3", workerPaid: 500m));
        Assert.False(below.LoanSurcharge);
        var noDeduction = Group(Make.FeeReport(workerPaid: 500m, loan: true));
        Assert.False(noDeduction.LoanSurcharge);
    }

    [Fact]
    public void Costs_paid_by_family_count_and_costs_paid_by_employer_do_not()
    {
        Assert.Equal(15, Group(Make.FeeReport(workerPaid: 1500m, paidBy: PaidBy.Family)).FeeBase);
        var employerPaid = Group(Make.FeeReport(workerPaid: 1500m, paidBy: PaidBy.Employer));
        Assert.Equal(0, employerPaid.FeeBase);
        Assert.False(employerPaid.EmployerPaysBreach);
    }

    [Fact]
    public void Distinct_workers_scale_the_fee_term()
    {
        var reports = Enumerable.Range(1, 10).Select(i => Make.FeeReport("R" + i, "W" + i, workerPaid: 1500m)).ToList();
        var term = Assert.Single(Make.EvaluateRecruiter(Make.Recruiter(reports)).Explanation.Evidence.Terms);
        Assert.Equal(10, term.WorkersAffected);
        Assert.Equal(1.5, term.Scale, 4);
        Assert.Equal("recruitment-fees", term.Code);
    }

    [Fact]
    public void Worked_check_c_one_and_a_half_months_wage_on_a_wage_deducted_loan_is_risk_with_base_25_and_an_Employer_Pays_breach()
    {
        var evaluation = Make.EvaluateRecruiter(Make.Recruiter([Make.FeeReport(workerPaid: 1500m, wage: 1000m, loan: true, wageDeduction: true, mayNotLeave: false)]));
        Assert.Equal(ForcedLabourClassification.Risk, evaluation.ForcedLabour);
        var group = Assert.Single(evaluation.Explanation.FeeGroups);
        Assert.Equal(1.5, group.MedianCostRatio);
        Assert.Equal(15 + 10, group.FeeBase);
        Assert.True(group.LoanSurcharge);
        Assert.True(group.EmployerPaysBreach);
        Assert.Contains(evaluation.Explanation.Notes, n => n.Contains("Employer Pays Principle", StringComparison.Ordinal));
        Assert.Equal(IndicatorCode.DebtLinkedRecruitment, Assert.Single(Assert.Single(evaluation.Cases).Involuntariness).Code);
        Assert.Empty(evaluation.ZeroTolerance);
    }

    [Fact]
    public void Worked_check_c_without_the_loan_is_none_with_base_15()
    {
        var evaluation = Make.EvaluateRecruiter(Make.Recruiter([Make.FeeReport(workerPaid: 1500m, wage: 1000m)]));
        Assert.Equal(ForcedLabourClassification.None, evaluation.ForcedLabour);
        Assert.Empty(evaluation.Cases);
        var group = Assert.Single(evaluation.Explanation.FeeGroups);
        Assert.Equal(15, group.FeeBase);
        Assert.True(group.EmployerPaysBreach);
    }

    [Fact]
    public void Tiny_worker_paid_fee_still_breaks_the_Employer_Pays_Principle()
    {
        var group = Group(Make.FeeReport(workerPaid: 1m, wage: 1000m));
        Assert.Equal(6, group.FeeBase);
        Assert.True(group.EmployerPaysBreach);
        Assert.Equal(1, group.WorkersPayingFees);
    }

    [Fact]
    public void Recruiter_inherent_takes_the_riskiest_corridor_country_and_placement_sector()
    {
        var profile = new RecruiterProfile("Agency", "L-1", "NP", [new Corridor("NP", "MY"), new Corridor("BD", "AE")]);
        var inherent = Make.EvaluateRecruiter(Make.Recruiter(profile: profile, placedWith: [Sector.Logistics, Sector.Construction, null])).Explanation.Inherent;
        var expectedC = new[] { "NP", "MY", "BD", "AE" }.Max(c => ShippedConfig.Tables.CountryRiskOf(c)!.Value);
        Assert.Equal(expectedC, inherent.CountryRisk);
        Assert.Equal(4, inherent.SectorRisk);
        Assert.Equal(0, inherent.GoodsRisk);
    }

    [Fact]
    public void Recruiter_without_corridors_or_placements_uses_its_country_and_sector_two()
    {
        var inherent = Make.EvaluateRecruiter(Make.Recruiter(profile: new RecruiterProfile("Agency", null, "DE", []))).Explanation.Inherent;
        Assert.Equal(ShippedConfig.Tables.CountryRiskOf("DE"), inherent.CountryRisk);
        Assert.Equal(2, inherent.SectorRisk);
    }

    [Fact]
    public void Grievances_naming_the_recruiter_add_evidence()
    {
        var evaluation = Make.EvaluateRecruiter(Make.Recruiter(grievances: [Make.Grievance(allegations: [Make.Obs(IndicatorCode.DocumentRetention)])]));
        Assert.Equal(30, Assert.Single(evaluation.Explanation.Evidence.Terms).Base);
    }

    [Fact]
    public void Missing_exchange_rate_in_scoring_quarantines_the_report_naming_the_currency()
    {
        // Evaluation is total (issue 14): a rate removed from the configuration must not make the recruiter fail forever.
        var evaluation = Make.EvaluateRecruiter(Make.Recruiter([Make.FeeReport(workerPaid: 10m, currency: "XOF")]));
        var quarantined = Assert.Single(evaluation.Quarantined);
        Assert.Equal("R1", quarantined.SignalId);
        Assert.Contains("'XOF'", quarantined.Reason, StringComparison.Ordinal);
        Assert.Empty(evaluation.Explanation.FeeGroups);
    }
}
