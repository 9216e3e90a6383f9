using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Intake;

/// <summary>
/// A validated signal turned into the evidence-log rows it makes: what the single endpoints and the bulk import both
/// submit, built by one function per kind so both paths store byte-identical content (and so deduplicate each other).
/// </summary>
/// <param name="Id">The submitter's id of the signal.</param>
/// <param name="Rows">One row per subject the signal concerns.</param>
/// <param name="DescribeConflict">What to say, given the conflicting keys, when the id was already used with other content.</param>
/// <param name="Confidential">Grievance text for the vault, stored once the rows are durable (and compared there by its keyed MAC).</param>
public sealed record PreparedSignal(string Id, IReadOnlyList<EvidenceAppend> Rows, Func<IReadOnlyList<string>, string> DescribeConflict, ConfidentialText? Confidential = null)
{
    /// <summary>
    /// The content the rows had in the form written before schema version 8 (a grievance with text carried an unsalted
    /// digest of it then): a stored row with exactly this content is this signal again, not a conflict. Compared in memory
    /// only; nothing in this form is written any more.
    /// </summary>
    public string? LegacyContentJson { get; init; }
}

public abstract record Submission
{
    /// <param name="Evidence">The rows as stored.</param>
    /// <param name="CreatedSubjects">Subject keys whose first evidence-log row is one of the submission's rows.</param>
    /// <param name="Duplicate">Every row was already in the log with the same content.</param>
    public sealed record Accepted(IReadOnlyList<EvidenceReceipt> Evidence, IReadOnlyList<string> CreatedSubjects, bool Duplicate = false) : Submission;

    public sealed record Conflicting(IReadOnlyList<string> Keys) : Submission;
}

/// <summary>
/// The durability point of every submission: append to the evidence log (durable when this returns), then
/// let each subject grain apply its rows. A duplicate is caught up too, which heals a crash between the two.
/// </summary>
public sealed class EvidenceSubmitter(IEvidenceLog evidenceLog, IGrainFactory grains, IGrievanceVault vault, ServiceClock clock)
{
    // A catch-up turn spends most of its time waiting for group commits (escalations, read model, snapshot), not on a
    // core: enough turns in flight make those commits large instead of leaving the cores idle between them, while still
    // bounding the silo's queues on a large import (measured: 64 left a 2-core machine mostly idle during an import).
    private const int CatchUpParallelism = 512;

    public async Task<Submission> SubmitAsync(PreparedSignal signal, CancellationToken cancellationToken) =>
        (await SubmitManyAsync([signal], cancellationToken))[0];

    public async Task<Submission> SubmitAsync(IReadOnlyList<EvidenceAppend> rows, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        AppendResult result;
        using (var activity = IntakeTelemetry.StartAppend(1, rows.Count))
        {
            result = await evidenceLog.AppendAsync(rows, cancellationToken);
            IntakeTelemetry.RecordOutcomes(activity, [result]);
        }

        var submission = await CompleteAsync([result], [rows], cancellationToken) is [var only] ? only : throw new InvalidOperationException("One result expected.");
        IntakeTelemetry.RecordDuration(start, bulk: false);
        return submission;
    }

    /// <summary>
    /// Submits many signals (bulk import): one batched append, then one catch-up call per subject carrying all of its
    /// new rows (with the records they were serialised from, so the grain neither reads them back nor parses them), then
    /// the vault. Results are in input order; a conflict rejects only its own signal.
    /// </summary>
    /// <param name="signals">The signals, each appended atomically.</param>
    /// <param name="cancellationToken">Stops waiting; a queued append may still commit.</param>
    /// <param name="deferred">
    /// When given, the subjects' rows are collected there instead of handed over now (bulk import hands them over once for
    /// many chunks); the rows are durable either way, and a grain that misses them replays them on activation.
    /// </param>
    public async Task<IReadOnlyList<Submission>> SubmitManyAsync(IReadOnlyList<PreparedSignal> signals, CancellationToken cancellationToken, PendingCatchUps? deferred = null)
    {
        var start = Stopwatch.GetTimestamp();
        IReadOnlyList<AppendResult> results;
        using (var activity = IntakeTelemetry.StartAppend(signals.Count, signals.Sum(s => s.Rows.Count)))
        {
            results = await evidenceLog.AppendManyAsync([.. signals.Select(s => s.Rows)], cancellationToken);
            IntakeTelemetry.RecordOutcomes(activity, results);
        }

        GrainMetrics.Record(signals.Count > 1 ? "submit-many.append" : "submit.append", start);
        results = await RecogniseLegacyFormAsync(signals, results, cancellationToken);
        var confidential = new List<ConfidentialText>();
        var signalOfGrievance = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < signals.Count; i++)
        {
            if (results[i].Outcome != AppendOutcome.Conflict && signals[i].Confidential is { } text)
            {
                confidential.Add(text with { Resubmission = results[i].Outcome != AppendOutcome.Appended });
                signalOfGrievance[text.GrievanceId] = i;
            }
        }

        var submissions = (await CompleteAsync(results, [.. signals.Select(s => s.Rows)], cancellationToken, deferred)).ToArray();
        if (confidential.Count > 0)
        {
            // The same grievance with other text is a conflict, judged by the vault's keyed MAC (the log holds no digest).
            foreach (var grievanceId in await vault.StoreManyAsync(confidential, cancellationToken))
            {
                var i = signalOfGrievance[grievanceId];
                submissions[i] = new Submission.Conflicting([.. signals[i].Rows.Select(r => r.IdempotencyKey).Distinct(StringComparer.Ordinal)]);
            }
        }

        IntakeTelemetry.RecordDuration(start, bulk: signals.Count > 1);
        return submissions;
    }

    /// <summary>A conflict whose stored rows hold exactly the signal's pre-version-8 content is a duplicate of it.</summary>
    private async Task<IReadOnlyList<AppendResult>> RecogniseLegacyFormAsync(IReadOnlyList<PreparedSignal> signals, IReadOnlyList<AppendResult> results, CancellationToken cancellationToken)
    {
        AppendResult[]? changed = null;
        for (var i = 0; i < signals.Count; i++)
        {
            if (results[i].Outcome != AppendOutcome.Conflict || signals[i].LegacyContentJson is not { } legacy)
            {
                continue;
            }

            var legacyHash = EvidenceHashing.ContentHash(legacy);
            var wanted = signals[i].Rows;
            var stored = await evidenceLog.FindByKeyAsync(wanted[0].IdempotencyKey, cancellationToken);
            var matched = wanted.Select(w => stored.FirstOrDefault(s => s.SubjectId == w.SubjectId && s.IdempotencyKey == w.IdempotencyKey)).ToArray();
            if (stored.Count == wanted.Count && matched.All(m => m is not null && m.ContentHash == legacyHash))
            {
                changed ??= [.. results];
                changed[i] = new AppendResult(AppendOutcome.Duplicate, [.. matched.Select(m => m!)], []);
            }
        }

        return changed ?? results;
    }

    /// <summary>Catches up every subject collected in <paramref name="pending"/> and empties it.</summary>
    public async Task CatchUpAsync(PendingCatchUps pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(
            pending.TakeAll(),
            new ParallelOptions { MaxDegreeOfParallelism = CatchUpParallelism, CancellationToken = CancellationToken.None },
            async (subject, _) => await Grain(subject.Key).CatchUpAsync(subject.Value));
        GrainMetrics.Record("submit-many.catch-up", start);
    }

    /// <summary>
    /// PUT of a subject's profile: the same profile again writes nothing; a different one is a new log row
    /// under a fresh key (setting A, then B, then A again records three changes). Returns the subject after
    /// the change and whether it was new.
    /// </summary>
    public async Task<(SubjectOverview Overview, bool Created)> PutProfileAsync<TProfile>(
        string subjectKey, TProfile profile, Func<SubjectOverview, TProfile?> currentProfile, CancellationToken cancellationToken)
        where TProfile : class
    {
        var grain = Grain(subjectKey);
        var before = await grain.GetOverviewAsync();
        var content = EvidenceJson.Serialize(profile);
        if (currentProfile(before) is not { } current || EvidenceJson.Serialize(current) != content)
        {
            await SubmitAsync([new EvidenceAppend(subjectKey, IdempotencyKeys.Profile(Guid.NewGuid()), EvidenceKinds.Profile, content, clock.Now)], cancellationToken);
        }

        return (await grain.GetOverviewAsync(), before.EvidenceSeq == 0);
    }

    public ISubjectGrain Grain(string subjectKey) => grains.GetSubjectGrain(subjectKey);

    private async Task<IReadOnlyList<Submission>> CompleteAsync(IReadOnlyList<AppendResult> results, IReadOnlyList<IReadOnlyList<EvidenceAppend>> requested,
        CancellationToken cancellationToken, PendingCatchUps? deferred = null)
    {
        var bySubject = new Dictionary<string, List<EvidenceEntry>>(StringComparer.Ordinal);
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Outcome == AppendOutcome.Conflict)
            {
                continue;
            }

            // The log answers a submission's rows in the order they were asked for, one for one.
            var rows = results[i].Rows;
            for (var j = 0; j < rows.Count; j++)
            {
                var row = rows[j];
                if (!bySubject.TryGetValue(row.SubjectId, out var entries))
                {
                    bySubject[row.SubjectId] = entries = [];
                }

                entries.Add(new EvidenceEntry(row.SubjectSeq, row.Kind, row.ContentJson, row.RecordedAt) { Parsed = requested[i][j].Parsed });
            }
        }

        // The rows are durable now; grain state and the vault follow and are repeated safely by a retry.
        if (deferred is not null)
        {
            deferred.Add(bySubject);
        }
        else
        {
            var start = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(
                bySubject,
                new ParallelOptions { MaxDegreeOfParallelism = CatchUpParallelism, CancellationToken = CancellationToken.None },
                async (subject, _) => await Grain(subject.Key).CatchUpAsync(subject.Value));
            GrainMetrics.Record(bySubject.Count > 1 ? "submit-many.catch-up" : "submit.catch-up", start);
        }

        return [.. results.Select(result => result.Outcome == AppendOutcome.Conflict
            ? (Submission)new Submission.Conflicting(result.ConflictingKeys)
            : new Submission.Accepted([.. result.Rows.Select(Receipt)], CreatedSubjects(result.Rows), result.Outcome == AppendOutcome.Duplicate))];
    }

    /// <summary>
    /// Subjects whose first evidence-log row (subject sequence 1) is one of the submission's rows: nothing, not even a
    /// profile, was recorded about them before it. Read from the rows as stored, so a repeat answers the same as the first
    /// submission did (a retry after a lost answer must learn what the first attempt did).
    /// </summary>
    private static IReadOnlyList<string> CreatedSubjects(IReadOnlyList<EvidenceRow> rows) =>
        [.. rows.Where(r => r.SubjectSeq == 1).Select(r => r.SubjectId).Distinct(StringComparer.Ordinal)];

    private static EvidenceReceipt Receipt(EvidenceRow row) => new(
        SubjectKeys.IdOf(row.SubjectId),
        SubjectKeys.IsSupplier(row.SubjectId) ? "supplier" : "recruiter",
        row.IdempotencyKey,
        row.SubjectSeq,
        row.RowHash);
}

/// <summary>
/// Rows appended for subjects whose grains have not been handed them yet, by subject, in the order they were appended.
/// All of them are kept (a bulk import bounds how many, see the import handler), because a grain handed only its newest
/// row reads the rows in between back from the log: that read-back was 12 % of an import's CPU.
/// </summary>
public sealed class PendingCatchUps
{
    private Dictionary<string, List<EvidenceEntry>> _rows = new(StringComparer.Ordinal);

    public int Subjects => _rows.Count;

    public void Add(IReadOnlyDictionary<string, List<EvidenceEntry>> rowsBySubject)
    {
        ArgumentNullException.ThrowIfNull(rowsBySubject);
        foreach (var (subject, rows) in rowsBySubject)
        {
            if (_rows.TryGetValue(subject, out var known))
            {
                known.AddRange(rows);
            }
            else
            {
                _rows[subject] = rows;
            }
        }
    }

    /// <summary>
    /// Every subject's rows in subject order, each row once: a line repeated in one import answers with the row its first
    /// copy appended, and a grain handed the same row twice would see a gap where there is none.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<EvidenceEntry>> TakeAll()
    {
        var all = _rows;
        _rows = new(StringComparer.Ordinal);
        return all.ToDictionary(
            pair => pair.Key,
            // A List: Orleans copies it element by element, and the immutable entries (with their records) by reference.
            pair => (IReadOnlyList<EvidenceEntry>)pair.Value.DistinctBy(e => e.SubjectSeq).OrderBy(e => e.SubjectSeq).ToList(),
            StringComparer.Ordinal);
    }
}
