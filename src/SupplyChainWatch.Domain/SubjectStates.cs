namespace SupplyChainWatch.Domain;

/// <summary>A supplier's compact state: evidence, profile and the recruiters placing its workers (with their latest scores).</summary>
public sealed class SupplierState : SubjectState
{
    private readonly Dictionary<string, (double Share, double Score)> _recruiters = new(StringComparer.Ordinal);

    public SupplierState(RiskEngine engine, string subjectId)
        : base(engine, subjectId) => Refresh();

    public SupplierProfile? Profile { get; private set; }

    public void SetProfile(SupplierProfile? profile)
    {
        Profile = profile;
        Refresh();
    }

    /// <summary>Links (or re-links) a recruiter; a known recruiter keeps its last score, a new one starts at 0.</summary>
    public void SetRecruiterLink(string recruiterId, double workforceShare)
    {
        ArgumentNullException.ThrowIfNull(recruiterId);
        var score = _recruiters.TryGetValue(recruiterId, out var known) ? known.Score : 0;
        _recruiters[recruiterId] = (workforceShare, score);
        Refresh();
    }

    /// <summary>A linked recruiter's new score; false (and nothing changes) when the recruiter is not linked.</summary>
    public bool SetRecruiterScore(string recruiterId, double score)
    {
        ArgumentNullException.ThrowIfNull(recruiterId);
        if (!_recruiters.TryGetValue(recruiterId, out var link))
        {
            return false;
        }

        _recruiters[recruiterId] = (link.Share, score);
        Refresh();
        return true;
    }

    public override RiskEvaluation Explain(DateTimeOffset at) =>
        Engine.EvaluateSupplier(SubjectId, new SupplierEvidence(Profile, [.. RebuildFindings()], [.. RebuildGrievances()], [.. RebuildFeeReports()], Links()), at);

    private RecruiterLink[] Links() => [.. _recruiters.Select(r => new RecruiterLink(r.Key, r.Value.Share, r.Value.Score))];

    // Inherent and propagation do not depend on the instant: computed by the engine itself when they change.
    private void Refresh() => SetStaticPoints(Engine.SupplierInherent(Profile), Engine.Propagate(Links()));
}

/// <summary>A recruiter's compact state: evidence, profile, the sectors it places workers in, and fee groups per corridor and year.</summary>
public sealed class RecruiterState : SubjectState
{
    private readonly Dictionary<string, (double Share, Sector? Sector)> _suppliers = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Origin, string Destination, int Year), FeeGroup> _groupIndex = [];
    private readonly Dictionary<string, string> _workerRefs = new(StringComparer.Ordinal);
    private FeeGroup[] _groups = [];

    public RecruiterState(RiskEngine engine, string subjectId)
        : base(engine, subjectId) => Refresh();

    public RecruiterProfile? Profile { get; private set; }

    public void SetProfile(RecruiterProfile? profile)
    {
        Profile = profile;
        Refresh();
    }

    /// <summary>Links (or re-links) a supplier this recruiter places workers with, and that supplier's sector (null = unknown).</summary>
    public void SetSupplierLink(string supplierId, double workforceShare, Sector? supplierSector)
    {
        ArgumentNullException.ThrowIfNull(supplierId);
        _suppliers[supplierId] = (workforceShare, supplierSector);
        Refresh();
    }

    public override RiskEvaluation Explain(DateTimeOffset at) =>
        Engine.EvaluateRecruiter(SubjectId, new RecruiterEvidence(Profile, [.. RebuildFindings()], [.. RebuildGrievances()], [.. RebuildFeeReports()], PlacedWith()), at);

    private protected override FeeRow ToRow(FeeReport report)
    {
        var row = base.ToRow(report);
        row.Origin = report.OriginCountry.Trim().ToUpperInvariant();
        row.Destination = report.DestinationCountry.Trim().ToUpperInvariant();
        row.WorkerRef = _workerRefs.TryGetValue(report.WorkerRef, out var known) ? known : _workerRefs[report.WorkerRef] = report.WorkerRef;

        // The engine's conversions, in its order (worker-paid costs, then the wage); the first missing rate is kept to be
        // reported when the report is evaluated, as the engine reports it.
        var converter = Engine.Tables.Currency;
        var paid = 0m;
        foreach (var cost in report.Costs)
        {
            if (row.MissingCurrency is null && cost.PaidBy is PaidBy.Worker or PaidBy.Family && cost.Amount > 0)
            {
                if (converter.TryConvertToUsd(cost.Amount, cost.Currency, report.FxRatesToUsd, out var usd, out var missing))
                {
                    paid += usd;
                }
                else
                {
                    row.MissingCurrency = missing ?? cost.Currency;
                }
            }
        }

        if (row.MissingCurrency is null)
        {
            if (converter.TryConvertToUsd(report.MonthlyWage.Amount, report.MonthlyWage.Currency, report.FxRatesToUsd, out var wage, out var missing))
            {
                row.WageUsd = wage;
            }
            else
            {
                row.MissingCurrency = missing ?? report.MonthlyWage.Currency;
            }
        }

        row.PaidUsd = paid;
        return row;
    }

    /// <summary>
    /// The report as the engine needs it: US dollar amounts (x × 1 and 0 + x keep a decimal's value and scale, so the
    /// engine's sums and ratios come out identical), or the missing currency so that the engine reports it.
    /// </summary>
    private protected override FeeReport RebuildFeeReport(FeeRow row)
    {
        var report = base.RebuildFeeReport(row);
        if (row.MissingCurrency is { } missing)
        {
            return report with { Costs = [], MonthlyWage = new Money(1m, missing) };
        }

        return report with
        {
            Costs = row.PaidUsd > 0 ? [new FeeCost("worker-paid", row.PaidUsd, "USD", PaidBy.Worker)] : [],
            MonthlyWage = new Money(row.WageUsd, "USD"),
        };
    }

    private protected override void OnFeeRowAdded(int index, FeeRow row)
    {
        var key = (row.Origin, row.Destination, DateOnly.FromDayNumber(row.RecruitedDay).Year);
        if (!_groupIndex.TryGetValue(key, out var group))
        {
            group = new FeeGroup(key.Origin, key.Destination, key.Item3);
            _groupIndex[key] = group;

            // The engine lists groups by origin, destination and year.
            _groups = [.. _groups.Append(group).OrderBy(g => g.Origin, StringComparer.Ordinal).ThenBy(g => g.Destination, StringComparer.Ordinal).ThenBy(g => g.Year)];
        }

        group.Members.Add(index);
        group.ValidUntil = long.MinValue;
    }

    private protected override void OnFeeRowRemoved(int index, FeeRow row)
    {
        var group = _groupIndex[(row.Origin, row.Destination, DateOnly.FromDayNumber(row.RecruitedDay).Year)];
        group.Members.Remove(index);
        group.ValidUntil = long.MinValue;
    }

    private protected override void AddFeeGroupRaws(long atTicks, DateOnly today, List<double>? raws, ref double rawTotal)
    {
        foreach (var group in _groups)
        {
            if (atTicks < group.ValidFrom || atTicks >= group.ValidUntil)
            {
                Recompute(group, atTicks, today.DayNumber);
            }

            if (group.Workers > 0)
            {
                var raw = Term(group.FeeBase, group.Conf, group.Workers, group.HalfLife, atTicks, group.DecaysFromTicks);
                raws?.Add(raw);
                rawTotal += raw;
            }
        }
    }

    /// <summary>§4 and §4a at an instant, as the engine computes them: the latest report per worker, median cost ratio, base, confidence and decay.</summary>
    private void Recompute(FeeGroup group, long atTicks, int today)
    {
        var model = Engine.Model;
        var fees = model.Fees;
        var until = long.MaxValue;
        var latest = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var member in group.Members)
        {
            ref var row = ref FeeAt(member);
            if (row.RecruitedDay > today)
            {
                until = Math.Min(until, row.RecruitedDay * TimeSpan.TicksPerDay);
                continue;
            }

            if (!latest.TryGetValue(row.WorkerRef, out var best)
                || row.RecruitedDay > FeeAt(best).RecruitedDay
                || (row.RecruitedDay == FeeAt(best).RecruitedDay && string.CompareOrdinal(row.ReportId, FeeAt(best).ReportId) > 0))
            {
                latest[row.WorkerRef] = member;
            }
        }

        group.ValidFrom = atTicks;
        group.ValidUntil = until;
        group.Workers = latest.Count;
        if (latest.Count == 0)
        {
            return;
        }

        var ordered = latest.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Value).ToArray();
        var ratios = new double[ordered.Length];
        int withLoan = 0, groupInstant = int.MinValue, decaysFrom = int.MinValue;
        var confidence = 0.0;
        var allReimbursed = true;
        for (var i = 0; i < ordered.Length; i++)
        {
            ref var row = ref FeeAt(ordered[i]);
            if (row.MissingCurrency is { } missing)
            {
                group.ValidUntil = long.MinValue;
                throw new MissingExchangeRateException(missing);
            }

            ratios[i] = row.WageUsd > 0 ? (double)(row.PaidUsd / row.WageUsd) : row.PaidUsd > 0 ? fees.RatioThresholds.ThreeMonths : 0;
            withLoan += row.DebtLinked ? 1 : 0;
            confidence += model.Evidence.Confidence.Of((EvidenceStatus)row.Evidence);
            groupInstant = Math.Max(groupInstant, row.RecruitedDay);
            decaysFrom = Math.Max(decaysFrom, row.ReimbursedOn == int.MinValue ? row.RecruitedDay : row.ReimbursedOn);
            allReimbursed &= row.FullyReimbursed;
        }

        Array.Sort(ratios);
        var middle = ratios.Length / 2;
        var median = ratios.Length % 2 == 1 ? ratios[middle] : (ratios[middle - 1] + ratios[middle]) / 2;
        var loanSurcharge = withLoan > 0 && withLoan >= fees.LoanWorkerShare * ordered.Length;
        group.FeeBase = fees.BaseOf(median) + (loanSurcharge ? fees.LoanSurcharge : 0);
        group.Conf = confidence / ordered.Length;
        group.HalfLife = allReimbursed ? model.Decay.HalfLifeDays.FeeReportReimbursed : model.Decay.HalfLifeDays.FeeReport;
        group.DecaysFromTicks = (allReimbursed ? decaysFrom : groupInstant) * TimeSpan.TicksPerDay;
    }

    private Sector?[] PlacedWith() => [.. _suppliers.Values.Select(s => s.Sector)];

    private void Refresh() => SetStaticPoints(Engine.RecruiterInherent(Profile, PlacedWith()),
        new PropagationExplanation(Engine.Model.Propagation.Factor, Engine.Model.Propagation.Max, false, 0m, []));

    /// <summary>One corridor and calendar year: its reports and the group's figures, valid over [ValidFrom, ValidUntil).</summary>
    private sealed class FeeGroup(string origin, string destination, int year)
    {
        public string Origin { get; } = origin;

        public string Destination { get; } = destination;

        public int Year { get; } = year;

        public List<int> Members { get; } = [];

        public long ValidFrom { get; set; } = long.MaxValue;

        public long ValidUntil { get; set; } = long.MinValue;

        public int Workers { get; set; }

        public double FeeBase { get; set; }

        public double Conf { get; set; }

        public double HalfLife { get; set; }

        public long DecaysFromTicks { get; set; }
    }
}
