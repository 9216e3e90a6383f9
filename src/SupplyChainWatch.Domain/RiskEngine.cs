using System.Globalization;

namespace SupplyChainWatch.Domain;

/// <summary>
/// The risk model of risk-model.md as a pure function of evidence and an instant. Immutable after
/// construction, so one instance serves all threads.
/// </summary>
public sealed class RiskEngine
{
    private const string FeeGroupCode = "recruitment-fees";

    public RiskEngine(RiskModel model, ReferenceTables tables)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        Tables = tables ?? throw new ArgumentNullException(nameof(tables));
    }

    public RiskModel Model { get; }

    public ReferenceTables Tables { get; }

    /// <summary>Engine from the text of <c>config/risk-model.json</c> and parsed tables.</summary>
    public static RiskEngine FromConfig(string riskModelJson, ReferenceTables tables) => new(RiskModelLoader.Load(riskModelJson), tables);

    public RiskEvaluation EvaluateSupplier(string subjectId, SupplierEvidence evidence, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(subjectId);
        ArgumentNullException.ThrowIfNull(evidence);
        var context = new Evaluation(this, at);
        var inherent = SupplierInherent(evidence.Profile);
        context.AddFindings(evidence.Findings);
        context.AddGrievances(evidence.Grievances);
        // Fee reports naming a supplier form FL-1 cases here; their points reach it through propagation only.
        context.AddFeeReportCases(evidence.FeeReports);
        var propagation = Propagate(evidence.Recruiters);
        return context.Finish(subjectId, SubjectKind.Supplier, inherent, [], propagation, evidence.Findings);
    }

    public RiskEvaluation EvaluateRecruiter(string subjectId, RecruiterEvidence evidence, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(subjectId);
        ArgumentNullException.ThrowIfNull(evidence);
        var context = new Evaluation(this, at);
        var inherent = RecruiterInherent(evidence.Profile, evidence.PlacedWithSectors);
        context.AddFindings(evidence.Findings);
        context.AddGrievances(evidence.Grievances);
        context.AddFeeReportCases(evidence.FeeReports);
        var feeGroups = context.AddFeeGroups(evidence.FeeReports);
        var propagation = new PropagationExplanation(Model.Propagation.Factor, Model.Propagation.Max, false, 0m, []);
        return context.Finish(subjectId, SubjectKind.Recruiter, inherent, feeGroups, propagation, evidence.Findings);
    }

    internal InherentExplanation SupplierInherent(SupplierProfile? profile)
    {
        var options = Model.Inherent;
        var (c, cSource) = CountryRisk(profile?.Country);

        int s;
        string sSource;
        if (Tables.SectorRiskOf(profile?.Sector) is { } sectorRisk)
        {
            s = sectorRisk;
            sSource = $"sector-risk.json: {KebabCase.Of(profile!.Sector!.Value)} → {s}";
        }
        else
        {
            s = options.UnknownSectorRisk;
            sSource = $"unknown sector → {s}";
        }

        if (profile is not null && (profile.MigrantWorkerShare >= options.MigrantOrAgencyShareThreshold || profile.AgencyWorkerShare >= options.MigrantOrAgencyShareThreshold))
        {
            s += options.MigrantOrAgencyBump;
            sSource += string.Create(CultureInfo.InvariantCulture, $"; +{options.MigrantOrAgencyBump}: migrant share {profile.MigrantWorkerShare:0.##}, agency share {profile.AgencyWorkerShare:0.##} (threshold {options.MigrantOrAgencyShareThreshold:0.##})");
        }

        var g = 0;
        var gSources = new List<string>();
        if (Tables.FindListedGood(profile?.Country, profile?.Products) is { } good)
        {
            g += options.DolGoodsPoints;
            gSources.Add($"+{options.DolGoodsPoints}: US DOL list ({good.Edition}): {good.Good} from {good.Iso2}");
        }

        if (Tables.FindUflpaSector(profile?.Products) is { } uflpa)
        {
            g += options.UflpaSectorPoints;
            gSources.Add($"+{options.UflpaSectorPoints}: UFLPA high-priority sector: {uflpa.Name}");
        }

        return InherentTerm(c, cSource, s, sSource, g, gSources);
    }

    internal InherentExplanation RecruiterInherent(RecruiterProfile? profile, IReadOnlyList<Sector?>? placedWith)
    {
        var options = Model.Inherent;
        int c;
        string cSource;
        var corridors = profile?.Corridors ?? [];
        if (corridors.Count > 0)
        {
            c = 0;
            cSource = "";
            foreach (var country in corridors.SelectMany(k => new[] { k.Origin, k.Destination }))
            {
                var (risk, source) = CountryRisk(country);
                if (risk > c)
                {
                    c = risk;
                    cSource = "highest of corridor countries: " + source;
                }
            }
        }
        else
        {
            (c, cSource) = CountryRisk(profile?.Country);
            cSource = "recruiter's own country (no corridors): " + cSource;
        }

        int s;
        string sSource;
        if (placedWith is null || placedWith.Count == 0)
        {
            s = options.RecruiterDefaultSectorRisk;
            sSource = $"no placements known → {s}";
        }
        else
        {
            s = 0;
            sSource = "";
            foreach (var sector in placedWith)
            {
                var risk = Tables.SectorRiskOf(sector) ?? options.UnknownSectorRisk;
                if (risk > s)
                {
                    s = risk;
                    sSource = sector is { } known
                        ? $"highest sector placed with: {KebabCase.Of(known)} → {risk}"
                        : $"highest sector placed with: unknown sector → {risk}";
                }
            }
        }

        return InherentTerm(c, cSource, s, sSource, 0, []);
    }

    private InherentExplanation InherentTerm(int c, string cSource, int s, string sSource, int g, IReadOnlyList<string> gSources)
    {
        var options = Model.Inherent;
        var inherent = options.PointsPerUnit * Math.Min(options.Cap, c + s + g);
        return new InherentExplanation(c, cSource, s, sSource, g, gSources, inherent, options.Weight, 0m);
    }

    private (int Risk, string Source) CountryRisk(string? iso2)
    {
        if (Tables.CountryRiskOf(iso2) is { } risk)
        {
            return (risk, $"country-risk.csv: {iso2!.Trim().ToUpperInvariant()} → {risk}");
        }

        var unknown = Model.Inherent.UnknownCountryRisk;
        return (unknown, string.IsNullOrWhiteSpace(iso2) ? $"no country → {unknown}" : $"{iso2.Trim().ToUpperInvariant()} not in country-risk.csv → {unknown}");
    }

    internal PropagationExplanation Propagate(IReadOnlyList<RecruiterLink>? recruiters)
    {
        var options = Model.Propagation;
        if (recruiters is null || recruiters.Count == 0)
        {
            return new PropagationExplanation(options.Factor, options.Max, false, 0m, []);
        }

        var raw = new double[recruiters.Count];
        var total = 0.0;
        for (var i = 0; i < recruiters.Count; i++)
        {
            var link = recruiters[i];
            // NaN would survive Clamp and make the decimal conversion below throw: it counts as no share.
            raw[i] = options.Factor * (DomainLimits.IsShare(link.WorkforceShare) ? link.WorkforceShare : 0) * Math.Clamp(double.IsNaN(link.RecruiterScore) ? 0 : link.RecruiterScore, 0, 100);
            total += raw[i];
        }

        // The cap applies to the sum; each recruiter keeps its proportional part so the terms still add up.
        var capped = total > options.Max;
        var terms = new PropagationTerm[recruiters.Count];
        for (var i = 0; i < recruiters.Count; i++)
        {
            var points = capped ? raw[i] * options.Max / total : raw[i];
            terms[i] = new PropagationTerm(recruiters[i].RecruiterId, recruiters[i].WorkforceShare, recruiters[i].RecruiterScore, (decimal)points);
        }

        return new PropagationExplanation(options.Factor, options.Max, capped, 0m, terms);
    }

    /// <summary>Working state of one evaluation.</summary>
    private sealed class Evaluation
    {
        private readonly RiskEngine _engine;
        private readonly RiskModel _model;
        private readonly DateTimeOffset _at;
        private readonly DateOnly _today;
        private readonly DateOnly _periodStart;
        private readonly List<EvidenceTerm> _terms = [];
        private readonly Dictionary<string, List<CaseObservation>> _observationsByCase = new(StringComparer.Ordinal);
        private readonly List<TriggerRecord> _triggers = [];
        private readonly List<string> _notes = [];
        private readonly List<string> _caseOrder = [];
        private readonly Dictionary<string, QuarantinedSignal> _quarantined = new(StringComparer.Ordinal);
        private readonly Dictionary<FeeReport, FeeFigures> _feeFigures = new(ReferenceEqualityComparer.Instance);

        public Evaluation(RiskEngine engine, DateTimeOffset at)
        {
            _engine = engine;
            _model = engine.Model;
            _at = at;
            _today = DateOnly.FromDateTime(at.UtcDateTime);
            _periodStart = _today.AddMonths(-_model.ReferencePeriodMonths);
        }

        /// <summary>Inside the reference period: on or after the same day <c>referencePeriodMonths</c> before the evaluation date, and not after it.</summary>
        private bool InPeriod(DateOnly date) => date >= _periodStart && date <= _today;

        /// <summary>Adds an observation to its case; cases keep the order in which they were first seen.</summary>
        private void AddObservation(CaseObservation observation)
        {
            if (!_observationsByCase.TryGetValue(observation.CaseId, out var list))
            {
                list = [];
                _observationsByCase[observation.CaseId] = list;
                _caseOrder.Add(observation.CaseId);
            }

            list.Add(observation);
        }

        public void AddFindings(IReadOnlyList<AuditFinding>? findings)
        {
            if (findings is null)
            {
                return;
            }

            var evidence = _model.Evidence;
            findings = Usable(findings, f => f.SignalId, DomainLimits.Check);
            foreach (var finding in findings)
            {
                if (finding.EndDate > _today)
                {
                    continue; // not yet observed "as of" this instant
                }

                var verifiedRemediated = finding.Status == FindingStatus.VerifiedRemediated;
                // Once verified as remediated, decay and the reference period count from the verification date.
                var instant = verifiedRemediated && finding.StatusOn is { } verifiedOn && verifiedOn <= _today ? verifiedOn : finding.EndDate;
                var halfLife = verifiedRemediated ? _model.Decay.HalfLifeDays.VerifiedRemediated : _model.Decay.HalfLifeDays.Open;
                var decayRule = verifiedRemediated ? "verified-remediated" : finding.Status == FindingStatus.Remediated ? "remediated-unverified (decays as open)" : "open";
                var repeat = IsRepeat(finding, findings);
                var multiplier = repeat ? evidence.Repeat.Multiplier : 1.0;
                var caseId = finding.CaseRef is { Length: > 0 } caseRef ? "ref:" + caseRef : "audit:" + finding.AuditId;
                var signalId = finding.SignalId;

                if (finding.Indicators.Count > 0)
                {
                    foreach (var observation in finding.Indicators)
                    {
                        var strength = observation.EffectiveStrength;
                        AddTerm(signalId, "finding", WireNames.Of(observation.Code), strength, observation.StrengthOverridden, repeat,
                            evidence.Base.Of(strength) * multiplier, finding.EvidenceStatus, finding.WorkersAffected, decayRule, halfLife, instant);
                        AddObservation(new CaseObservation(caseId, signalId, observation.Code, strength, observation.StrengthOverridden, finding.EvidenceStatus, instant, verifiedRemediated));
                    }
                }
                else
                {
                    AddTerm(signalId, "finding", WireNames.Of(finding.Category, finding.Severity), null, false, repeat,
                        evidence.Base.Severity.Of(finding.Severity) * multiplier, finding.EvidenceStatus, finding.WorkersAffected, decayRule, halfLife, instant);
                }

                if (!verifiedRemediated && InPeriod(instant))
                {
                    AddFindingTriggers(_triggers, finding.Category, finding.Severity, signalId, caseId, finding.EvidenceStatus, instant);
                }
            }
        }

        /// <summary>A repeat finding: another audit found the same category within the repeat window before this one.</summary>
        private bool IsRepeat(AuditFinding finding, IReadOnlyList<AuditFinding> all)
        {
            var windowStart = finding.EndDate.AddMonths(-_model.Evidence.Repeat.WindowMonths);
            foreach (var other in all)
            {
                if (other.Category == finding.Category
                    && !string.Equals(other.AuditId, finding.AuditId, StringComparison.Ordinal)
                    && other.EndDate < finding.EndDate
                    && other.EndDate >= windowStart)
                {
                    return true;
                }
            }

            return false;
        }

        public void AddGrievances(IReadOnlyList<Grievance>? grievances)
        {
            if (grievances is null)
            {
                return;
            }

            var options = _model.Evidence;
            var halfLives = _model.Decay.HalfLifeDays;
            foreach (var grievance in Usable(grievances, g => g.GrievanceId, DomainLimits.Check))
            {
                if (grievance.ReceivedAt > _at)
                {
                    continue;
                }

                var received = DateOnly.FromDateTime(grievance.ReceivedAt.UtcDateTime);
                var closed = grievance.Status is GrievanceStatus.Resolved or GrievanceStatus.Closed;
                if (closed && grievance.Outcome is GrievanceOutcome.Unfounded or GrievanceOutcome.Withdrawn)
                {
                    // Kept in the history, but neither points, nor a case, nor a trigger.
                    _notes.Add($"grievance {grievance.GrievanceId} closed as {KebabCase.Of(grievance.Outcome.Value)}: contributes no points");
                    continue;
                }

                double halfLife;
                string decayRule;
                DateTimeOffset decaysFrom;
                if (closed && grievance.ClosedOn is { } closedOn && closedOn <= _today)
                {
                    halfLife = grievance.Verified ? halfLives.VerifiedRemediated : halfLives.GrievanceClosedUnverified;
                    decayRule = grievance.Verified ? "grievance closed, verified" : "grievance closed, unverified";
                    decaysFrom = new DateTimeOffset(closedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                }
                else
                {
                    halfLife = halfLives.Open;
                    decayRule = "open";
                    decaysFrom = grievance.ReceivedAt;
                }

                var caseId = grievance.CaseRef is { Length: > 0 } caseRef ? "ref:" + caseRef : "grievance:" + grievance.GrievanceId;
                if (grievance.Allegations.Count > 0)
                {
                    foreach (var allegation in grievance.Allegations)
                    {
                        var strength = allegation.EffectiveStrength;
                        AddTerm(grievance.GrievanceId, "grievance", WireNames.Of(allegation.Code), strength, allegation.StrengthOverridden, false,
                            options.Base.Of(strength), grievance.EvidenceStatus, grievance.WorkersAffected, decayRule, halfLife, decaysFrom);
                        AddObservation(new CaseObservation(caseId, grievance.GrievanceId, allegation.Code, strength, allegation.StrengthOverridden, grievance.EvidenceStatus, received, false));
                    }
                }
                else
                {
                    AddTerm(grievance.GrievanceId, "grievance", "grievance-without-allegation", null, false, false,
                        options.Base.GrievanceWithoutAllegation, grievance.EvidenceStatus, grievance.WorkersAffected, decayRule, halfLife, decaysFrom);
                }

                if (InPeriod(received))
                {
                    AddGrievanceTriggers(_triggers, grievance.ChildInvolved || grievance.Categories.Contains(FindingCategory.ChildLabour), grievance.ImminentDanger,
                        grievance.GrievanceId, caseId, grievance.EvidenceStatus, received);
                }
            }
        }

        /// <summary>FL-1 observations of fee reports: a loan repaid through wages is debt-linked recruitment; not being free to leave until repaid adds debt manipulation.</summary>
        public void AddFeeReportCases(IReadOnlyList<FeeReport>? reports)
        {
            if (reports is null)
            {
                return;
            }

            // A case needs no exchange rate: a report whose amounts cannot be converted still shows its debt here.
            foreach (var report in Usable(reports, r => r.ReportId, r => FeeArithmetic.CheckLimits(r) is { } f ? f.Field + ": " + f.Reason : null))
            {
                if (report.RecruitedOn > _today || !report.Financing.IsDebtLinked)
                {
                    continue;
                }

                var caseId = "fee-report:" + report.ReportId;
                AddObservation(new CaseObservation(caseId, report.ReportId, IndicatorCode.DebtLinkedRecruitment,
                    IndicatorCatalog.DefaultStrengthOf(IndicatorCode.DebtLinkedRecruitment), false, report.EvidenceStatus, report.RecruitedOn, false));
                if (report.Financing.MayNotLeaveUntilRepaid)
                {
                    AddObservation(new CaseObservation(caseId, report.ReportId, IndicatorCode.DebtManipulation,
                        IndicatorCatalog.DefaultStrengthOf(IndicatorCode.DebtManipulation), false, report.EvidenceStatus, report.RecruitedOn, false));
                }
            }
        }

        /// <summary>Recruitment-fee groups (§4, §4a): per corridor and calendar year, latest report per worker, median cost ratio.</summary>
        public IReadOnlyList<FeeGroupExplanation> AddFeeGroups(IReadOnlyList<FeeReport>? reports)
        {
            if (reports is null || reports.Count == 0)
            {
                return [];
            }

            var fees = _model.Fees;
            var groups = UsableFeeReports(reports)
                .Where(r => r.RecruitedOn <= _today)
                .GroupBy(r => (Origin: r.OriginCountry.Trim().ToUpperInvariant(), Destination: r.DestinationCountry.Trim().ToUpperInvariant(), r.RecruitedOn.Year))
                .OrderBy(g => g.Key.Origin, StringComparer.Ordinal).ThenBy(g => g.Key.Destination, StringComparer.Ordinal).ThenBy(g => g.Key.Year);

            var result = new List<FeeGroupExplanation>();
            foreach (var group in groups)
            {
                // One report per worker: the latest (ties broken by report id, so the choice is deterministic).
                var latest = group
                    .GroupBy(r => r.WorkerRef, StringComparer.Ordinal)
                    .Select(w => w.OrderByDescending(r => r.RecruitedOn).ThenByDescending(r => r.ReportId, StringComparer.Ordinal).First())
                    .OrderBy(r => r.WorkerRef, StringComparer.Ordinal)
                    .ToList();

                var ratios = new double[latest.Count];
                var payingFees = 0;
                var withLoan = 0;
                var workerPaidTotal = 0m;
                var confidence = 0.0;
                for (var i = 0; i < latest.Count; i++)
                {
                    var report = latest[i];
                    var figures = _feeFigures[report];
                    var paid = figures.WorkerPaidUsd;
                    if (figures.CostRatio is { } ratio)
                    {
                        ratios[i] = ratio;
                    }
                    else
                    {
                        // No wage to divide by: any worker-paid fee is treated as the worst band.
                        ratios[i] = paid > 0 ? fees.RatioThresholds.ThreeMonths : 0;
                        _notes.Add($"fee report {report.ReportId}: monthly wage is zero; cost ratio set to the top band");
                    }

                    if (paid > 0)
                    {
                        payingFees++;
                    }

                    if (report.Financing.IsDebtLinked)
                    {
                        withLoan++;
                    }

                    workerPaidTotal += paid;
                    confidence += _model.Evidence.Confidence.Of(report.EvidenceStatus);
                }

                var median = Median(ratios);
                var loanSurcharge = withLoan > 0 && withLoan >= fees.LoanWorkerShare * latest.Count;
                var feeBase = fees.BaseOf(median) + (loanSurcharge ? fees.LoanSurcharge : 0);
                var conf = confidence / latest.Count;
                var groupInstant = latest.Max(r => r.RecruitedOn);

                double halfLife;
                DateOnly decaysFrom;
                string decayRule;
                if (latest.All(r => r.Reimbursement.Status == ReimbursementStatus.Full))
                {
                    halfLife = _model.Decay.HalfLifeDays.FeeReportReimbursed;
                    decaysFrom = latest.Max(r => r.Reimbursement.On ?? r.RecruitedOn);
                    decayRule = "fee group fully reimbursed";
                }
                else
                {
                    halfLife = _model.Decay.HalfLifeDays.FeeReport;
                    decaysFrom = groupInstant;
                    decayRule = "fee group";
                }

                var signalId = string.Create(CultureInfo.InvariantCulture, $"fees:{group.Key.Origin}-{group.Key.Destination}:{group.Key.Year}");
                AddTerm(signalId, "fee-group", FeeGroupCode, null, false, false, feeBase, conf, latest.Count, decayRule, halfLife,
                    new DateTimeOffset(decaysFrom.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), EvidenceOf(latest));

                result.Add(new FeeGroupExplanation(signalId, group.Key.Origin, group.Key.Destination, group.Key.Year, latest.Count,
                    latest.Select(r => r.ReportId).ToArray(), Round2(median), feeBase, loanSurcharge, withLoan, payingFees > 0, payingFees,
                    decimal.Round(workerPaidTotal, 2, MidpointRounding.AwayFromZero)));
                if (payingFees > 0)
                {
                    _notes.Add(string.Create(CultureInfo.InvariantCulture, $"Employer Pays Principle breached: {payingFees} of {latest.Count} workers in {signalId} paid recruitment fees or costs"));
                }
            }

            return result;
        }

        /// <summary>
        /// The signals the engine can use. One outside <see cref="DomainLimits"/> (stored before the limits held, or
        /// built by hand) is quarantined: excluded from the score and listed with its reason, never an exception.
        /// </summary>
        private List<T> Usable<T>(IReadOnlyList<T> signals, Func<T, string> idOf, Func<T, string?> check)
        {
            var usable = new List<T>(signals.Count);
            foreach (var signal in signals)
            {
                if (check(signal) is { } reason)
                {
                    _quarantined.TryAdd(idOf(signal), new QuarantinedSignal(idOf(signal), reason));
                }
                else
                {
                    usable.Add(signal);
                }
            }

            return usable;
        }

        /// <summary>Fee reports whose arithmetic can be done (computed once per report and kept for the fee groups).</summary>
        private List<FeeReport> UsableFeeReports(IReadOnlyList<FeeReport> reports)
        {
            var converter = _engine.Tables.Currency;
            return Usable(reports, r => r.ReportId, report =>
            {
                if (_feeFigures.ContainsKey(report))
                {
                    return null;
                }

                if (FeeArithmetic.TryCompute(report, converter, out var failure) is { } figures)
                {
                    _feeFigures[report] = figures;
                    return null;
                }

                return failure is { } f ? f.Field + ": " + f.Reason : "fee arithmetic failed";
            });
        }

        /// <summary>The group's evidence status shown in the explanation: the weakest among its reports.</summary>
        private static EvidenceStatus EvidenceOf(List<FeeReport> reports) => reports.Max(r => r.EvidenceStatus);

        private static double Median(double[] values)
        {
            Array.Sort(values);
            var middle = values.Length / 2;
            return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
        }

        private void AddTerm(string signalId, string kind, string code, IndicatorStrength? strength, bool overridden, bool repeat, double baseValue,
            EvidenceStatus status, int workers, string decayRule, double halfLife, DateOnly decaysFrom) =>
            AddTerm(signalId, kind, code, strength, overridden, repeat, baseValue, status, workers, decayRule, halfLife, new DateTimeOffset(decaysFrom.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

        private void AddTerm(string signalId, string kind, string code, IndicatorStrength? strength, bool overridden, bool repeat, double baseValue,
            EvidenceStatus status, int workers, string decayRule, double halfLife, DateTimeOffset decaysFrom) =>
            AddTerm(signalId, kind, code, strength, overridden, repeat, baseValue, _model.Evidence.Confidence.Of(status), workers, decayRule, halfLife, decaysFrom, status);

        private void AddTerm(string signalId, string kind, string code, IndicatorStrength? strength, bool overridden, bool repeat, double baseValue,
            double conf, int workers, string decayRule, double halfLife, DateTimeOffset decaysFrom, EvidenceStatus status)
        {
            var scale = 1 + (Math.Log10(Math.Max(1, workers)) / _model.Evidence.Scale.Log10Divisor);
            var ageDays = Math.Max(0, (_at - decaysFrom).TotalDays);
            var decay = Math.Pow(0.5, ageDays / halfLife);
            var raw = baseValue * conf * scale * decay;
            _terms.Add(new EvidenceTerm(signalId, kind, code, strength, overridden, repeat, baseValue, status, conf, Math.Max(0, workers), scale,
                decayRule, halfLife, DateOnly.FromDateTime(decaysFrom.UtcDateTime), ageDays, decay, raw, 0m));
        }

        public RiskEvaluation Finish(string subjectId, SubjectKind kind, InherentExplanation inherent, IReadOnlyList<FeeGroupExplanation> feeGroups,
            PropagationExplanation propagation, IReadOnlyList<AuditFinding>? findings)
        {
            var evidenceOptions = _model.Evidence;

            // Evidence saturates; each term gets its share of the saturated total so the listed points add up.
            var rawTotal = 0.0;
            foreach (var term in _terms)
            {
                rawTotal += term.RawPoints;
            }

            var evidencePoints = evidenceOptions.Max * (1 - Math.Exp(-rawTotal / evidenceOptions.Saturation));
            var evidenceShares = new double[_terms.Count];
            for (var i = 0; i < _terms.Count; i++)
            {
                evidenceShares[i] = rawTotal > 0 ? evidencePoints * _terms[i].RawPoints / rawTotal : 0;
            }

            var overdue = findings is null ? [] : Deadlines.OverdueCorrectiveActions(Usable(findings, f => f.SignalId, DomainLimits.Check), _at);
            var managementPoints = Math.Min(_model.Management.Max, overdue.Count * _model.Management.PointsPerOverdueAction);
            var inherentPoints = inherent.Weight * inherent.Inherent;

            // Every term in one list, rounded to cents together so the cents add up to the rounded total.
            var all = new double[2 + _terms.Count + propagation.Terms.Count];
            all[0] = inherentPoints;
            all[1] = managementPoints;
            evidenceShares.CopyTo(all, 2);
            for (var i = 0; i < propagation.Terms.Count; i++)
            {
                all[2 + _terms.Count + i] = (double)propagation.Terms[i].Points;
            }

            var total = 0.0;
            foreach (var value in all)
            {
                total += value;
            }

            var cents = Cents.Apportion(all);
            var evidenceTerms = new EvidenceTerm[_terms.Count];
            var evidenceCents = 0m;
            for (var i = 0; i < _terms.Count; i++)
            {
                var t = _terms[i];
                evidenceTerms[i] = t with
                {
                    Conf = Math.Round(t.Conf, 4),
                    Scale = Math.Round(t.Scale, 4),
                    AgeDays = Math.Round(t.AgeDays, 2),
                    Decay = Math.Round(t.Decay, 4),
                    RawPoints = Round2(t.RawPoints),
                    Points = cents[2 + i],
                };
                evidenceCents += cents[2 + i];
            }

            var propagationTerms = new PropagationTerm[propagation.Terms.Count];
            var propagationCents = 0m;
            for (var i = 0; i < propagationTerms.Length; i++)
            {
                propagationTerms[i] = propagation.Terms[i] with { Points = cents[2 + _terms.Count + i] };
                propagationCents += propagationTerms[i].Points;
            }

            var pointsTotal = cents.Sum();
            var scoreBeforeFloor = (int)Math.Clamp(Math.Round(total, MidpointRounding.AwayFromZero), 0, 100);

            var (cases, hits, alerts) = ClassifyAndTrigger();
            var floorTriggers = hits.Select(h => h.Trigger).Distinct().Order().ToArray();
            var floorApplies = floorTriggers.Length > 0;
            var score = floorApplies ? Math.Max(scoreBeforeFloor, _model.ZeroTolerance.Floor) : scoreBeforeFloor;
            var band = _model.BandOf(score);
            var classification = cases.Count == 0 ? ForcedLabourClassification.None : cases.Max(c => c.Classification);
            var floorReason = floorApplies
                ? "zero-tolerance trigger with verified or corroborated evidence: " + string.Join(", ", floorTriggers.Select(t => KebabCase.Of(t)))
                : null;

            if (total > 100)
            {
                _notes.Add(string.Create(CultureInfo.InvariantCulture, $"points total {pointsTotal} exceeds 100: score clamped to 100"));
            }

            var explanation = new RiskExplanation(
                kind,
                _model.ModelVersion,
                _at,
                inherent with { Points = cents[0] },
                new EvidenceExplanation(Round2(rawTotal), evidenceOptions.Saturation, evidenceOptions.Max, evidenceCents, evidenceTerms),
                feeGroups,
                propagation with { Points = propagationCents, Terms = propagationTerms },
                new ManagementExplanation(overdue.Select(f => f.SignalId).ToArray(), _model.Management.PointsPerOverdueAction, _model.Management.Max, cents[1]),
                pointsTotal,
                total,
                scoreBeforeFloor,
                new FloorExplanation(_model.ZeroTolerance.Floor, floorApplies, floorTriggers, floorReason),
                score,
                band,
                cases,
                _notes.ToArray());

            return new RiskEvaluation(subjectId, score, band, classification, hits, alerts, cases, explanation, _model.ModelVersion, _at)
            {
                Quarantined = [.. _quarantined.Values],
            };
        }

        private (IReadOnlyList<CaseClassification> Cases, IReadOnlyList<ZeroToleranceHit> Hits, IReadOnlyList<PrecautionaryAlert> Alerts) ClassifyAndTrigger()
        {
            var cases = new List<CaseClassification>(_caseOrder.Count);
            var triggers = _triggers;
            foreach (var caseId in _caseOrder)
            {
                cases.Add(ClassifyCase(caseId, _observationsByCase[caseId].FindAll(o => InPeriod(o.ObservedOn)), triggers));
            }

            var (hits, alerts) = Rank(triggers);
            return (cases, hits, alerts);
        }
    }

    /// <summary>Zero-tolerance triggers a finding raises by itself (not verified-remediated, inside the reference period).</summary>
    internal static void AddFindingTriggers(List<TriggerRecord> triggers, FindingCategory category, Severity severity, string signalId, string caseId, EvidenceStatus evidence, DateOnly on)
    {
        if (category == FindingCategory.ChildLabour)
        {
            triggers.Add(new TriggerRecord(ZeroToleranceTrigger.ChildLabour, signalId, caseId, evidence, on, []));
        }

        if (severity == Severity.ZeroTolerance && category == FindingCategory.HealthSafety)
        {
            triggers.Add(new TriggerRecord(ZeroToleranceTrigger.ImminentDanger, signalId, caseId, evidence, on, []));
        }

        if (severity == Severity.ZeroTolerance && category == FindingCategory.Ethics)
        {
            triggers.Add(new TriggerRecord(ZeroToleranceTrigger.AuditIntegrity, signalId, caseId, evidence, on, []));
        }
    }

    /// <summary>Zero-tolerance triggers a grievance raises by itself (inside the reference period).</summary>
    internal static void AddGrievanceTriggers(List<TriggerRecord> triggers, bool childInvolved, bool imminentDanger, string signalId, string caseId, EvidenceStatus evidence, DateOnly on)
    {
        if (childInvolved)
        {
            triggers.Add(new TriggerRecord(ZeroToleranceTrigger.ChildLabour, signalId, caseId, evidence, on, []));
        }

        if (imminentDanger)
        {
            triggers.Add(new TriggerRecord(ZeroToleranceTrigger.ImminentDanger, signalId, caseId, evidence, on, []));
        }
    }

    /// <summary>Rule FL-1 for one case's in-period observations, adding the triggers the case raises; shared with <see cref="SubjectState"/>.</summary>
    internal static CaseClassification ClassifyCase(string caseId, List<CaseObservation> inPeriod, List<TriggerRecord> triggers)
    {
        // Triggers ignore verified-remediated findings (and observations outside the reference period).
        var classified = ForcedLabourRule.Classify(caseId, inPeriod);
        var anyRemediated = inPeriod.Exists(o => o.VerifiedRemediated);
        var live = anyRemediated ? inPeriod.FindAll(o => !o.VerifiedRemediated) : inPeriod;
        if (live.Count == 0)
        {
            return classified;
        }

        var liveCase = anyRemediated ? ForcedLabourRule.Classify(caseId, live) : classified;
        if (liveCase.Classification is ForcedLabourClassification.Indicated or ForcedLabourClassification.IndicatedUnverified)
        {
            var used = liveCase.Involuntariness.Concat(liveCase.MenaceOfPenalty).ToList();
            triggers.Add(new TriggerRecord(ZeroToleranceTrigger.ForcedLabourIndicated, used.OrderByDescending(u => u.ObservedOn).First().SignalId, caseId,
                liveCase.WeakestEvidence!.Value, used.Max(u => u.ObservedOn), used.Select(u => u.Code).Distinct().ToArray()));
        }

        foreach (var o in live)
        {
            if (o.Code == IndicatorCode.DocumentRetention)
            {
                triggers.Add(new TriggerRecord(ZeroToleranceTrigger.DocumentRetention, o.SignalId, caseId, o.Evidence, o.ObservedOn, [o.Code]));
            }
            else if (o.Code is IndicatorCode.PhysicalSexualViolence or IndicatorCode.RestrictionOfMovement)
            {
                triggers.Add(new TriggerRecord(ZeroToleranceTrigger.PhysicalViolenceOrConfinement, o.SignalId, caseId, o.Evidence, o.ObservedOn, [o.Code]));
            }
        }

        // Debt bondage: debt-linked recruitment and debt manipulation in one case; its evidence is the weaker of the best of each.
        var debt = live.Where(o => o.Code == IndicatorCode.DebtLinkedRecruitment).ToList();
        var manipulation = live.Where(o => o.Code == IndicatorCode.DebtManipulation).ToList();
        if (debt.Count > 0 && manipulation.Count > 0)
        {
            var bestDebt = debt.MinBy(o => o.Evidence);
            var bestManipulation = manipulation.MinBy(o => o.Evidence);
            var evidence = bestDebt.Evidence > bestManipulation.Evidence ? bestDebt.Evidence : bestManipulation.Evidence;
            var latest = bestDebt.ObservedOn > bestManipulation.ObservedOn ? bestDebt : bestManipulation;
            triggers.Add(new TriggerRecord(ZeroToleranceTrigger.DebtBondage, latest.SignalId, caseId, evidence, latest.ObservedOn,
                [IndicatorCode.DebtLinkedRecruitment, IndicatorCode.DebtManipulation]));
        }

        return classified;
    }

    /// <summary>Triggers, given in the order they were raised, sorted and split into floor hits and precautionary alerts (one per trigger and signal).</summary>
    internal static (IReadOnlyList<ZeroToleranceHit> Hits, IReadOnlyList<PrecautionaryAlert> Alerts) Rank(List<TriggerRecord> triggers)
    {
        var hits = new List<ZeroToleranceHit>();
        var alerts = new List<PrecautionaryAlert>();
        var seen = new HashSet<(ZeroToleranceTrigger, string)>();
        foreach (var (trigger, signalId, caseId, evidence, on, codes) in triggers
                     .OrderBy(t => t.Trigger).ThenBy(t => t.Evidence).ThenBy(t => t.SignalId, StringComparer.Ordinal))
        {
            if (!seen.Add((trigger, signalId)))
            {
                continue;
            }

            if (ForcedLabourRule.SupportsFloor(evidence))
            {
                hits.Add(new ZeroToleranceHit(trigger, signalId, caseId, evidence, on, codes));
            }
            else
            {
                alerts.Add(new PrecautionaryAlert(trigger, signalId, caseId, evidence, on, codes,
                    $"{KebabCase.Of(trigger)} on {KebabCase.Of(evidence)} evidence: precautionary alert, no floor"));
            }
        }

        return (hits, alerts);
    }

    internal static double Round2(double value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);
}

/// <summary>A zero-tolerance trigger as raised, before ranking (internal working form).</summary>
internal readonly record struct TriggerRecord(ZeroToleranceTrigger Trigger, string SignalId, string? CaseId, EvidenceStatus Evidence, DateOnly On, IndicatorCode[] Codes);

/// <summary>Rounds non-negative amounts to cents so that the rounded parts add up to the rounded sum (largest remainder).</summary>
internal static class Cents
{
    public static decimal[] Apportion(double[] values)
    {
        var floors = new long[values.Length];
        var remainders = new double[values.Length];
        long floorSum = 0;
        var sum = 0.0;
        for (var i = 0; i < values.Length; i++)
        {
            var scaled = Math.Max(0, values[i]) * 100;
            floors[i] = (long)Math.Floor(scaled);
            remainders[i] = scaled - floors[i];
            floorSum += floors[i];
            sum += scaled;
        }

        var missing = (long)Math.Round(sum, MidpointRounding.AwayFromZero) - floorSum;
        if (missing > 0)
        {
            var order = Enumerable.Range(0, values.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i).Take((int)Math.Min(missing, values.Length));
            foreach (var i in order)
            {
                floors[i]++;
            }
        }

        var result = new decimal[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = floors[i] / 100m;
        }

        return result;
    }
}

/// <summary>Wire names computed once: explanations name every term, and enum formatting is comparatively slow.</summary>
internal static class WireNames
{
    private static readonly string[] Codes = Enum.GetValues<IndicatorCode>().Select(c => KebabCase.Of(c)).ToArray();

    private static readonly string[][] CategorySeverity = Enum.GetValues<FindingCategory>()
        .Select(c => Enum.GetValues<Severity>().Select(v => KebabCase.Of(c) + "/" + KebabCase.Of(v)).ToArray())
        .ToArray();

    public static string Of(IndicatorCode code) => Codes[(int)code];

    public static string Of(FindingCategory category, Severity severity) => CategorySeverity[(int)category][(int)severity];
}
