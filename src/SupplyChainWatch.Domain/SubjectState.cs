using System.Buffers;

namespace SupplyChainWatch.Domain;

/// <summary>
/// The score-only result of <see cref="SubjectState.Evaluate"/>: what a grain compares after each signal and what
/// escalations need. Equal to the same fields of <see cref="RiskEngine"/>'s full evaluation at the same instant.
/// </summary>
public sealed record RiskSummary(
    string SubjectId,
    int Score,
    RiskBand Band,
    ForcedLabourClassification ForcedLabour,
    IReadOnlyList<ZeroToleranceHit> ZeroTolerance,
    IReadOnlyList<PrecautionaryAlert> PrecautionaryAlerts,
    string ModelVersion,
    DateTimeOffset EvaluatedAt);

/// <summary>
/// A subject's evidence in compact form, kept up to date signal by signal, with an incremental evaluator.
/// <para>
/// Applying a signal or a status change costs amortised O(1) (plus a scan of the findings of the same category for the
/// repeat rule): it updates fixed-size rows, the subject's FL-1 case, and per-half-life decay-weighted running sums
/// <c>S_h = Σ wᵢ·2^((tᵢ−E_h)/h)</c>, so that the evidence total at <c>t</c> is <c>Σ_h 2^(−(t−E_h)/h)·S_h</c>.
/// </para>
/// <para>
/// Exactness: the engine's score is <c>round(total)</c> of a double sum taken term by term in a fixed order; running sums
/// reach the same value only up to rounding (about 1e-12 here). <see cref="Evaluate"/> therefore uses the running sums only
/// when a bound on that difference (kept with the sums, orders of magnitude above the real error) cannot change the
/// rounded score, and otherwise recomputes the engine's sum term by term from the rows, allocation-free. It does the same
/// when the instant lies before a signal's effects settle (a signal or status date after the instant), where the running
/// sums, which hold each signal's final form, do not apply. FL-1 cases and fee groups are recomputed exactly, per case or
/// group, only when they changed or when the instant leaves the interval over which their inputs are constant.
/// </para>
/// <para>
/// <see cref="Explain"/> rebuilds the engine's input from the rows and runs <see cref="RiskEngine"/> itself, so the
/// explanation has one owner and is exactly the engine's. Fields the engine never reads (audit standard and type, start
/// date, grievance acknowledgement date and categories other than child labour, fee currencies, which are kept as
/// the US dollar amounts the engine would compute) are not kept.
/// </para>
/// Not thread-safe: one grain owns one instance.
/// </summary>
public abstract class SubjectState
{
    private const long TicksPerDay = TimeSpan.TicksPerDay;
    private const int NoDay = int.MinValue;
    private const int KindFinding = 0;
    private const int KindGrievance = 1;
    private const int KindFee = 2;
    private const int ClassOpen = 0;
    private const int ClassVerifiedRemediated = 1;
    private const int ClassGrievanceClosedUnverified = 2;
    private const byte Overflowed = 0xFF;

    private readonly RiskModel _model;
    private readonly Dictionary<string, int> _findingIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _grievanceIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _feeIndex = new(StringComparer.Ordinal);
    private readonly List<string> _auditIds = [];
    private readonly Dictionary<string, int> _auditIndex = new(StringComparer.Ordinal);
    private readonly List<CaseState> _cases = [];
    private readonly Dictionary<string, int> _caseIndex = new(StringComparer.Ordinal);
    private readonly List<int>?[] _findingsByCategory = new List<int>?[Enum.GetValues<FindingCategory>().Length];
    private readonly DecayClass[] _classes = new DecayClass[3];

    // Day numbers from which each open major-or-worse finding with a due date counts as overdue, sorted.
    private readonly List<int> _overdueFrom = [];
    private Dictionary<int, IndicatorObservation[]>? _overflowIndicators;
    private FindingRow[] _findings = [];
    private GrievanceRow[] _grievances = [];
    private FeeRow[] _fees = [];
    private int _findingCount;
    private int _grievanceCount;
    private int _feeCount;
    private long _maxSettleTicks = long.MinValue;

    /// <summary>Case members looked at by classifications since creation: what a walk over a growing case costs (tests).</summary>
    internal long CaseMemberVisits { get; private set; }
    private long _operations;

    // The aggregate of all cases (classification and triggers) for instants in [_aggregateFrom, _aggregateUntil).
    private long _aggregateFrom = long.MaxValue;
    private long _aggregateUntil = long.MinValue;
    private ForcedLabourClassification _aggregateClassification;
    private IReadOnlyList<ZeroToleranceHit> _aggregateHits = [];
    private IReadOnlyList<PrecautionaryAlert> _aggregateAlerts = [];
    private readonly List<CaseState> _dirtyCases = [];
    private readonly int[] _classificationCounts = new int[4];
    private readonly Dictionary<string, ForcedLabourClassification> _indicatedCases = new(StringComparer.Ordinal);
    private bool _triggersChanged;

    private protected SubjectState(RiskEngine engine, string subjectId)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(subjectId);
        Engine = engine;
        _model = engine.Model;
        SubjectId = subjectId;
        var halfLives = _model.Decay.HalfLifeDays;
        _classes[ClassOpen] = new DecayClass(halfLives.Open);
        _classes[ClassVerifiedRemediated] = new DecayClass(halfLives.VerifiedRemediated);
        _classes[ClassGrievanceClosedUnverified] = new DecayClass(halfLives.GrievanceClosedUnverified);
    }

    public string SubjectId { get; }

    /// <summary>Findings, grievances and fee reports applied (a replaced signal counts once).</summary>
    public int SignalCount => _findingCount + _grievanceCount + _feeCount;

    /// <summary>
    /// The cases classified indicated or indicated-unverified at the instant of the last <see cref="Evaluate"/>, kept as
    /// cases are re-derived (what <see cref="RiskBasis"/> holds), so a caller never walks every case per signal.
    /// </summary>
    public IReadOnlyDictionary<string, ForcedLabourClassification> IndicatedCases => _indicatedCases;

    private protected RiskEngine Engine { get; }

    /// <summary><c>weight × inherent</c> of the current profile, as the engine computes it.</summary>
    private protected double InherentPoints { get; set; }

    /// <summary>Propagation terms as the engine adds them to the total (decimal points converted back to double).</summary>
    private protected double[] PropagationPoints { get; set; } = [];

    /// <summary>Adds a finding, or replaces the one with the same audit and finding id (as the evidence log does).</summary>
    public void Apply(AuditFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (_findingIndex.TryGetValue(finding.SignalId, out var existing))
        {
            var old = _findings[existing];
            RemoveFindingEffects(existing, old);
            _findings[existing] = ToRow(finding, existing);
            _findings[existing].Repeat = old.Repeat;
            AddFindingEffects(existing);
            RecomputeRepeats(old.Category, _findings[existing].Category, existing);
            return;
        }

        var index = _findingCount;
        EnsureCapacity(ref _findings, index + 1);
        _findings[index] = ToRow(finding, index);
        _findingCount++;
        _findingIndex[finding.SignalId] = index;
        (_findingsByCategory[_findings[index].Category] ??= []).Add(index);
        _findings[index].Repeat = IsRepeat(index);
        AddFindingEffects(index);
        MarkRepeatsCausedBy(index);
    }

    /// <summary>A finding's new remediation status; false when the finding is unknown (the change is then ignored, as before).</summary>
    public bool ApplyFindingStatus(string auditId, string findingId, FindingStatus status, DateOnly on)
    {
        ArgumentNullException.ThrowIfNull(auditId);
        ArgumentNullException.ThrowIfNull(findingId);
        if (!_findingIndex.TryGetValue(auditId + "/" + findingId, out var index))
        {
            return false;
        }

        var row = _findings[index];
        RemoveFindingEffects(index, row);
        row.Status = (byte)status;
        row.StatusOn = on.DayNumber;
        _findings[index] = row;
        AddFindingEffects(index);
        return true;
    }

    /// <summary>Adds a grievance, or replaces the one with the same id.</summary>
    public void Apply(Grievance grievance)
    {
        ArgumentNullException.ThrowIfNull(grievance);
        if (_grievanceIndex.TryGetValue(grievance.GrievanceId, out var existing))
        {
            RemoveGrievanceEffects(existing, _grievances[existing]);
            _grievances[existing] = ToRow(grievance, existing);
            AddGrievanceEffects(existing);
            return;
        }

        var index = _grievanceCount;
        EnsureCapacity(ref _grievances, index + 1);
        _grievances[index] = ToRow(grievance, index);
        _grievanceCount++;
        _grievanceIndex[grievance.GrievanceId] = index;
        AddGrievanceEffects(index);
    }

    /// <summary>
    /// A grievance's status change, with the same rules the subject document applies; false when the grievance is unknown.
    /// </summary>
    public bool ApplyGrievanceStatus(string grievanceId, GrievanceStatus status, DateOnly on, GrievanceOutcome? outcome, bool? verified)
    {
        ArgumentNullException.ThrowIfNull(grievanceId);
        if (!_grievanceIndex.TryGetValue(grievanceId, out var index))
        {
            return false;
        }

        var row = _grievances[index];
        RemoveGrievanceEffects(index, row);
        row.Status = (byte)status;
        if (status is GrievanceStatus.Resolved or GrievanceStatus.Closed)
        {
            row.ClosedOn = on.DayNumber;
            row.Outcome = outcome is { } o ? (byte)o : row.Outcome;
            row.Verified = verified ?? row.Verified;
        }

        _grievances[index] = row;
        AddGrievanceEffects(index);
        return true;
    }

    /// <summary>Adds a fee report, or replaces the one with the same id.</summary>
    /// <exception cref="MissingExchangeRateException">Never here: a missing rate surfaces when the report is evaluated, as in the engine.</exception>
    public void Apply(FeeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (_feeIndex.TryGetValue(report.ReportId, out var existing))
        {
            RemoveFeeEffects(existing, _fees[existing]);
            _fees[existing] = ToRow(report);
            AddFeeEffects(existing);
            return;
        }

        var index = _feeCount;
        EnsureCapacity(ref _fees, index + 1);
        _fees[index] = ToRow(report);
        _feeCount++;
        _feeIndex[report.ReportId] = index;
        AddFeeEffects(index);
    }

    /// <summary>Score, band, classification and triggers at <paramref name="at"/>, without an explanation.</summary>
    public RiskSummary Evaluate(DateTimeOffset at)
    {
        var atTicks = at.UtcTicks;
        var today = DateOnly.FromDateTime(at.UtcDateTime);
        var (classification, hits, alerts) = Cases(atTicks, today);
        var management = Math.Min(_model.Management.Max, CountOverdue(today.DayNumber) * _model.Management.PointsPerOverdueAction);
        var scoreBeforeFloor = FastScore(atTicks, management) ?? ExactScore(atTicks, today, management);
        var score = hits.Count > 0 ? Math.Max(scoreBeforeFloor, _model.ZeroTolerance.Floor) : scoreBeforeFloor;
        return new RiskSummary(SubjectId, score, _model.BandOf(score), classification, hits, alerts, _model.ModelVersion, at);
    }

    /// <summary>The score computed term by term, as the engine does; for tests and benchmarks of the fast path.</summary>
    internal int ExactScoreBeforeFloor(DateTimeOffset at)
    {
        var today = DateOnly.FromDateTime(at.UtcDateTime);
        var management = Math.Min(_model.Management.Max, CountOverdue(today.DayNumber) * _model.Management.PointsPerOverdueAction);
        return ExactScore(at.UtcTicks, today, management);
    }

    /// <summary>The running-sum score before the floor, or null when its error bound straddles a rounding boundary.</summary>
    internal int? FastScoreBeforeFloor(DateTimeOffset at)
    {
        var today = DateOnly.FromDateTime(at.UtcDateTime);
        var management = Math.Min(_model.Management.Max, CountOverdue(today.DayNumber) * _model.Management.PointsPerOverdueAction);
        return FastScore(at.UtcTicks, management);
    }

    /// <summary>The full evaluation with its explanation, built on demand; exactly what <see cref="RiskEngine"/> returns for the same evidence.</summary>
    public abstract RiskEvaluation Explain(DateTimeOffset at);

    /// <summary>Inherent points and propagation changed (profile or links): callers recompute them through the engine.</summary>
    private protected void SetStaticPoints(InherentExplanation inherent, PropagationExplanation propagation)
    {
        InherentPoints = inherent.Weight * inherent.Inherent;
        var points = new double[propagation.Terms.Count];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = (double)propagation.Terms[i].Points;
        }

        PropagationPoints = points;
    }

    /// <summary>Raw points of the fee groups at an instant, in the engine's order (recruiters only).</summary>
    private protected virtual void AddFeeGroupRaws(long atTicks, DateOnly today, List<double>? raws, ref double rawTotal)
    {
    }

    private protected IEnumerable<AuditFinding> RebuildFindings()
    {
        for (var i = 0; i < _findingCount; i++)
        {
            var row = _findings[i];
            var end = DateOnly.FromDayNumber(row.EndDay);
            var auditId = _auditIds[row.Audit];
            var caseId = _cases[row.Case].Id;
            yield return new AuditFinding(auditId, row.SignalId[(auditId.Length + 1)..], AuditStandard.Other, AuditType.Initial, end, end,
                (FindingCategory)row.Category, (Severity)row.Severity, Indicators(Key(KindFinding, i), row.Indicators), row.Workers, (EvidenceStatus)row.Evidence,
                (FindingStatus)row.Status, Day(row.StatusOn), Day(row.DueDay), caseId.StartsWith("ref:", StringComparison.Ordinal) ? caseId[4..] : null);
        }
    }

    private protected IEnumerable<Grievance> RebuildGrievances()
    {
        for (var i = 0; i < _grievanceCount; i++)
        {
            var row = _grievances[i];
            var caseId = _cases[row.Case].Id;
            yield return new Grievance(row.Id, new DateTimeOffset(row.ReceivedTicks, TimeSpan.Zero), Indicators(Key(KindGrievance, i), row.Allegations), [],
                row.Workers, (EvidenceStatus)row.Evidence, row.ImminentDanger, row.ChildInvolved, (GrievanceStatus)row.Status, null, Day(row.ClosedOn),
                row.Outcome == Overflowed ? null : (GrievanceOutcome)row.Outcome, row.Verified, caseId.StartsWith("ref:", StringComparison.Ordinal) ? caseId[4..] : null);
        }
    }

    private protected IEnumerable<FeeReport> RebuildFeeReports()
    {
        for (var i = 0; i < _feeCount; i++)
        {
            yield return RebuildFeeReport(_fees[i]);
        }
    }

    private protected virtual FeeReport RebuildFeeReport(FeeRow row) =>
        new(row.ReportId, row.WorkerRef, row.Origin, row.Destination, DateOnly.FromDayNumber(row.RecruitedDay), [], new Money(0m, "USD"), null,
            new FeeFinancing(row.DebtLinked, row.DebtLinked, row.MayNotLeave), new FeeReimbursement(row.FullyReimbursed ? ReimbursementStatus.Full : ReimbursementStatus.None, null, Day(row.ReimbursedOn)),
            (EvidenceStatus)row.Evidence);

    /// <summary>Fee report row fields a subclass needs (recruiters keep US dollar amounts; suppliers only the FL-1 facts).</summary>
    private protected virtual FeeRow ToRow(FeeReport report) => new()
    {
        ReportId = report.ReportId,
        WorkerRef = report.WorkerRef,
        Origin = report.OriginCountry,
        Destination = report.DestinationCountry,
        RecruitedDay = report.RecruitedOn.DayNumber,
        Evidence = (byte)report.EvidenceStatus,
        DebtLinked = report.Financing.IsDebtLinked,
        MayNotLeave = report.Financing.MayNotLeaveUntilRepaid,
        FullyReimbursed = report.Reimbursement.Status == ReimbursementStatus.Full,
        ReimbursedOn = report.Reimbursement.On?.DayNumber ?? NoDay,
    };

    private protected ref FeeRow FeeAt(int index) => ref _fees[index];

    private protected virtual void OnFeeRowAdded(int index, FeeRow row)
    {
    }

    private protected virtual void OnFeeRowRemoved(int index, FeeRow row)
    {
    }

    /// <summary>The term formula of the engine: <c>base × conf × scale × decay</c>, in the same order of operations.</summary>
    private protected double Term(double baseValue, double conf, int workers, double halfLife, long atTicks, long fromTicks)
    {
        var scale = 1 + (Math.Log10(Math.Max(1, workers)) / _model.Evidence.Scale.Log10Divisor);
        var ageDays = Math.Max(0, new TimeSpan(atTicks - fromTicks).TotalDays);
        var decay = Math.Pow(0.5, ageDays / halfLife);
        return baseValue * conf * scale * decay;
    }

    private static DateOnly? Day(int dayNumber) => dayNumber == NoDay ? null : DateOnly.FromDayNumber(dayNumber);

    private static int Key(int kind, int index) => (kind << 28) | index;

    private static void EnsureCapacity<T>(ref T[] array, int needed)
    {
        if (array.Length < needed)
        {
            Array.Resize(ref array, Math.Max(4, Math.Max(needed, array.Length * 2)));
        }
    }

    private static ulong Pack(IReadOnlyList<IndicatorObservation> observations)
    {
        if (observations.Count > 7)
        {
            return Overflowed;
        }

        var packed = (ulong)observations.Count;
        for (var i = 0; i < observations.Count; i++)
        {
            var o = observations[i];
            var b = (ulong)o.Code | (o.Strength is { } s ? 0x10UL | (s == IndicatorStrength.Strong ? 0x20UL : 0) : 0);
            packed |= b << (8 * (i + 1));
        }

        return packed;
    }

    private static int CountOf(ulong packed) => (int)(packed & 0xFF);

    private static (IndicatorCode Code, IndicatorStrength Strength, bool Overridden) Unpack(ulong packed, int i)
    {
        var b = (int)(packed >> (8 * (i + 1))) & 0xFF;
        var code = (IndicatorCode)(b & 0x0F);
        var standard = IndicatorCatalog.DefaultStrengthOf(code);
        if ((b & 0x10) == 0)
        {
            return (code, standard, false);
        }

        var strength = (b & 0x20) != 0 ? IndicatorStrength.Strong : IndicatorStrength.Medium;
        return (code, strength, strength != standard);
    }

    private IndicatorObservation[] Indicators(int key, ulong packed)
    {
        if (CountOf(packed) == Overflowed)
        {
            return _overflowIndicators![key];
        }

        var result = new IndicatorObservation[CountOf(packed)];
        for (var i = 0; i < result.Length; i++)
        {
            var b = (int)(packed >> (8 * (i + 1))) & 0xFF;
            var code = (IndicatorCode)(b & 0x0F);
            result[i] = new IndicatorObservation(code, (b & 0x10) == 0 ? null : (b & 0x20) != 0 ? IndicatorStrength.Strong : IndicatorStrength.Medium);
        }

        return result;
    }

    /// <summary>Indicator count and the i-th (code, effective strength, overridden), from the packed form or the rare overflow list.</summary>
    private int IndicatorCount(int key, ulong packed) => CountOf(packed) == Overflowed ? _overflowIndicators![key].Length : CountOf(packed);

    private (IndicatorCode Code, IndicatorStrength Strength, bool Overridden) IndicatorAt(int key, ulong packed, int i)
    {
        if (CountOf(packed) != Overflowed)
        {
            return Unpack(packed, i);
        }

        var o = _overflowIndicators![key][i];
        return (o.Code, o.EffectiveStrength, o.StrengthOverridden);
    }

    private ulong PackWithOverflow(int key, IReadOnlyList<IndicatorObservation> observations)
    {
        var packed = Pack(observations);
        if (packed == Overflowed)
        {
            (_overflowIndicators ??= [])[key] = [.. observations];
        }
        else
        {
            _overflowIndicators?.Remove(key);
        }

        return packed;
    }

    private int Intern(List<string> list, Dictionary<string, int> index, string value)
    {
        if (!index.TryGetValue(value, out var i))
        {
            i = list.Count;
            list.Add(value);
            index[value] = i;
        }

        return i;
    }

    private int CaseOf(string caseId)
    {
        if (!_caseIndex.TryGetValue(caseId, out var i))
        {
            i = _cases.Count;
            _cases.Add(new CaseState(caseId));
            _classificationCounts[(int)ForcedLabourClassification.None]++;
            _caseIndex[caseId] = i;
        }

        return i;
    }

    private FindingRow ToRow(AuditFinding finding, int index) => new()
    {
        SignalId = finding.SignalId,
        Audit = Intern(_auditIds, _auditIndex, finding.AuditId),
        Case = CaseOf(finding.CaseRef is { Length: > 0 } caseRef ? "ref:" + caseRef : "audit:" + finding.AuditId),
        Category = (byte)finding.Category,
        Severity = (byte)finding.Severity,
        Evidence = (byte)finding.EvidenceStatus,
        Status = (byte)finding.Status,
        EndDay = finding.EndDate.DayNumber,
        StatusOn = finding.StatusOn?.DayNumber ?? NoDay,
        DueDay = finding.DueDate?.DayNumber ?? NoDay,
        Workers = finding.WorkersAffected,
        Indicators = PackWithOverflow(Key(KindFinding, index), finding.Indicators),
    };

    private GrievanceRow ToRow(Grievance grievance, int index) => new()
    {
        Id = grievance.GrievanceId,
        Case = CaseOf(grievance.CaseRef is { Length: > 0 } caseRef ? "ref:" + caseRef : "grievance:" + grievance.GrievanceId),
        ReceivedTicks = grievance.ReceivedAt.UtcTicks,
        Allegations = PackWithOverflow(Key(KindGrievance, index), grievance.Allegations),
        Workers = grievance.WorkersAffected,
        Evidence = (byte)grievance.EvidenceStatus,
        ImminentDanger = grievance.ImminentDanger,
        ChildInvolved = grievance.ChildInvolved || grievance.Categories.Contains(FindingCategory.ChildLabour),
        Status = (byte)grievance.Status,
        ClosedOn = grievance.ClosedOn?.DayNumber ?? NoDay,
        Outcome = grievance.Outcome is { } o ? (byte)o : Overflowed,
        Verified = grievance.Verified,
    };

    // ---- findings ----------------------------------------------------------------------------------------------

    private bool Qualifies(in FindingRow other, in FindingRow finding) =>
        other.Category == finding.Category
        && other.Audit != finding.Audit
        && other.EndDay < finding.EndDay
        && other.EndDay >= DateOnly.FromDayNumber(finding.EndDay).AddMonths(-_model.Evidence.Repeat.WindowMonths).DayNumber;

    /// <summary>The engine's repeat rule: another audit found the same category within the window before this finding.</summary>
    private bool IsRepeat(int index)
    {
        ref var finding = ref _findings[index];
        foreach (var other in _findingsByCategory[finding.Category]!)
        {
            if (Qualifies(_findings[other], finding))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A new finding can only turn later findings of its category into repeats.</summary>
    private void MarkRepeatsCausedBy(int index)
    {
        foreach (var other in _findingsByCategory[_findings[index].Category]!)
        {
            if (!_findings[other].Repeat && Qualifies(_findings[index], _findings[other]))
            {
                SetRepeat(other, true);
            }
        }
    }

    /// <summary>A replaced finding may change any repeat flag of its old and new category (rare: a re-submission).</summary>
    private void RecomputeRepeats(byte oldCategory, byte newCategory, int index)
    {
        if (oldCategory != newCategory)
        {
            _findingsByCategory[oldCategory]!.Remove(index);
            (_findingsByCategory[newCategory] ??= []).Add(index);
        }

        foreach (var category in oldCategory == newCategory ? [oldCategory] : new[] { oldCategory, newCategory })
        {
            foreach (var other in _findingsByCategory[category] ?? [])
            {
                var repeat = IsRepeat(other);
                if (repeat != _findings[other].Repeat)
                {
                    SetRepeat(other, repeat);
                }
            }
        }
    }

    private void SetRepeat(int index, bool repeat)
    {
        var row = _findings[index];
        AddFindingToSums(index, row, -1);
        row.Repeat = repeat;
        _findings[index] = row;
        AddFindingToSums(index, row, +1);
    }

    private void AddFindingEffects(int index)
    {
        var row = _findings[index];
        AddFindingToSums(index, row, +1);
        if (OverdueFrom(row) is { } from)
        {
            InsertSorted(_overdueFrom, from);
        }

        TouchCase(_cases[row.Case]).Add(Key(KindFinding, index));
    }

    private void RemoveFindingEffects(int index, FindingRow row)
    {
        AddFindingToSums(index, row, -1);
        if (OverdueFrom(row) is { } from)
        {
            _overdueFrom.RemoveAt(_overdueFrom.BinarySearch(from));
        }

        TouchCase(_cases[row.Case]).Remove(Key(KindFinding, index));
    }

    /// <summary>Open, major or worse, with a due date: overdue from the day after the due date (and not before the audit ended).</summary>
    private static int? OverdueFrom(in FindingRow row) =>
        row.Severity <= (byte)Severity.Major && row.Status == (byte)FindingStatus.Open && row.DueDay != NoDay
            ? Math.Max(row.DueDay + 1, row.EndDay)
            : null;

    /// <summary>
    /// The next instant after <paramref name="after"/> at which an open corrective action becomes overdue (the start, UTC,
    /// of its first overdue day, when the management term starts counting it), or null when none will.
    /// </summary>
    public DateTimeOffset? NextDeadlineAfter(DateTimeOffset after)
    {
        // Days whose start is after the instant: those after the instant's own day.
        var day = DateOnly.FromDateTime(after.UtcDateTime).DayNumber;
        var i = _overdueFrom.BinarySearch(day + 1);
        i = i < 0 ? ~i : i;
        while (i > 0 && _overdueFrom[i - 1] > day)
        {
            i--;
        }

        return i < _overdueFrom.Count ? new DateTimeOffset(DateOnly.FromDayNumber(_overdueFrom[i]).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
    }

    private int CountOverdue(int today)
    {
        var i = _overdueFrom.BinarySearch(today);
        if (i < 0)
        {
            return ~i;
        }

        while (i + 1 < _overdueFrom.Count && _overdueFrom[i + 1] == today)
        {
            i++;
        }

        return i + 1;
    }

    private static void InsertSorted(List<int> list, int value)
    {
        var i = list.BinarySearch(value);
        list.Insert(i < 0 ? ~i : i, value);
    }

    /// <summary>Weight Σ base × conf × scale of a finding's terms (the part that does not decay).</summary>
    private double FindingWeight(in FindingRow row, int key)
    {
        var evidence = _model.Evidence;
        var multiplier = row.Repeat ? evidence.Repeat.Multiplier : 1.0;
        var conf = evidence.Confidence.Of((EvidenceStatus)row.Evidence);
        var scale = 1 + (Math.Log10(Math.Max(1, row.Workers)) / evidence.Scale.Log10Divisor);
        var count = IndicatorCount(key, row.Indicators);
        if (count == 0)
        {
            return evidence.Base.Severity.Of((Severity)row.Severity) * multiplier * conf * scale;
        }

        var weight = 0.0;
        for (var i = 0; i < count; i++)
        {
            weight += evidence.Base.Of(IndicatorAt(key, row.Indicators, i).Strength) * multiplier * conf * scale;
        }

        return weight;
    }

    /// <summary>Adds (+1) or removes (−1) a finding's final form (as it decays once every date in it has passed) to the running sums.</summary>
    private void AddFindingToSums(int index, in FindingRow row, int sign)
    {
        var verifiedRemediated = row.Status == (byte)FindingStatus.VerifiedRemediated;
        var fromDay = verifiedRemediated && row.StatusOn != NoDay ? row.StatusOn : row.EndDay;
        var settle = Math.Max(row.EndDay, fromDay) * TicksPerDay;
        _classes[verifiedRemediated ? ClassVerifiedRemediated : ClassOpen].Add(FindingWeight(row, Key(KindFinding, index)), fromDay, sign);
        _maxSettleTicks = Math.Max(_maxSettleTicks, settle);
        _operations++;
    }

    // ---- grievances --------------------------------------------------------------------------------------------

    private static bool Discarded(in GrievanceRow row) =>
        row.Status is (byte)GrievanceStatus.Resolved or (byte)GrievanceStatus.Closed
        && row.Outcome is (byte)GrievanceOutcome.Unfounded or (byte)GrievanceOutcome.Withdrawn;

    private void AddGrievanceEffects(int index)
    {
        var row = _grievances[index];
        AddGrievanceToSums(index, row, +1);
        TouchCase(_cases[row.Case]).Add(Key(KindGrievance, index));
    }

    private void RemoveGrievanceEffects(int index, GrievanceRow row)
    {
        AddGrievanceToSums(index, row, -1);
        TouchCase(_cases[row.Case]).Remove(Key(KindGrievance, index));
    }

    private void AddGrievanceToSums(int index, in GrievanceRow row, int sign)
    {
        if (Discarded(row))
        {
            return;
        }

        var evidence = _model.Evidence;
        var conf = evidence.Confidence.Of((EvidenceStatus)row.Evidence);
        var scale = 1 + (Math.Log10(Math.Max(1, row.Workers)) / evidence.Scale.Log10Divisor);
        var key = Key(KindGrievance, index);
        var count = IndicatorCount(key, row.Allegations);
        var weight = 0.0;
        if (count == 0)
        {
            weight = evidence.Base.GrievanceWithoutAllegation * conf * scale;
        }

        for (var i = 0; i < count; i++)
        {
            weight += evidence.Base.Of(IndicatorAt(key, row.Allegations, i).Strength) * conf * scale;
        }

        var closed = row.Status is (byte)GrievanceStatus.Resolved or (byte)GrievanceStatus.Closed && row.ClosedOn != NoDay;
        var fromTicks = closed ? row.ClosedOn * TicksPerDay : row.ReceivedTicks;
        var cls = !closed ? ClassOpen : row.Verified ? ClassVerifiedRemediated : ClassGrievanceClosedUnverified;
        _classes[cls].Add(weight, fromTicks / (double)TicksPerDay, sign);
        _maxSettleTicks = Math.Max(_maxSettleTicks, Math.Max(row.ReceivedTicks, fromTicks));
        _operations++;
    }

    // ---- fee reports -------------------------------------------------------------------------------------------

    private void AddFeeEffects(int index)
    {
        var row = _fees[index];
        if (row.DebtLinked)
        {
            TouchCase(_cases[CaseOf("fee-report:" + row.ReportId)]).Add(Key(KindFee, index));
        }

        OnFeeRowAdded(index, row);
    }

    private void RemoveFeeEffects(int index, FeeRow row)
    {
        if (row.DebtLinked)
        {
            TouchCase(_cases[CaseOf("fee-report:" + row.ReportId)]).Remove(Key(KindFee, index));
        }

        OnFeeRowRemoved(index, row);
    }

    // ---- score -------------------------------------------------------------------------------------------------

    private static int Rounded(double total) => (int)Math.Clamp(Math.Round(total, MidpointRounding.AwayFromZero), 0, 100);

    private int? FastScore(long atTicks, double management)
    {
        if (atTicks < _maxSettleTicks)
        {
            return null;
        }

        var atDays = atTicks / (double)TicksPerDay;
        double raw = 0, magnitude = 0;
        foreach (var cls in _classes)
        {
            cls.ValueAt(atDays, out var value, out var classMagnitude);
            raw += value;
            magnitude += classMagnitude;
        }

        var feeRaw = 0.0;
        AddFeeGroupRaws(atTicks, DateOnly.FromDateTime(new DateTime(atTicks, DateTimeKind.Utc)), null, ref feeRaw);
        raw += feeRaw;
        magnitude += feeRaw;

        var evidence = _model.Evidence;
        var evidencePoints = evidence.Max * (1 - Math.Exp(-raw / evidence.Saturation));
        var total = InherentPoints + management + evidencePoints;
        foreach (var points in PropagationPoints)
        {
            total += points;
        }

        // Far above the real difference from the engine's term-by-term sum (running sums: a few ulps per operation).
        var rawBound = (1e-9 + (_operations * 1e-15)) * (1 + magnitude);
        var bound = (rawBound * evidence.Max / evidence.Saturation) + (1e-9 * (1 + Math.Abs(total)));
        var low = Rounded(total - bound);
        return low == Rounded(total + bound) ? low : null;
    }

    private int ExactScore(long atTicks, DateOnly today, double management)
    {
        var raws = new List<double>(Math.Max(4, _findingCount + _grievanceCount));
        var rawTotal = 0.0;
        var evidence = _model.Evidence;
        var halfLives = _model.Decay.HalfLifeDays;
        var todayDay = today.DayNumber;
        for (var i = 0; i < _findingCount; i++)
        {
            ref var row = ref _findings[i];
            if (row.EndDay > todayDay)
            {
                continue;
            }

            var verifiedRemediated = row.Status == (byte)FindingStatus.VerifiedRemediated;
            var instant = verifiedRemediated && row.StatusOn != NoDay && row.StatusOn <= todayDay ? row.StatusOn : row.EndDay;
            var halfLife = verifiedRemediated ? halfLives.VerifiedRemediated : halfLives.Open;
            var multiplier = row.Repeat ? evidence.Repeat.Multiplier : 1.0;
            var conf = evidence.Confidence.Of((EvidenceStatus)row.Evidence);
            var key = Key(KindFinding, i);
            var count = IndicatorCount(key, row.Indicators);
            if (count == 0)
            {
                Add(raws, ref rawTotal, Term(evidence.Base.Severity.Of((Severity)row.Severity) * multiplier, conf, row.Workers, halfLife, atTicks, instant * TicksPerDay));
            }

            for (var j = 0; j < count; j++)
            {
                Add(raws, ref rawTotal, Term(evidence.Base.Of(IndicatorAt(key, row.Indicators, j).Strength) * multiplier, conf, row.Workers, halfLife, atTicks, instant * TicksPerDay));
            }
        }

        for (var i = 0; i < _grievanceCount; i++)
        {
            ref var row = ref _grievances[i];
            if (row.ReceivedTicks > atTicks || Discarded(row))
            {
                continue;
            }

            var closed = row.Status is (byte)GrievanceStatus.Resolved or (byte)GrievanceStatus.Closed && row.ClosedOn != NoDay && row.ClosedOn <= todayDay;
            var halfLife = !closed ? halfLives.Open : row.Verified ? halfLives.VerifiedRemediated : halfLives.GrievanceClosedUnverified;
            var fromTicks = closed ? row.ClosedOn * TicksPerDay : row.ReceivedTicks;
            var conf = evidence.Confidence.Of((EvidenceStatus)row.Evidence);
            var key = Key(KindGrievance, i);
            var count = IndicatorCount(key, row.Allegations);
            if (count == 0)
            {
                Add(raws, ref rawTotal, Term(evidence.Base.GrievanceWithoutAllegation, conf, row.Workers, halfLife, atTicks, fromTicks));
            }

            for (var j = 0; j < count; j++)
            {
                Add(raws, ref rawTotal, Term(evidence.Base.Of(IndicatorAt(key, row.Allegations, j).Strength), conf, row.Workers, halfLife, atTicks, fromTicks));
            }
        }

        var beforeFees = raws.Count;
        var feeTotal = 0.0;
        AddFeeGroupRaws(atTicks, today, raws, ref feeTotal);
        for (var i = beforeFees; i < raws.Count; i++)
        {
            rawTotal += raws[i];
        }

        // The engine's Finish: shares of the saturated evidence points, then every term summed in its list order.
        var evidencePoints = evidence.Max * (1 - Math.Exp(-rawTotal / evidence.Saturation));
        var total = 0.0;
        total += InherentPoints;
        total += management;
        foreach (var raw in raws)
        {
            total += rawTotal > 0 ? evidencePoints * raw / rawTotal : 0;
        }

        foreach (var points in PropagationPoints)
        {
            total += points;
        }

        return Rounded(total);

        static void Add(List<double> raws, ref double rawTotal, double raw)
        {
            raws.Add(raw);
            rawTotal += raw;
        }
    }

    // ---- FL-1 cases and triggers -------------------------------------------------------------------------------

    /// <summary>A case whose signals changed: re-derived at the next evaluation, on its own.</summary>
    private CaseState TouchCase(CaseState c)
    {
        if (!c.Dirty)
        {
            c.Dirty = true;
            _dirtyCases.Add(c);
        }

        return c;
    }

    /// <summary>
    /// Classification and triggers of all cases. Within the interval over which no case's inputs change, only the cases
    /// touched since are re-derived; the triggers are ranked again only when some case's triggers changed.
    /// </summary>
    private (ForcedLabourClassification, IReadOnlyList<ZeroToleranceHit>, IReadOnlyList<PrecautionaryAlert>) Cases(long atTicks, DateOnly today)
    {
        if (atTicks >= _aggregateFrom && atTicks < _aggregateUntil)
        {
            if (_dirtyCases.Count == 0)
            {
                return (_aggregateClassification, _aggregateHits, _aggregateAlerts);
            }

            foreach (var c in _dirtyCases)
            {
                Recompute(c, atTicks, today);
                _aggregateUntil = Math.Min(_aggregateUntil, c.ValidUntil);
            }

            _aggregateFrom = atTicks;
        }
        else
        {
            var until = long.MaxValue;
            foreach (var c in _cases)
            {
                if (c.Dirty || atTicks < c.ValidFrom || atTicks >= c.ValidUntil)
                {
                    Recompute(c, atTicks, today);
                }

                until = Math.Min(until, c.ValidUntil);
            }

            _aggregateFrom = atTicks;
            _aggregateUntil = until;
        }

        _dirtyCases.Clear();
        var classification = ForcedLabourClassification.None;
        for (var k = _classificationCounts.Length - 1; k > 0; k--)
        {
            if (_classificationCounts[k] > 0)
            {
                classification = (ForcedLabourClassification)k;
                break;
            }
        }

        if (_triggersChanged)
        {
            _triggersChanged = false;
            List<(long Key, TriggerRecord Trigger)>? raised = null;
            foreach (var c in _cases)
            {
                if (c.Raised is { Length: > 0 })
                {
                    (raised ??= []).AddRange(c.Raised);
                }
            }

            if (raised is null)
            {
                (_aggregateHits, _aggregateAlerts) = ([], []);
            }
            else
            {
                // The engine's order of raising: finding and grievance triggers in signal order, then case triggers in case order.
                raised.Sort((a, b) => a.Key.CompareTo(b.Key));
                (_aggregateHits, _aggregateAlerts) = RiskEngine.Rank(raised.ConvertAll(r => r.Trigger));
            }
        }

        _aggregateClassification = classification;
        return (classification, _aggregateHits, _aggregateAlerts);
    }

    private static bool SameTriggers((long Key, TriggerRecord Trigger)[]? a, (long Key, TriggerRecord Trigger)[]? b)
    {
        if (a is null || b is null)
        {
            return a is null && b is null;
        }

        if (a.Length != b.Length)
        {
            return false;
        }

        for (var i = 0; i < a.Length; i++)
        {
            var (x, y) = (a[i].Trigger, b[i].Trigger);
            if (a[i].Key != b[i].Key || x.Trigger != y.Trigger || x.SignalId != y.SignalId || x.CaseId != y.CaseId || x.Evidence != y.Evidence || x.On != y.On
                || !x.Codes.AsSpan().SequenceEqual(y.Codes))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>First midnight from which an observation dated <paramref name="dayNumber"/> is outside the reference period.</summary>
    private long PeriodExitTicks(int dayNumber)
    {
        var observed = DateOnly.FromDayNumber(dayNumber);
        var months = _model.ReferencePeriodMonths;
        var exit = observed.AddMonths(months);
        while (exit.AddMonths(-months) <= observed)
        {
            exit = exit.AddDays(1);
        }

        return exit.DayNumber * TicksPerDay;
    }

    /// <summary>
    /// One case at an instant, as the engine classifies it, and the interval over which that stays true: until the next
    /// instant at which one of its signals starts to count, a status date passes or an observation leaves the period.
    /// </summary>
    private void Recompute(CaseState c, long atTicks, DateOnly today)
    {
        var todayDay = today.DayNumber;
        var periodStart = today.AddMonths(-_model.ReferencePeriodMonths).DayNumber;
        var until = long.MaxValue;
        var observations = new List<CaseObservation>();
        var signalTriggers = new List<TriggerRecord>();
        var raised = new List<(long, TriggerRecord)>();
        long order = long.MaxValue;

        bool InPeriod(int day, ref long validUntil)
        {
            if (day < periodStart || day > todayDay)
            {
                return false;
            }

            validUntil = Math.Min(validUntil, PeriodExitTicks(day));
            return true;
        }

        // Members added since a result that still holds at this instant (none removed): when none of them observes an
        // indicator or raises a trigger, that result stands with their bounds added. A history walks a 500-finding audit
        // row by row this way in O(n), where classifying the whole case again at each row would be O(n²).
        if (!c.Removed && c.Added.Count > 0 && c.ValidFrom <= atTicks && atTicks < c.ResultUntil)
        {
            until = c.ResultUntil;
            foreach (var member in c.Added)
            {
                Visit(member);
            }

            if (observations.Count == 0 && raised.Count == 0 && order == long.MaxValue)
            {
                c.Added.Clear();
                c.Dirty = false;
                c.ValidFrom = atTicks;
                c.ValidUntil = c.ResultUntil = until;
                return;
            }

            (until, order) = (long.MaxValue, long.MaxValue);
            observations.Clear();
            raised.Clear();
        }

        foreach (var member in c.Members)
        {
            Visit(member);
        }

        void Visit(int member)
        {
            CaseMemberVisits++;
            var kind = member >> 28;
            var index = member & 0x0FFFFFFF;
            signalTriggers.Clear();
            var observed = false;
            if (kind == KindFinding)
            {
                ref var row = ref _findings[index];
                var activation = row.EndDay * TicksPerDay;
                if (activation > atTicks)
                {
                    until = Math.Min(until, activation);
                    return;
                }

                var verifiedRemediated = row.Status == (byte)FindingStatus.VerifiedRemediated;
                var instant = row.EndDay;
                if (verifiedRemediated && row.StatusOn != NoDay)
                {
                    if (row.StatusOn <= todayDay)
                    {
                        instant = row.StatusOn;
                    }
                    else
                    {
                        until = Math.Min(until, row.StatusOn * TicksPerDay);
                    }
                }

                var inPeriod = InPeriod(instant, ref until);
                var count = IndicatorCount(member, row.Indicators);
                observed = count > 0;
                for (var j = 0; j < count && inPeriod; j++)
                {
                    var (code, strength, overridden) = IndicatorAt(member, row.Indicators, j);
                    observations.Add(new CaseObservation(c.Id, row.SignalId, code, strength, overridden, (EvidenceStatus)row.Evidence, DateOnly.FromDayNumber(instant), verifiedRemediated));
                }

                if (!verifiedRemediated && inPeriod)
                {
                    RiskEngine.AddFindingTriggers(signalTriggers, (FindingCategory)row.Category, (Severity)row.Severity, row.SignalId, c.Id, (EvidenceStatus)row.Evidence, DateOnly.FromDayNumber(instant));
                }
            }
            else if (kind == KindGrievance)
            {
                ref var row = ref _grievances[index];
                if (Discarded(row))
                {
                    return;
                }

                if (row.ReceivedTicks > atTicks)
                {
                    until = Math.Min(until, row.ReceivedTicks);
                    return;
                }

                var received = (int)(row.ReceivedTicks / TicksPerDay);
                var inPeriod = InPeriod(received, ref until);
                var count = IndicatorCount(member, row.Allegations);
                observed = count > 0;
                for (var j = 0; j < count && inPeriod; j++)
                {
                    var (code, strength, overridden) = IndicatorAt(member, row.Allegations, j);
                    observations.Add(new CaseObservation(c.Id, row.Id, code, strength, overridden, (EvidenceStatus)row.Evidence, DateOnly.FromDayNumber(received), false));
                }

                if (inPeriod)
                {
                    RiskEngine.AddGrievanceTriggers(signalTriggers, row.ChildInvolved, row.ImminentDanger, row.Id, c.Id, (EvidenceStatus)row.Evidence, DateOnly.FromDayNumber(received));
                }
            }
            else
            {
                ref var row = ref _fees[index];
                var activation = row.RecruitedDay * TicksPerDay;
                if (activation > atTicks)
                {
                    until = Math.Min(until, activation);
                    return;
                }

                observed = true;
                if (InPeriod(row.RecruitedDay, ref until))
                {
                    var on = DateOnly.FromDayNumber(row.RecruitedDay);
                    observations.Add(new CaseObservation(c.Id, row.ReportId, IndicatorCode.DebtLinkedRecruitment,
                        IndicatorCatalog.DefaultStrengthOf(IndicatorCode.DebtLinkedRecruitment), false, (EvidenceStatus)row.Evidence, on, false));
                    if (row.MayNotLeave)
                    {
                        observations.Add(new CaseObservation(c.Id, row.ReportId, IndicatorCode.DebtManipulation,
                            IndicatorCatalog.DefaultStrengthOf(IndicatorCode.DebtManipulation), false, (EvidenceStatus)row.Evidence, on, false));
                    }
                }
            }

            if (observed)
            {
                order = Math.Min(order, member);
            }

            for (var j = 0; j < signalTriggers.Count; j++)
            {
                raised.Add((((long)member << 8) | (long)j, signalTriggers[j]));
            }
        }

        var classification = ForcedLabourClassification.None;
        if (observations.Count > 0)
        {
            var caseTriggers = new List<TriggerRecord>();
            classification = RiskEngine.ClassifyCase(c.Id, observations, caseTriggers).Classification;
            for (var j = 0; j < caseTriggers.Count; j++)
            {
                raised.Add(((1L << 40) | (order << 8) | (long)j, caseTriggers[j]));
            }
        }

        _classificationCounts[(int)c.Classification]--;
        _classificationCounts[(int)classification]++;
        c.Classification = classification;
        if (RiskBasis.IsIndicated(classification))
        {
            _indicatedCases[c.Id] = classification;
        }
        else
        {
            _indicatedCases.Remove(c.Id);
        }
        (long, TriggerRecord)[]? newRaised = raised.Count == 0 ? null : [.. raised];
        _triggersChanged |= !SameTriggers(c.Raised, newRaised);
        c.Raised = newRaised;
        c.Dirty = false;
        c.ValidFrom = atTicks;
        c.ValidUntil = c.ResultUntil = until;
        c.Added.Clear();
        c.Removed = false;
    }

    /// <summary>One FL-1 case: its member signals (kind and index, in the engine's order of adding observations) and a cached result.</summary>
    private sealed class CaseState(string id)
    {
        public string Id { get; } = id;

        public List<int> Members { get; } = new(2);

        public long ValidFrom { get; set; } = long.MaxValue;

        public long ValidUntil { get; set; } = long.MinValue;

        public ForcedLabourClassification Classification { get; set; }

        public bool Dirty { get; set; }

        public (long Key, TriggerRecord Trigger)[]? Raised { get; set; }

        /// <summary>Until when the last result holds for the members it was derived from (<see cref="ValidUntil"/> is reset by a change).</summary>
        public long ResultUntil { get; set; } = long.MinValue;

        /// <summary>Members added since the last result.</summary>
        public List<int> Added { get; } = [];

        /// <summary>A member was removed since the last result: it must be derived from all members again.</summary>
        public bool Removed { get; set; }

        public void Add(int member)
        {
            var i = Members.BinarySearch(member);
            Members.Insert(i < 0 ? ~i : i, member);
            Added.Add(member);
            ValidUntil = long.MinValue;
        }

        public void Remove(int member)
        {
            Members.Remove(member);
            Removed = true;
            ValidUntil = long.MinValue;
        }
    }

    /// <summary>
    /// Σ wᵢ·2^((tᵢ−E)/h) over the signals of one half-life, and Σ |wᵢ|·2^((tᵢ−E)/h) over every addition and removal, the
    /// magnitude the rounding error is bounded by. The epoch E moves forward when new terms would grow the exponent past 64.
    /// </summary>
    private sealed class DecayClass(double halfLife)
    {
        private double _epoch = double.NaN;
        private double _sum;
        private double _magnitude;

        public void Add(double weight, double fromDays, int sign)
        {
            if (double.IsNaN(_epoch))
            {
                _epoch = fromDays;
            }

            var exponent = (fromDays - _epoch) / halfLife;
            if (exponent > 64)
            {
                var shift = Math.Pow(2, -exponent);
                _sum *= shift;
                _magnitude *= shift;
                _epoch = fromDays;
                exponent = 0;
            }

            var value = weight * Math.Pow(2, exponent);
            _sum += sign * value;
            _magnitude += value;
        }

        public void ValueAt(double atDays, out double value, out double magnitude)
        {
            if (double.IsNaN(_epoch))
            {
                value = magnitude = 0;
                return;
            }

            var factor = Math.Pow(2, -(atDays - _epoch) / halfLife);
            value = factor * _sum;
            magnitude = factor * _magnitude;
        }
    }

    private struct FindingRow
    {
        public string SignalId;
        public ulong Indicators;
        public int Audit;
        public int Case;
        public int EndDay;
        public int StatusOn;
        public int DueDay;
        public int Workers;
        public byte Category;
        public byte Severity;
        public byte Evidence;
        public byte Status;
        public bool Repeat;
    }

    private struct GrievanceRow
    {
        public string Id;
        public long ReceivedTicks;
        public ulong Allegations;
        public int Case;
        public int Workers;
        public int ClosedOn;
        public byte Evidence;
        public byte Status;
        public byte Outcome;
        public bool ImminentDanger;
        public bool ChildInvolved;
        public bool Verified;
    }

    /// <summary>A fee report: the FL-1 facts, and for recruiters the US dollar amounts its fee group needs.</summary>
    private protected struct FeeRow
    {
        public string ReportId;
        public string WorkerRef;
        public string Origin;
        public string Destination;
        public string? MissingCurrency;
        public decimal PaidUsd;
        public decimal WageUsd;
        public int RecruitedDay;
        public int ReimbursedOn;
        public byte Evidence;
        public bool DebtLinked;
        public bool MayNotLeave;
        public bool FullyReimbursed;
    }
}
