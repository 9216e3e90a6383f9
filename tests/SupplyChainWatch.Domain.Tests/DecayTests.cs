using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class DecayTests
{
    // Midnight, so that a date-stamped observation N days back is exactly N days old.
    private static readonly DateTimeOffset Midnight = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = DateOnly.FromDateTime(Midnight.UtcDateTime);

    private static EvidenceTerm Term(SupplierEvidence evidence) => Assert.Single(Make.EvaluateSupplier(evidence, Midnight).Explanation.Evidence.Terms);

    [Fact]
    public void Open_finding_halves_after_365_days()
    {
        var term = Term(Make.Supplier([Make.Finding(endDate: Today.AddDays(-365), severity: Severity.Critical)]));
        Assert.Equal(0.5, term.Decay, 4);
        Assert.Equal(365, term.HalfLifeDays);
        Assert.Equal(20 * 0.5, term.RawPoints, 2);
    }

    [Fact]
    public void Fresh_finding_does_not_decay()
    {
        Assert.Equal(1.0, Term(Make.Supplier([Make.Finding(endDate: Today)])).Decay);
    }

    [Fact]
    public void Remediated_without_verification_decays_as_open()
    {
        var term = Term(Make.Supplier([Make.Finding(endDate: Today.AddDays(-365), status: FindingStatus.Remediated, statusOn: Today.AddDays(-300))]));
        Assert.Equal(0.5, term.Decay, 4);
        Assert.Equal(Today.AddDays(-365), term.DecaysFrom);
    }

    [Fact]
    public void Verified_remediated_halves_90_days_after_verification()
    {
        var term = Term(Make.Supplier([Make.Finding(endDate: Today.AddDays(-400), status: FindingStatus.VerifiedRemediated, statusOn: Today.AddDays(-90))]));
        Assert.Equal(0.5, term.Decay, 4);
        Assert.Equal(90, term.HalfLifeDays);
        Assert.Equal(Today.AddDays(-90), term.DecaysFrom);
    }

    [Fact]
    public void Open_grievance_halves_365_days_after_receipt()
    {
        var term = Term(Make.Supplier(grievances: [Make.Grievance(receivedAt: Midnight.AddDays(-365))]));
        Assert.Equal(0.5, term.Decay, 4);
        Assert.Equal(8, term.Base); // no allegation code: counts like a major finding
        Assert.Equal(0.4, term.Conf);
    }

    [Fact]
    public void Grievance_closed_unverified_halves_180_days_after_closing()
    {
        var term = Term(Make.Supplier(grievances: [Make.Grievance(receivedAt: Midnight.AddDays(-400), status: GrievanceStatus.Closed,
            closedOn: Today.AddDays(-180), outcome: GrievanceOutcome.Founded)]));
        Assert.Equal(0.5, term.Decay, 4);
        Assert.Equal(180, term.HalfLifeDays);
    }

    [Fact]
    public void Grievance_closed_and_verified_halves_90_days_after_closing()
    {
        var term = Term(Make.Supplier(grievances: [Make.Grievance(receivedAt: Midnight.AddDays(-400), status: GrievanceStatus.Closed,
            closedOn: Today.AddDays(-90), outcome: GrievanceOutcome.Founded, verified: true)]));
        Assert.Equal(0.5, term.Decay, 4);
        Assert.Equal(90, term.HalfLifeDays);
    }

    [Theory]
    [InlineData(GrievanceOutcome.Unfounded)]
    [InlineData(GrievanceOutcome.Withdrawn)]
    public void Grievance_closed_unfounded_or_withdrawn_contributes_nothing(GrievanceOutcome outcome)
    {
        var evaluation = Make.EvaluateSupplier(Make.Supplier(grievances: [Make.Grievance(receivedAt: Midnight.AddDays(-10), allegations: [Make.Obs(IndicatorCode.DocumentRetention)],
            status: GrievanceStatus.Closed, closedOn: Today, outcome: outcome)]), Midnight);
        Assert.Empty(evaluation.Explanation.Evidence.Terms);
        Assert.Contains(evaluation.Explanation.Notes, n => n.Contains(KebabCase.Of(outcome), StringComparison.Ordinal));
    }

    [Fact]
    public void Fee_group_halves_365_days_after_recruitment()
    {
        var evaluation = Make.EvaluateRecruiter(Make.Recruiter([Make.FeeReport(workerPaid: 500m, recruitedOn: Today.AddDays(-365))]), Midnight);
        var term = Assert.Single(evaluation.Explanation.Evidence.Terms);
        Assert.Equal(0.5, term.Decay, 4);
        Assert.Equal(365, term.HalfLifeDays);
    }

    [Fact]
    public void Fully_reimbursed_fee_group_halves_90_days_after_reimbursement()
    {
        var evaluation = Make.EvaluateRecruiter(Make.Recruiter([Make.FeeReport(workerPaid: 500m, recruitedOn: Today.AddDays(-200),
            reimbursement: ReimbursementStatus.Full, reimbursedOn: Today.AddDays(-90))]), Midnight);
        var term = Assert.Single(evaluation.Explanation.Evidence.Terms);
        Assert.Equal(0.5, term.Decay, 4);
        Assert.Equal(90, term.HalfLifeDays);
        Assert.Equal(Today.AddDays(-90), term.DecaysFrom);
    }

    [Fact]
    public void Partly_reimbursed_group_decays_as_unreimbursed()
    {
        var evaluation = Make.EvaluateRecruiter(Make.Recruiter([
            Make.FeeReport("R1", "W1", workerPaid: 500m, recruitedOn: Today.AddDays(-365), reimbursement: ReimbursementStatus.Full, reimbursedOn: Today.AddDays(-10)),
            Make.FeeReport("R2", "W2", workerPaid: 500m, recruitedOn: Today.AddDays(-365), reimbursement: ReimbursementStatus.Partial),
        ]), Midnight);
        Assert.Equal(365, Assert.Single(evaluation.Explanation.Evidence.Terms).HalfLifeDays);
    }

    [Fact]
    public void Score_falls_as_the_evaluation_instant_moves_on()
    {
        var evidence = Make.Supplier([Make.Finding(endDate: Today, indicators: [Make.Obs(IndicatorCode.DeceptionNatureOfWork)], workers: 100)]);
        var now = Make.EvaluateSupplier(evidence, Midnight).Score;
        var later = Make.EvaluateSupplier(evidence, Midnight.AddYears(2)).Score;
        Assert.True(later < now);
    }
}
