using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

/// <summary>
/// Issue 14, finding 1: every numeric and date field of fee reports, findings, grievances and links at its bound and
/// beyond. No exception may escape the engine; a signal it cannot use is quarantined, exactly when the validator's
/// arithmetic (<see cref="FeeArithmetic"/>) says it cannot be computed.
/// </summary>
public sealed class ExtremeInputPropertyTests
{
    private static readonly decimal[] Amounts =
        [0m, 0.0000000000000000000000000001m, 1m, DomainLimits.MaxAmount, DomainLimits.MaxAmount + 1, decimal.MaxValue, -1m, decimal.MinValue];

    private static readonly decimal[] Rates =
        [0.0000000000000000000000000001m, DomainLimits.MinFxRate, 1m, DomainLimits.MaxFxRate, DomainLimits.MaxFxRate + 1, decimal.MaxValue, 0m, -1m];

    private static readonly int[] Workers = [int.MinValue, -1, 0, 1, DomainLimits.MaxWorkersAffected, DomainLimits.MaxWorkersAffected + 1, int.MaxValue];

    private static readonly DateOnly[] Dates =
        [DateOnly.MinValue, new(1989, 12, 31), DomainLimits.MinDate, Make.Today, DomainLimits.MaxDate, DomainLimits.MaxDate.AddDays(1), DateOnly.MaxValue];

    private static readonly DateTimeOffset[] Instants = [DateTimeOffset.MinValue, new(1990, 1, 1, 0, 0, 0, TimeSpan.Zero), Make.At, DateTimeOffset.MaxValue];

    private static readonly double[] Doubles = [double.NaN, double.NegativeInfinity, -1, 0, 0.5, 1, 2, 101, double.PositiveInfinity, double.MaxValue];

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static FeeReport ExtremeReport(Random random, int i)
    {
        var costs = Enumerable.Range(0, random.Next(0, 4) == 0 ? DomainLimits.MaxCosts + random.Next(0, 2) : random.Next(0, 4))
            .Select(_ => new FeeCost("fee", Pick(random, Amounts), Pick(random, ["USD", "EUR", "XXX", "NPR"]), Pick(random, Enum.GetValues<PaidBy>())))
            .ToArray();
        var rates = new Dictionary<string, decimal> { ["EUR"] = Pick(random, Rates), ["NPR"] = Pick(random, Rates) };
        var loan = random.Next(2) == 0;
        return new FeeReport("R" + i, "W" + random.Next(3), "NP", "MY", Pick(random, Dates), costs,
            new Money(Pick(random, Amounts), Pick(random, ["USD", "EUR", "NPR"])), random.Next(3) == 0 ? null : rates,
            new FeeFinancing(loan, loan, random.Next(2) == 0),
            new FeeReimbursement(Pick(random, Enum.GetValues<ReimbursementStatus>()), random.Next(2) == 0 ? null : Pick(random, Amounts), random.Next(2) == 0 ? null : Pick(random, Dates)),
            Pick(random, Enum.GetValues<EvidenceStatus>()));
    }

    private static AuditFinding ExtremeFinding(Random random, int i, FindingStatus status) =>
        new("A" + random.Next(3), "F" + i, AuditStandard.Smeta, AuditType.Initial, Pick(random, Dates), Pick(random, Dates), Pick(random, Enum.GetValues<FindingCategory>()),
            Pick(random, Enum.GetValues<Severity>()), [Make.Obs(Pick(random, Enum.GetValues<IndicatorCode>()))], Pick(random, Workers), Pick(random, Enum.GetValues<EvidenceStatus>()),
            status, random.Next(2) == 0 ? Pick(random, Dates) : null, random.Next(2) == 0 ? Pick(random, Dates) : null, null);

    private static (SupplierEvidence Supplier, RecruiterEvidence Recruiter, List<FeeReport> Reports) ExtremeEvidence(Random random)
    {
        var findings = new List<AuditFinding>();
        var grievances = new List<Grievance>();
        var reports = new List<FeeReport>();
        for (var i = 0; i < random.Next(1, 12); i++)
        {
            switch (random.Next(3))
            {
                case 0:
                    var status = Pick(random, Enum.GetValues<FindingStatus>());
                    findings.Add(ExtremeFinding(random, i, status));
                    break;
                case 1:
                    grievances.Add(Make.Grievance("G" + i, Pick(random, Instants), [Make.Obs(Pick(random, Enum.GetValues<IndicatorCode>()))], Pick(random, Workers),
                        Pick(random, Enum.GetValues<EvidenceStatus>()), random.Next(2) == 0, random.Next(2) == 0, Pick(random, Enum.GetValues<GrievanceStatus>()),
                        random.Next(2) == 0 ? Pick(random, Dates) : null, random.Next(2) == 0 ? Pick(random, Enum.GetValues<GrievanceOutcome>()) : null, random.Next(2) == 0,
                        acknowledgedOn: random.Next(2) == 0 ? Pick(random, Dates) : null));
                    break;
                default:
                    reports.Add(ExtremeReport(random, i));
                    break;
            }
        }

        var profile = new SupplierProfile("S", "MY", Sector.Apparel, Pick(random, Workers), Pick(random, Doubles), Pick(random, Doubles), ["garments"]);
        var links = Enumerable.Range(0, random.Next(0, 3)).Select(i => new RecruiterLink("rec:" + i, Pick(random, Doubles), Pick(random, Doubles))).ToArray();
        return (new SupplierEvidence(profile, findings, grievances, reports, links),
            new RecruiterEvidence(null, findings, grievances, reports, [Sector.Apparel]), reports);
    }

    [Fact]
    public void No_exception_escapes_the_engine_and_only_uncomputable_signals_are_quarantined()
    {
        var random = new Random(1914);
        var quarantinedSome = 0;
        for (var run = 0; run < 3000; run++)
        {
            var (supplier, recruiter, reports) = ExtremeEvidence(random);
            foreach (var at in new[] { Make.At, new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2100, 12, 31, 0, 0, 0, TimeSpan.Zero) })
            {
                var s = Make.EvaluateSupplier(supplier, at);
                var r = Make.EvaluateRecruiter(recruiter, at);
                Assert.InRange(s.Score, 0, 100);
                Assert.InRange(r.Score, 0, 100);

                var quarantined = r.Quarantined.Select(q => q.SignalId).ToHashSet(StringComparer.Ordinal);
                foreach (var report in reports)
                {
                    var computable = FeeArithmetic.TryCompute(report, ShippedConfig.Tables.Currency, out _) is not null;
                    Assert.Equal(!computable, quarantined.Contains(report.ReportId));
                }

                foreach (var finding in supplier.Findings)
                {
                    Assert.Equal(DomainLimits.Check(finding) is not null, quarantined.Contains(finding.SignalId));
                }

                // The validators refuse exactly what DomainLimits.CheckFields names (EdgeLimitPropertyTests), and the engine
                // quarantines exactly that: a grievance or finding the API accepted can never be left out later.
                foreach (var grievance in recruiter.Grievances)
                {
                    Assert.Equal(DomainLimits.CheckFields(grievance) is not null, quarantined.Contains(grievance.GrievanceId));
                }

                quarantinedSome += r.Quarantined.Count > 0 ? 1 : 0;
                Assert.All(r.Quarantined, q => Assert.False(string.IsNullOrWhiteSpace(q.Reason)));
            }
        }

        Assert.True(quarantinedSome > 0, "the generator never produced an unusable signal");
    }

    [Fact]
    public void The_overflow_of_the_finding_is_quarantined_and_the_rest_still_scores()
    {
        // The reported case: individually "valid" huge amount and rate; their product overflows decimal.
        var huge = Make.FeeReport("R-huge", "W1", workerPaid: 79_000_000_000_000_000_000_000_000_000m, currency: "EUR", rates: new Dictionary<string, decimal> { ["EUR"] = 1_000_000_000m });
        var normal = Make.FeeReport("R-ok", "W2", workerPaid: 3000m, wage: 1000m);
        var evaluation = Make.EvaluateRecruiter(Make.Recruiter(feeReports: [huge, normal]));

        var quarantined = Assert.Single(evaluation.Quarantined);
        Assert.Equal("R-huge", quarantined.SignalId);
        Assert.Equal(["R-ok"], evaluation.Explanation.FeeGroups.SelectMany(g => g.ReportIds));
    }

    [Fact]
    public void Reports_at_the_limits_are_computable()
    {
        var rates = new Dictionary<string, decimal> { ["EUR"] = DomainLimits.MaxFxRate };
        var costs = Enumerable.Range(0, DomainLimits.MaxCosts).Select(_ => new FeeCost("fee", DomainLimits.MaxAmount, "EUR", PaidBy.Worker)).ToArray();
        var report = Make.FeeReport() with { Costs = costs, FxRatesToUsd = rates, MonthlyWage = new Money(1m, "USD"), RecruitedOn = DomainLimits.MinDate };

        var figures = FeeArithmetic.TryCompute(report, ShippedConfig.Tables.Currency, out var failure);

        Assert.Null(failure);
        Assert.Equal(DomainLimits.MaxCosts * DomainLimits.MaxAmount * DomainLimits.MaxFxRate, figures?.WorkerPaidUsd);
    }
}
