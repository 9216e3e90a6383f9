using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Live;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>
/// The mechanics shared by supplier and recruiter grains: apply evidence-log rows in order, update the compact
/// incremental state (<see cref="SubjectState"/>: O(1) per signal, no re-evaluation of the whole history), record
/// escalations, update the read model and write the snapshot. The explanation (the full evaluation) is built only when a
/// risk read asks for it or when an escalation rule may fire. The evidence log is the system of record; the snapshot only
/// saves replay time, so every step after the log append may be repeated safely.
/// </summary>
public abstract class SubjectGrain<TDocument, TState> : Grain, ISubjectGrain, IRemindable
    where TDocument : SubjectDocument, new()
    where TState : SubjectState
{
    private const string TimeChecksReminder = "time-checks";

    // How soon a snapshot that found derived writes still queued looks again (see WriteSnapshotIfBehindAsync).
    private static readonly TimeSpan SnapshotRecheck = TimeSpan.FromMilliseconds(250);

    private readonly IPersistentState<SubjectSnapshot> _state;
    private readonly ILogger _logger;
    private long _snapshotSeq; // AppliedSeq of the snapshot in the store.
    private IGrainTimer? _snapshotTimer;
    private bool _snapshotSoon; // The snapshot timer was moved to fire at once (enough rows behind).
    private Task _derivedWritten = Task.CompletedTask; // This activation's derived writes not yet known durable.
    private TState? _compact;
    private bool _engineOnly; // A signal the compact state cannot hold exactly (outside the limits): the engine evaluates.
    private long _version; // Moves with every change of what the evaluation depends on: the key of a cached answer (unique in the silo).
    private int? _overdueScannedDay; // Day of the last look at every grievance and finding for overdue deadlines.
    private readonly HashSet<string> _overdueStored = new(StringComparer.Ordinal); // Overdue event ids durable in the store (this activation).
    private readonly HashSet<string> _overdueWithdrawn = new(StringComparer.Ordinal); // Overdue event ids withdrawn (this activation).
    private string? _lastSignalId; // The signal of the last row applied: what moved a risk change.

    protected SubjectGrain(IPersistentState<SubjectSnapshot> state, SubjectServices services)
    {
        _state = state;
        Services = services;
        _logger = services.LoggerFactory.CreateLogger(GetType());
    }

    protected SubjectServices Services { get; }

    protected TDocument Document { get; private set; } = new();

    /// <summary>The compact state, kept equal to <see cref="Document"/> row by row.</summary>
    protected TState Compact => _compact ??= NewCompact();

    /// <summary>The score-only evaluation of the current state, refreshed in O(1) per change (see <see cref="Summary"/>).</summary>
    private RiskSummary? _summary;
    private long _summaryVersion;

    protected string SubjectKey => this.GetPrimaryKeyString();

    protected long AppliedSeq => _state.State.AppliedSeq;

    /// <summary>The durable high-water mark of what was derived, as read on activation: rows up to it have their consequences stored.</summary>
    protected long DerivedSeq { get; private set; }

    protected string SubjectId => SubjectKeys.IdOf(SubjectKey);

    protected abstract RiskEvaluation Evaluate(TDocument document, DateTimeOffset at);

    protected abstract TState NewCompact();

    /// <summary>Hands a profile row (already applied to the document) on to the compact state.</summary>
    protected abstract void MirrorProfile();

    /// <summary>Hands a link row to <paramref name="counterpartId"/> (already applied to the document) on to the compact state.</summary>
    protected abstract void MirrorLink(string counterpartId);

    /// <summary>Whether the compact state computes this fee report exactly as the engine does (the engine quarantines it otherwise).</summary>
    protected virtual bool IsUsable(FeeReport report) => FeeArithmetic.CheckLimits(report) is null;

    /// <summary>Pushed inputs (a counterpart's score or sector) changed the compact state: cached answers are stale.</summary>
    protected void Changed() => _version = RiskAnswerCache.NextVersion();

    /// <summary>
    /// Score, band, classification and triggers now: the compact state's O(1) evaluation (the last one is reused for the same
    /// state at the same instant), or the engine's for a subject holding a signal the compact state leaves to it.
    /// </summary>
    private RiskSummary Summary(DateTimeOffset now)
    {
        if (_summary is { } cached && cached.EvaluatedAt == now && _summaryVersion == _version)
        {
            return cached;
        }

        _summaryVersion = _version;

        if (!_engineOnly)
        {
            try
            {
                return _summary = Compact.Evaluate(now);
            }
            catch (MissingExchangeRateException)
            {
                // The engine quarantines such a report; let it evaluate this subject from now on.
                _engineOnly = true;
            }
#pragma warning disable CA1031 // Any other failure of the compact state: the engine (which quarantines) decides from now on.
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                _logger.LogWarning("The compact state of {Subject} failed ({ExceptionType}); the engine evaluates it from now on", SubjectKey, exception.GetType().Name);
                _engineOnly = true;
            }
#pragma warning restore CA1031
        }

        var evaluation = EvaluateTotal(Document, now);
        return _summary = new RiskSummary(evaluation.SubjectId, evaluation.Score, evaluation.Band, evaluation.ForcedLabour, evaluation.ZeroTolerance,
            evaluation.PrecautionaryAlerts, evaluation.ModelVersion, evaluation.EvaluatedAt);
    }

    private RiskBasis BasisOf(RiskSummary summary) =>
        _engineOnly ? RiskBasis.Of(EvaluateTotal(Document, summary.EvaluatedAt)) : RiskBasis.Of(summary, Compact.IndicatedCases);

    /// <summary>The evaluation with the rows the document could not read listed beside those the engine left out.</summary>
    private RiskEvaluation EvaluateTotal(TDocument document, DateTimeOffset at)
    {
        RiskEvaluation evaluation;
        try
        {
            evaluation = Evaluate(document, at);
        }
        catch (Exception exception)
        {
            // Visible to operators (readiness, scw.subjects.failed) instead of a silent 500 loop; the caller still fails.
            if (Services.Failures.Failed(SubjectKey, SubjectFailures.EvaluationStage, exception, Services.Clock.Now))
            {
                LogFailed(SubjectKey, SubjectFailures.EvaluationStage, exception.GetType().Name);
            }
            else
            {
                LogInfrastructureFailure(SubjectKey, SubjectFailures.EvaluationStage, exception.GetType().Name);
            }
            throw;
        }

        if (document.Quarantined.Count > 0)
        {
            evaluation = evaluation with { Quarantined = [.. document.Quarantined.Values, .. evaluation.Quarantined] };
        }

        if (ReferenceEquals(document, Document))
        {
            Services.Quarantine.Report(SubjectKey, evaluation.Quarantined);
            Services.Failures.Succeeded(SubjectKey);
        }

        return evaluation;
    }

    protected abstract SubjectSummary Summarize(RiskSummary evaluation, DateTimeOffset updatedAt);

    protected abstract SubjectOverview Overview();

    /// <summary>Suppliers a recruiter places workers with (empty for suppliers): targets of high-risk-linked events.</summary>
    protected virtual IReadOnlyList<string> LinkedSupplierIds => [];

    /// <summary>Suppliers that started placing workers with a recruiter in the rows being applied (empty for suppliers).</summary>
    protected virtual IReadOnlyCollection<string> NewlyLinkedSupplierIds => [];

    /// <summary>Called before a row is applied, with the document as it was: lets a grain notice what changes.</summary>
    protected virtual void BeforeApply(EvidenceEntry entry)
    {
    }

    /// <summary>Called after the new evaluation is durable; grains notify their counterparts here (one-way).</summary>
    protected virtual Task AfterEvaluatedAsync(RiskBasis? previous, RiskBasis current) => Task.CompletedTask;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _snapshotSeq = _state.State.AppliedSeq;
        // Snapshots written before the compact basis kept the whole last evaluation: its basis is all that is compared.
        if (_state.State.LastEvaluation is { } legacy)
        {
            _state.State.Basis ??= RiskBasis.Of(legacy);
            _state.State.LastEvaluation = null;
        }

        try
        {
            await LoadFromSnapshotAndLogAsync(cancellationToken);
            if (Document.Quarantined.Count > 0)
            {
                Services.Quarantine.Report(SubjectKey, [.. Document.Quarantined.Values]);
            }

            await AfterActivationAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Orleans answers the call that activated us with this exception and tries again on the next call.
            if (Services.Failures.Failed(SubjectKey, SubjectFailures.ActivationStage, exception, Services.Clock.Now))
            {
                LogFailed(SubjectKey, SubjectFailures.ActivationStage, exception.GetType().Name);
            }
            else
            {
                LogInfrastructureFailure(SubjectKey, SubjectFailures.ActivationStage, exception.GetType().Name);
            }
            throw;
        }

        Services.Failures.Succeeded(SubjectKey);
        await base.OnActivateAsync(cancellationToken);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_state.State.AppliedSeq != _snapshotSeq)
        {
            await WriteSnapshotAsync();
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>Called once the snapshot and the log are applied; grains refresh what counterparts push to them.</summary>
    protected virtual Task AfterActivationAsync() => Task.CompletedTask;

    public Task<int> GetScoreAsync() => Task.FromResult(Summary(Services.Clock.Now).Score);

    public async Task CatchUpAsync(IReadOnlyList<EvidenceEntry> appended)
    {
        var applied = _state.State.AppliedSeq;
        var rows = appended.Where(e => e.SubjectSeq > applied).OrderBy(e => e.SubjectSeq).ToList();
        if (rows.Count == 0)
        {
            return;
        }

        if (!IsContiguous(applied, rows))
        {
            // Another writer appended rows for this subject that were not handed to us: the log has them.
            rows = await ReadLogAsync(applied, CancellationToken.None);
        }

        await ApplyAndRecomputeAsync(rows);
    }

    public Task<SubjectOverview> GetOverviewAsync() => Task.FromResult(Overview());

    public async Task<bool> RescoreAsync()
    {
        // After a risk-model change: evaluate with the model now loaded; record and propagate only what changed.
        var previous = _state.State.Basis;
        var evaluation = Summary(Services.Clock.Now);
        if (previous is not null && previous.Score == evaluation.Score && previous.Band == evaluation.Band && previous.ForcedLabour == evaluation.ForcedLabour)
        {
            return false;
        }

        await RecomputeWithoutNewEvidenceAsync();
        return true;
    }

    public Task<RiskAnswer?> GetRiskAsync(DateTimeOffset? asOf)
    {
        if (AppliedSeq == 0)
        {
            return Task.FromResult<RiskAnswer?>(null);
        }

        var now = Services.Clock.Now;
        if (asOf is not null && asOf.Value < now)
        {
            return GetRiskAsOfAsync(asOf.Value);
        }

        // The explanation is built when asked for and kept only in the silo's bounded answer cache: repeated reads of an
        // unchanged subject hand out the same instance (whose serialised bytes the API keeps beside it, see RiskAnswer).
        var answer = Services.Answers.Get(SubjectKey, _version, now, Services.Options.ReevaluateReadsAfter);
        if (answer is null)
        {
            answer = new RiskAnswer(EvaluateTotal(Document, now), Document.Consents());
            Services.Answers.Put(SubjectKey, _version, answer);
        }

        return Task.FromResult<RiskAnswer?>(answer);
    }

    private async Task<RiskAnswer?> GetRiskAsOfAsync(DateTimeOffset asOf)
    {
        // "As of": the evidence as it was recorded by that instant, evaluated at that instant.
        var asOfDocument = new TDocument();
        foreach (var row in await ReadLogAsync(0, CancellationToken.None))
        {
            if (row.RecordedAt > asOf)
            {
                break;
            }

            asOfDocument.Apply(row);
        }

        PrepareAsOfDocument(asOfDocument);
        return new RiskAnswer(EvaluateTotal(asOfDocument, asOf), asOfDocument.Consents());
    }

    public async Task<RiskAnswer?> GetRiskDatedAsync(DateTimeOffset dated)
    {
        if (AppliedSeq == 0)
        {
            return null;
        }

        // "Dated by": the evidence the signals' own dates put before that instant, however late it was recorded.
        var now = Services.Clock.Now;
        var at = dated < now ? dated : now;
        var day = DatedEvidence.DayOf(at);
        var datedDocument = new TDocument();
        foreach (var row in await ReadLogAsync(0, CancellationToken.None))
        {
            if (SubjectDocument.IsDatedBy(row, day))
            {
                datedDocument.Apply(row);
            }
        }

        datedDocument.KeepDatedBy(at);
        PrepareAsOfDocument(datedDocument);
        return new RiskAnswer(EvaluateTotal(datedDocument, at), datedDocument.Consents());
    }

    public async Task<RiskHistory?> GetRiskHistoryAsync(DateTimeOffset from, DateTimeOffset to, long afterSeq)
    {
        if (AppliedSeq == 0)
        {
            return null;
        }

        var rows = await ReadLogAsync(0, CancellationToken.None);
        var propagation = await RecruiterScoreChangesAsync(to);
        var history = RiskHistoryBuilder.Build(SubjectKey, NewCompact(), rows, propagation, from, to, afterSeq);

        // The history is read by the brand's roles (compliance, admin): a grievance the worker did not share with the
        // brand keeps its points but is named withheld, as in the risk view and the live stream.
        return history with
        {
            Points = [.. history.Points.Select(p => p.Causes.Any(c => IsWithheldFromBrand(c.Cause, c.SignalId))
                ? p with { Causes = [.. p.Causes.Select(c => IsWithheldFromBrand(c.Cause, c.SignalId) ? c with { SignalId = ConsentRules.WithheldSignalId } : c)] }
                : p)],
        };
    }

    private bool IsWithheldFromBrand(string kind, string? signalId) =>
        signalId is not null && kind is EvidenceKinds.Grievance or EvidenceKinds.GrievanceStatus
        && ConsentRules.For(Document.GrievanceConsents.GetValueOrDefault(signalId), DisclosureAudience.Brand).Withheld;

    /// <summary>Score changes of linked recruiters up to <paramref name="to"/>, oldest first (none for recruiters).</summary>
    protected virtual Task<IReadOnlyList<RecruiterScoreChange>> RecruiterScoreChangesAsync(DateTimeOffset to) => Task.FromResult<IReadOnlyList<RecruiterScoreChange>>([]);

    /// <summary>Lets a grain carry over state that the log does not hold (for example recruiter scores).</summary>
    protected virtual void PrepareAsOfDocument(TDocument asOfDocument)
    {
    }

    public async Task RunTimeChecksAsync()
    {
        // Diffs start from the last evaluation escalations were derived from, not from a read's refresh.
        var previous = _state.State.Basis;
        var now = Services.Clock.Now;
        var evaluation = Summary(now);
        var basis = BasisOf(evaluation);
        var summary = Summarize(evaluation, now);
        // Time passes for every signal: a time check looks at all of them (once an hour, not once per signal).
        _overdueScannedDay = DatedEvidence.DayOf(now).DayNumber;
        var events = EscalationFactory.ForTimeCheck(SubjectKey, _state.State.AppliedSeq, _state.State.Revision, previous, basis, () => EvaluateTotal(Document, now),
            Document.Grievances.Values, Document.Findings.Values, Document, () => LinkedSupplierIds, Services.Engine.Model, now, summary, _overdueStored, out var derivedEvents);
        var changed = previous is null || previous.Score != basis.Score || previous.Band != basis.Band || previous.ForcedLabour != basis.ForcedLabour;
        if (events.Count == 0 && !changed)
        {
            return;
        }

        HandOver(new DerivedWrite(SubjectKey, _state.State.AppliedSeq, _state.State.Revision, BasisJson(basis), events, [], now, summary),
            LiveEventsOf(previous, evaluation, summary, events, null));
        RememberOverdue(events, derivedEvents);
        if (changed)
        {
            _state.State.Basis = basis;
            ScheduleSnapshot();
            await AfterEvaluatedAsync(previous, basis);
        }
    }

    /// <summary>
    /// The turn's live events: the risk change, when score, band or classification moved, and the new escalations. They
    /// travel with the turn's derived write, which stores them (giving each its durable position) in the same
    /// transaction as the escalations and then publishes them on the cluster's live streams for the SSE clients of every
    /// silo; the answer to the submission does not wait for either.
    /// </summary>
    private List<LiveEvent> LiveEventsOf(RiskBasis? previous, RiskSummary evaluation, SubjectSummary summary, IReadOnlyList<StoredEscalation> escalations, string? signalId)
    {
        var events = new List<LiveEvent>(escalations.Count + 1);
        if (previous is null || previous.Score != evaluation.Score || previous.Band != evaluation.Band || previous.ForcedLabour != evaluation.ForcedLabour)
        {
            events.Add(new LiveEvent(0, LiveEvent.RiskChanged, SubjectKey, summary.Country, summary.Sector, evaluation.Score, evaluation.Band, evaluation.ForcedLabour,
                signalId, null, evaluation.EvaluatedAt));
        }

        events.AddRange(escalations.Select(e => new LiveEvent(0, e.Type, e.SubjectId, null, null, null, null, null, null, e.EventId, e.CreatedAt)));
        return events;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == TimeChecksReminder ? RunTimeChecksAsync() : Task.CompletedTask;

    /// <summary>
    /// The signal a live risk change names: the live stream reaches the brand's roles (compliance, admin), so a grievance
    /// the worker did not consent to share with the brand is named as the risk view names it, withheld.
    /// </summary>
    /// <remarks>
    /// The id is the key the document just recorded the row under (not parsed again from the row's JSON, which cost a
    /// second parse per signal); links and profiles name no signal.
    /// </remarks>
    private string? LiveSignalId(EvidenceEntry row)
    {
        var id = row.Kind is EvidenceKinds.Link or EvidenceKinds.Profile ? null : Document.LastTouched;
        return IsWithheldFromBrand(row.Kind, id) ? ConsentRules.WithheldSignalId : id;
    }

    protected async Task ApplyAndRecomputeAsync(IReadOnlyList<EvidenceEntry> rows)
    {
        foreach (var row in rows)
        {
            BeforeApply(row);
            Apply(row);
        }

        _lastSignalId = LiveSignalId(rows[^1]);
        await RecomputeAsync(rows[^1].SubjectSeq);
    }

    /// <summary>Applies one row to the document and hands the one record it set on to the compact state.</summary>
    private void Apply(EvidenceEntry row)
    {
        Document.Apply(row);
        _version = RiskAnswerCache.NextVersion();
        if (row.Kind == EvidenceKinds.Profile)
        {
            MirrorProfile();
            return;
        }

        if (Document.LastTouched is not { } key)
        {
            return;
        }

        switch (row.Kind)
        {
            case EvidenceKinds.Finding or EvidenceKinds.FindingStatus:
                var finding = Document.Findings[key];
                if (DomainLimits.Check(finding) is null)
                {
                    Compact.Apply(finding);
                }
                else
                {
                    _engineOnly = true;
                }

                break;
            case EvidenceKinds.Grievance or EvidenceKinds.GrievanceStatus:
                var grievance = Document.Grievances[key];
                if (DomainLimits.Check(grievance) is null)
                {
                    Compact.Apply(grievance);
                }
                else
                {
                    _engineOnly = true;
                }

                break;
            case EvidenceKinds.FeeReport:
                var report = Document.FeeReports[key];
                if (IsUsable(report))
                {
                    Compact.Apply(report);
                }
                else
                {
                    _engineOnly = true;
                }

                break;
            case EvidenceKinds.Link:
                MirrorLink(key);
                break;
        }
    }

    /// <summary>Rebuilds the compact state from the document (after loading a snapshot), in the document's order.</summary>
    private void RebuildCompact()
    {
        _compact = NewCompact();
        _engineOnly = false;
        _version = RiskAnswerCache.NextVersion();
        MirrorProfile();
        foreach (var finding in Document.Findings.Values)
        {
            if (DomainLimits.Check(finding) is null)
            {
                _compact.Apply(finding);
            }
            else
            {
                _engineOnly = true;
            }
        }

        foreach (var grievance in Document.Grievances.Values)
        {
            if (DomainLimits.Check(grievance) is null)
            {
                _compact.Apply(grievance);
            }
            else
            {
                _engineOnly = true;
            }
        }

        foreach (var report in Document.FeeReports.Values)
        {
            if (IsUsable(report))
            {
                _compact.Apply(report);
            }
            else
            {
                _engineOnly = true;
            }
        }

        MirrorLinks();
    }

    /// <summary>Hands every link of the document on to the compact state (after a snapshot load).</summary>
    protected abstract void MirrorLinks();

    /// <summary>
    /// Re-evaluates after a change that is not in the evidence log (a recruiter's pushed score, a supplier's
    /// sector). The revision keeps escalation ids of such re-evaluations apart from those of the same log row.
    /// </summary>
    protected Task RecomputeWithoutNewEvidenceAsync()
    {
        _state.State.Revision++;
        return RecomputeAsync(_state.State.AppliedSeq);
    }

    /// <summary>
    /// Re-evaluates after new evidence and hands everything derived from it to the silo's derived writer: the caller's
    /// answer goes out once the rows are applied here (they are durable in the log already), not once the derived views
    /// are written. The writer stores them behind the answer, with this subject's new high-water mark in the same
    /// transaction; after a crash the rows past the mark are derived again (on activation, or by the silo's sweep).
    /// </summary>
    protected async Task RecomputeAsync(long appliedSeq)
    {
        var turnStart = Stopwatch.GetTimestamp();
        var previous = _state.State.Basis;
        var now = Services.Clock.Now;
        var evaluation = Summary(now);
        var basis = BasisOf(evaluation);
        GrainMetrics.Record("evaluate", turnStart);

        var summary = Summarize(evaluation, now);
        var (changedFindings, changedGrievances) = Document.TakeChangedSignals();
        // Overdue deadlines: within a day only the signals just touched can newly be overdue (the others were looked at);
        // on a new day (or the first turn of an activation) every one is looked at again.
        var today = DatedEvidence.DayOf(now).DayNumber;
        var scanAll = _overdueScannedDay != today;
        _overdueScannedDay = today;
        var events = EscalationFactory.ForEvidence(SubjectKey, appliedSeq, _state.State.Revision, previous, basis, () => EvaluateTotal(Document, now),
            scanAll ? Document.Grievances.Values : changedGrievances, scanAll ? Document.Findings.Values : changedFindings, Document, () => LinkedSupplierIds,
            Services.Engine.Model, now, summary, _overdueStored, NewlyLinkedSupplierIds, out var derivedEvents);
        var withdrawals = EscalationFactory.Withdrawals(SubjectKey, changedFindings, changedGrievances, Services.Engine.Model, _overdueWithdrawn, Document);
        HandOver(new DerivedWrite(SubjectKey, appliedSeq, _state.State.Revision, BasisJson(basis), events, withdrawals, now, summary),
            LiveEventsOf(previous, evaluation, summary, events, appliedSeq != _state.State.AppliedSeq ? _lastSignalId : null));
        RememberOverdue(events, derivedEvents);
        _overdueWithdrawn.UnionWith(withdrawals);

        _state.State.AppliedSeq = appliedSeq;
        _state.State.Basis = basis;
        ScheduleSnapshot();
        await EnsureTimeChecksAsync(); // Once per activation.
        await AfterEvaluatedAsync(previous, basis);
        GrainMetrics.Record("turn", turnStart);
    }

    private static string BasisJson(RiskBasis basis) => JsonSerializer.Serialize(basis, EvidenceJson.Options);

    /// <summary>Queues one turn's consequences with the derived writer and remembers them until they are durable.</summary>
    private void HandOver(DerivedWrite write, IReadOnlyList<LiveEvent> liveEvents)
    {
        var written = Services.Derived.WriteAsync(write, liveEvents);
        _derivedWritten = _derivedWritten.IsCompletedSuccessfully ? written : Task.WhenAll(_derivedWritten, written);
    }

    /// <summary>
    /// Lazy snapshots, never ahead of the derived views (a snapshot is written after this activation's derived writes are
    /// durable, so a replay from it never skips rows whose consequences are missing): SnapshotAfter after the first row
    /// not in one, at once when SnapshotEveryRows rows are, and on deactivation. Writing one per signal would spend the
    /// store's write capacity twice.
    /// </summary>
    private void ScheduleSnapshot()
    {
        var behind = _state.State.AppliedSeq - _snapshotSeq >= SnapshotInterval;
        if (_snapshotTimer is null)
        {
            _snapshotSoon = behind;
            _snapshotTimer = this.RegisterGrainTimer(
                static (grain, _) => grain.WriteSnapshotIfBehindAsync(),
                this,
                new GrainTimerCreationOptions(behind ? TimeSpan.Zero : Services.Options.SnapshotAfter, Timeout.InfiniteTimeSpan) { Interleave = false });
        }
        else if (behind && !_snapshotSoon)
        {
            _snapshotSoon = true;
            _snapshotTimer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Rows applied since the last snapshot that make the next one due (see <see cref="SubjectGrainOptions.SnapshotEveryRows"/>).</summary>
    private long SnapshotInterval => Math.Max(Services.Options.SnapshotEveryRows, _snapshotSeq / 2);

    /// <summary>Overdue events (after the first <paramref name="derived"/>) are due at every later turn; once stored they are not sent again.</summary>
    private void RememberOverdue(IReadOnlyList<StoredEscalation> events, int derived)
    {
        for (var i = derived; i < events.Count; i++)
        {
            _overdueStored.Add(events[i].EventId);
        }
    }

    /// <summary>
    /// The snapshot timer's turn. A snapshot waits for this activation's derived writes (it must never be ahead of them),
    /// but not inside the grain's turn while they are still queued: the turn is not interleaved, so every signal for this
    /// subject would wait behind the derived writer, and with a slow store its callers time out (seen in CI: 503s under
    /// load with the derived writer held back). Until they are durable the timer looks again shortly; only a subject
    /// that far behind its snapshot (four times the row interval) waits for them in the turn, which bounds its replay.
    /// </summary>
    private Task WriteSnapshotIfBehindAsync()
    {
        if (_state.State.AppliedSeq == _snapshotSeq)
        {
            return DisposeSnapshotTimer();
        }

        if (!_derivedWritten.IsCompleted && _state.State.AppliedSeq - _snapshotSeq < 4L * SnapshotInterval)
        {
            _snapshotSoon = true;
            _snapshotTimer?.Change(SnapshotRecheck, Timeout.InfiniteTimeSpan);
            return Task.CompletedTask;
        }

        return WriteSnapshotAsync();
    }

    private Task DisposeSnapshotTimer()
    {
        _snapshotTimer?.Dispose();
        _snapshotTimer = null;
        _snapshotSoon = false;
        return Task.CompletedTask;
    }

    private async Task LoadFromSnapshotAndLogAsync(CancellationToken cancellationToken)
    {
        // The durable mark says what was derived and from which evaluation; it is never behind the snapshot (see
        // ScheduleSnapshot), so its basis is where the replay's escalations start from.
        if (await Services.DerivedStore.ReadMarkAsync(SubjectKey, cancellationToken) is { } mark)
        {
            DerivedSeq = mark.DerivedSeq;
            _state.State.Revision = Math.Max(_state.State.Revision, mark.Revision);
            if (mark.BasisJson is { } basisJson)
            {
                _state.State.Basis = JsonSerializer.Deserialize<RiskBasis>(basisJson, EvidenceJson.Options);
            }
        }

        Document = _state.State.DocumentJson is { } json
            ? JsonSerializer.Deserialize<TDocument>(json, EvidenceJson.Options) ?? new TDocument()
            : new TDocument();
        _state.State.DocumentJson = null; // See ReleaseSnapshotText.

        // A snapshot from before consents were kept cannot say what each audience may see: read them from the log's
        // grievance rows (only those; the rest of the document, pushed recruiter scores included, stays as it is).
        if (Document.LacksConsents)
        {
            Document.BackfillConsents(await ReadLogAsync(0, cancellationToken));
        }

        RebuildCompact();

        var missed = await ReadLogAsync(_state.State.AppliedSeq, cancellationToken);
        if (missed.Count > 0)
        {
            _logger.LogInformation("Replaying {Count} evidence rows for {Subject} after snapshot {Seq}", missed.Count, SubjectKey, _state.State.AppliedSeq);
            await ApplyAndRecomputeAsync(missed);
        }
    }

    private async Task WriteSnapshotAsync()
    {
        await DisposeSnapshotTimer();
        try
        {
            await _derivedWritten;
        }
#pragma warning disable CA1031 // Logged by the writer; the log still holds the rows, so they are derived again elsewhere.
        catch (Exception)
        {
            // Derived writes were given up: no snapshot past them. A fresh activation derives again from the durable mark.
            _logger.LogWarning("Derived views of {Subject} could not be written; deactivating to derive them again from the log", SubjectKey);
            DeactivateOnIdle();
            return;
        }
#pragma warning restore CA1031

        try
        {
            // Serialised here, not per applied row: the document is only needed in the store.
            _state.State.DocumentJson = JsonSerializer.Serialize(Document, EvidenceJson.Options);
            await _state.WriteStateAsync();
            _snapshotSeq = _state.State.AppliedSeq;
            ReleaseSnapshotText();
        }
        catch (InconsistentStateException exception)
        {
            // Someone else wrote our row (a previous activation during a silo failure). The log is the truth:
            // reload, replay what the stored snapshot lacks, and write once more on top of the stored version.
            _logger.LogWarning(exception, "Snapshot of {Subject} was stale; reloading and replaying", SubjectKey);
            var basis = _state.State.Basis;
            await _state.ReadStateAsync();
            Document = _state.State.DocumentJson is { } json
                ? JsonSerializer.Deserialize<TDocument>(json, EvidenceJson.Options) ?? new TDocument()
                : new TDocument();
            var missed = await ReadLogAsync(_state.State.AppliedSeq, CancellationToken.None);
            foreach (var row in missed)
            {
                Document.Apply(row);
            }

            RebuildCompact();

            if (missed.Count > 0)
            {
                _state.State.AppliedSeq = missed[^1].SubjectSeq;
            }

            _state.State.DocumentJson = JsonSerializer.Serialize(Document, EvidenceJson.Options);
            _state.State.Basis = basis;
            _state.State.LastEvaluation = null;
            await _state.WriteStateAsync();
            _snapshotSeq = _state.State.AppliedSeq;
            ReleaseSnapshotText();
        }
    }

    /// <summary>
    /// The document's JSON is only needed while it is being written (every write serialises the document afresh), and it
    /// is as large as the document itself: kept in state it doubled an active subject's memory.
    /// </summary>
    private void ReleaseSnapshotText() => _state.State.DocumentJson = null;

    private async Task EnsureTimeChecksAsync()
    {
        if (_state.State.TimeChecksRegistered)
        {
            return;
        }

        var period = Services.Options.TimeCheckPeriod;
        await this.RegisterOrUpdateReminder(TimeChecksReminder, period, period);
        // Recorded with the next snapshot, not by a write of its own: should the flag be lost, the next activation
        // registers the reminder again, and registering is idempotent.
        _state.State.TimeChecksRegistered = true;
    }

    private async Task<List<EvidenceEntry>> ReadLogAsync(long afterSubjectSeq, CancellationToken cancellationToken)
    {
        var rows = await Services.EvidenceLog.ReadSubjectAsync(SubjectKey, afterSubjectSeq, cancellationToken);
        return [.. rows.Select(r => new EvidenceEntry(r.SubjectSeq, r.Kind, r.ContentJson, r.RecordedAt))];
    }

    private void LogInfrastructureFailure(string subject, string stage, string exceptionType) =>
        _logger.LogWarning("Subject {Subject}'s {Stage} failed on the cluster or the store ({ExceptionType}); its next call tries again.", subject, stage, exceptionType);

    // The type only: an exception's message may quote stored content.
    private void LogFailed(string subject, string stage, string exceptionType) =>
        _logger.LogError("Subject {Subject} failed its {Stage} ({ExceptionType}); readiness entry 'subjects' reports it until one succeeds.", subject, stage, exceptionType);

    private static bool IsContiguous(long applied, List<EvidenceEntry> rows)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i].SubjectSeq != applied + 1 + i)
            {
                return false;
            }
        }

        return true;
    }
}
