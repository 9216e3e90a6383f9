using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using Orleans.Streams;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Live;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>
/// The mechanics shared by supplier and recruiter grains: apply evidence-log rows in order, re-evaluate,
/// record escalations, update the read model and write the snapshot. The evidence log is the system of
/// record; the snapshot only saves replay time, so every step after the log append may be repeated safely.
/// </summary>
public abstract class SubjectGrain<TDocument> : Grain, ISubjectGrain, IRemindable
    where TDocument : SubjectDocument, new()
{
    private const string TimeChecksReminder = "time-checks";

    private readonly IPersistentState<SubjectSnapshot> _state;
    private readonly ILogger _logger;
    private long _snapshotSeq; // AppliedSeq of the snapshot in the store.
    private IGrainTimer? _snapshotTimer;
    private RiskAnswer? _answer; // Wraps Current for risk reads; replaced whenever Current is.
    private readonly HashSet<string> _overdueStored = new(StringComparer.Ordinal); // Overdue event ids durable in the store (this activation).
    private readonly HashSet<string> _overdueWithdrawn = new(StringComparer.Ordinal); // Overdue event ids withdrawn (this activation).
    private string? _lastSignalId; // The signal of the last row applied: what moved a risk change.

    protected SubjectGrain(IPersistentState<SubjectSnapshot> state, SubjectServices services)
    {
        _state = state;
        Services = services;
        _logger = services.LoggerFactory.CreateLogger(GetType());
    }

    /// <summary>The live events' durable positions; absent in hosts without the live stream.</summary>
    private SqlLiveEventStore? LiveEvents => ServiceProvider.GetService<SqlLiveEventStore>();

    protected SubjectServices Services { get; }

    protected TDocument Document { get; private set; } = new();

    protected RiskEvaluation? Current { get; private set; }

    protected string SubjectKey => this.GetPrimaryKeyString();

    protected long AppliedSeq => _state.State.AppliedSeq;

    protected string SubjectId => SubjectKeys.IdOf(SubjectKey);

    protected abstract RiskEvaluation Evaluate(TDocument document, DateTimeOffset at);

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
            Services.Failures.Failed(SubjectKey, SubjectFailures.EvaluationStage, exception, Services.Clock.Now);
            LogFailed(SubjectKey, SubjectFailures.EvaluationStage, exception.GetType().Name);
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

    protected abstract SubjectSummary Summarize(RiskEvaluation evaluation, DateTimeOffset updatedAt);

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
    protected virtual Task AfterEvaluatedAsync(RiskEvaluation? previous, RiskEvaluation current) => Task.CompletedTask;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _snapshotSeq = _state.State.AppliedSeq;
        try
        {
            await LoadFromSnapshotAndLogAsync(cancellationToken);
            if (Current is { Quarantined.Count: > 0 } restored)
            {
                Services.Quarantine.Report(SubjectKey, restored.Quarantined);
            }

            await AfterActivationAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Orleans answers the call that activated us with this exception and tries again on the next call.
            Services.Failures.Failed(SubjectKey, SubjectFailures.ActivationStage, exception, Services.Clock.Now);
            LogFailed(SubjectKey, SubjectFailures.ActivationStage, exception.GetType().Name);
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

    public Task<int> GetScoreAsync() => Task.FromResult((Current ?? EvaluateTotal(Document, Services.Clock.Now)).Score);

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
        var previous = _state.State.LastEvaluation;
        var evaluation = EvaluateTotal(Document, Services.Clock.Now);
        if (previous is not null && previous.Score == evaluation.Score && previous.Band == evaluation.Band && previous.ForcedLabour == evaluation.ForcedLabour)
        {
            Current = evaluation;
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

        if (Current is null || now - Current.EvaluatedAt > Services.Options.ReevaluateReadsAfter)
        {
            Current = EvaluateTotal(Document, now);
        }

        // One answer object per evaluation: repeated reads hand out the same instance (see RiskAnswer).
        if (!ReferenceEquals(_answer?.Evaluation, Current))
        {
            _answer = new RiskAnswer(Current, Document.Consents());
        }

        return Task.FromResult<RiskAnswer?>(_answer);
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
        var history = RiskHistoryBuilder.Build(SubjectKey, CreateState(), rows, propagation, from, to, afterSeq);

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

    /// <summary>An empty compact state of this subject's kind, for a history walked from the first row.</summary>
    protected abstract SubjectState CreateState();

    /// <summary>Score changes of linked recruiters up to <paramref name="to"/>, oldest first (none for recruiters).</summary>
    protected virtual Task<IReadOnlyList<RecruiterScoreChange>> RecruiterScoreChangesAsync(DateTimeOffset to) => Task.FromResult<IReadOnlyList<RecruiterScoreChange>>([]);

    /// <summary>Lets a grain carry over state that the log does not hold (for example recruiter scores).</summary>
    protected virtual void PrepareAsOfDocument(TDocument asOfDocument)
    {
    }

    public async Task RunTimeChecksAsync()
    {
        // Diffs start from the last evaluation escalations were derived from, not from a read's refresh.
        var previous = _state.State.LastEvaluation;
        var now = Services.Clock.Now;
        var evaluation = EvaluateTotal(Document, now);
        var summary = Summarize(evaluation, now);
        var events = EscalationFactory.ForTimeCheck(SubjectKey, _state.State.AppliedSeq, _state.State.Revision, previous, evaluation, Document, LinkedSupplierIds,
            Services.Engine.Model, now, summary, _overdueStored, out var derivedEvents);
        if (events.Count > 0)
        {
            await Services.Escalations.AddAsync(events);
            RememberOverdue(events, derivedEvents);
        }

        Current = evaluation;
        var changed = previous is null || previous.Score != evaluation.Score || previous.Band != evaluation.Band || previous.ForcedLabour != evaluation.ForcedLabour;
        if (changed)
        {
            await Services.ReadModel.UpsertAsync(summary);
        }

        await PublishLiveAsync(previous, evaluation, summary, events, null);
        if (changed)
        {
            _state.State.LastEvaluation = evaluation;
            await WriteSnapshotAsync();
            await AfterEvaluatedAsync(previous, evaluation);
        }
    }

    /// <summary>
    /// Records the turn's live events (the risk change, when score, band or classification moved, and the new escalations)
    /// in the live event store, which gives each its durable position, then publishes them on the cluster's live streams
    /// for the SSE clients of every silo. Never fails the turn: the evidence and everything derived from it are durable
    /// already, and a client that reconnects reads the store.
    /// </summary>
    private async Task PublishLiveAsync(RiskEvaluation? previous, RiskEvaluation evaluation, SubjectSummary summary, IReadOnlyList<StoredEscalation> escalations, string? signalId)
    {
        if (LiveEvents is not { } store)
        {
            return;
        }

        var events = new List<LiveEvent>(escalations.Count + 1);
        if (previous is null || previous.Score != evaluation.Score || previous.Band != evaluation.Band || previous.ForcedLabour != evaluation.ForcedLabour)
        {
            events.Add(new LiveEvent(0, LiveEvent.RiskChanged, SubjectKey, summary.Country, summary.Sector, evaluation.Score, evaluation.Band, evaluation.ForcedLabour,
                signalId, null, evaluation.EvaluatedAt));
        }

        events.AddRange(escalations.Select(e => new LiveEvent(0, e.Type, e.SubjectId, null, null, null, null, null, null, e.EventId, e.CreatedAt)));
        if (events.Count == 0)
        {
            return;
        }

        var stageStart = Stopwatch.GetTimestamp();
        try
        {
            var seqs = await store.AppendAsync([.. events.Select(e => e.ToRecord())]);
            var streams = this.GetStreamProvider(LiveStreams.Provider);
            for (var i = 0; i < events.Count; i++)
            {
                var liveEvent = events[i] with { Seq = seqs[i] };
                await streams.GetStream<LiveEvent>(LiveStreams.For(liveEvent)).OnNextAsync(liveEvent);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogWarning(exception, "Publishing the live events of {Subject} failed; reconnecting clients read them from the store", SubjectKey);
        }

        GrainMetrics.Record("live-events", stageStart);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) =>
        reminderName == TimeChecksReminder ? RunTimeChecksAsync() : Task.CompletedTask;

    /// <summary>
    /// The signal a live risk change names: the live stream reaches the brand's roles (compliance, admin), so a grievance
    /// the worker did not consent to share with the brand is named as the risk view names it, withheld.
    /// </summary>
    private string? LiveSignalId(EvidenceEntry row)
    {
        var id = SubjectDocument.SignalIdOf(row);
        return IsWithheldFromBrand(row.Kind, id) ? ConsentRules.WithheldSignalId : id;
    }

    protected async Task ApplyAndRecomputeAsync(IReadOnlyList<EvidenceEntry> rows)
    {
        foreach (var row in rows)
        {
            BeforeApply(row);
            Document.Apply(row);
        }

        _lastSignalId = LiveSignalId(rows[^1]);
        await RecomputeAsync(rows[^1].SubjectSeq);
    }

    /// <summary>
    /// Re-evaluates after a change that is not in the evidence log (a recruiter's pushed score, a supplier's
    /// sector). The revision keeps escalation ids of such re-evaluations apart from those of the same log row.
    /// </summary>
    protected Task RecomputeWithoutNewEvidenceAsync()
    {
        _state.State.Revision++;
        return RecomputeAsync(_state.State.AppliedSeq);
    }

    /// <summary>Re-evaluates after new evidence and makes everything derived from it durable.</summary>
    protected async Task RecomputeAsync(long appliedSeq)
    {
        var turnStart = Stopwatch.GetTimestamp();
        var previous = _state.State.LastEvaluation;
        var now = Services.Clock.Now;
        var evaluation = EvaluateTotal(Document, now);
        GrainMetrics.Record("evaluate", turnStart);

        // Escalations before the snapshot: their ids are deterministic, so if we crash before the snapshot is written
        // the replay derives the same events and the store ignores them.
        var summary = Summarize(evaluation, now);
        var events = EscalationFactory.ForEvidence(SubjectKey, appliedSeq, _state.State.Revision, previous, evaluation, Document, LinkedSupplierIds,
            Services.Engine.Model, now, summary, _overdueStored, NewlyLinkedSupplierIds, out var derivedEvents);
        // The escalations, the read model and (once per activation) the time-check reminder are independent writes, each
        // group-committed by its store: issued together, a turn waits for one commit round instead of one per store.
        var stageStart = Stopwatch.GetTimestamp();
        var escalationsWritten = events.Count > 0 ? Services.Escalations.AddAsync(events) : Task.CompletedTask;
        var readModelWritten = Services.ReadModel.UpsertAsync(summary);
        var timeChecksRegistered = EnsureTimeChecksAsync();
        var (changedFindings, changedGrievances) = Document.TakeChangedSignals();
        var withdrawals = EscalationFactory.Withdrawals(SubjectKey, changedFindings, changedGrievances, Services.Engine.Model, _overdueWithdrawn, Document);
        var withdrawn = withdrawals.Count > 0 ? Services.Escalations.WithdrawAsync(withdrawals, now) : Task.CompletedTask;
        await Task.WhenAll(escalationsWritten, readModelWritten, timeChecksRegistered, withdrawn);
        RememberOverdue(events, derivedEvents);
        _overdueWithdrawn.UnionWith(withdrawals);
        GrainMetrics.Record("derived-writes", stageStart);
        await PublishLiveAsync(previous, evaluation, summary, events, appliedSeq != _state.State.AppliedSeq ? _lastSignalId : null);

        var newEvidence = appliedSeq != _state.State.AppliedSeq;
        _state.State.AppliedSeq = appliedSeq;
        _state.State.LastEvaluation = evaluation;
        Current = evaluation;

        // Lazy snapshots: a replay after a crash re-derives change events from the snapshot's evaluation, so whenever
        // such events were raised (and for changes the log does not hold) the snapshot is written at once; otherwise
        // every N rows or T seconds. Overdue events do not count: their ids are the same whenever they are derived.
        if (!newEvidence || derivedEvents > 0 || appliedSeq - _snapshotSeq >= Services.Options.SnapshotEveryRows)
        {
            stageStart = Stopwatch.GetTimestamp();
            await WriteSnapshotAsync();
            GrainMetrics.Record(newEvidence ? "snapshot" : "snapshot-no-evidence", stageStart);
        }
        else
        {
            _snapshotTimer ??= this.RegisterGrainTimer(
                static (grain, _) => grain.WriteSnapshotIfBehindAsync(),
                this,
                new GrainTimerCreationOptions(Services.Options.SnapshotAfter, Timeout.InfiniteTimeSpan) { Interleave = false });
        }

        await AfterEvaluatedAsync(previous, evaluation);
        GrainMetrics.Record("turn", turnStart);
    }

    /// <summary>Overdue events (after the first <paramref name="derived"/>) are due at every later turn; once stored they are not sent again.</summary>
    private void RememberOverdue(IReadOnlyList<StoredEscalation> events, int derived)
    {
        for (var i = derived; i < events.Count; i++)
        {
            _overdueStored.Add(events[i].EventId);
        }
    }

    private Task WriteSnapshotIfBehindAsync() =>
        _state.State.AppliedSeq != _snapshotSeq ? WriteSnapshotAsync() : DisposeSnapshotTimer();

    private Task DisposeSnapshotTimer()
    {
        _snapshotTimer?.Dispose();
        _snapshotTimer = null;
        return Task.CompletedTask;
    }

    private async Task LoadFromSnapshotAndLogAsync(CancellationToken cancellationToken)
    {
        Document = _state.State.DocumentJson is { } json
            ? JsonSerializer.Deserialize<TDocument>(json, EvidenceJson.Options) ?? new TDocument()
            : new TDocument();
        _state.State.DocumentJson = null; // See ReleaseSnapshotText.
        Current = _state.State.LastEvaluation;

        // A snapshot from before consents were kept cannot say what each audience may see: read them from the log's
        // grievance rows (only those; the rest of the document, pushed recruiter scores included, stays as it is).
        if (Document.LacksConsents)
        {
            Document.BackfillConsents(await ReadLogAsync(0, cancellationToken));
        }

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
            var evaluation = _state.State.LastEvaluation;
            await _state.ReadStateAsync();
            Document = _state.State.DocumentJson is { } json
                ? JsonSerializer.Deserialize<TDocument>(json, EvidenceJson.Options) ?? new TDocument()
                : new TDocument();
            var missed = await ReadLogAsync(_state.State.AppliedSeq, CancellationToken.None);
            foreach (var row in missed)
            {
                Document.Apply(row);
            }

            if (missed.Count > 0)
            {
                _state.State.AppliedSeq = missed[^1].SubjectSeq;
            }

            _state.State.DocumentJson = JsonSerializer.Serialize(Document, EvidenceJson.Options);
            _state.State.LastEvaluation = evaluation;
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
