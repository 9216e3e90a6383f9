using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>A linked recruiter's score from an instant on, as its own history gives it: what a supplier's history propagates.</summary>
public sealed record RecruiterScoreChange(DateTimeOffset At, string RecruiterId, int Score);

/// <summary>
/// A subject's score history in one forward pass over its evidence log, on the compact incremental state
/// (<see cref="SupplierState"/>/<see cref="RecruiterState"/>, equal to the engine) walked by <see cref="ScoreTimeline"/>:
/// O(n) for n rows, where re-evaluating the whole evidence at every row would be O(n²).
/// </summary>
public static class RiskHistoryBuilder
{
    public static RiskHistory Build(
        string subjectKey, SubjectState state, IReadOnlyList<EvidenceEntry> rows, IReadOnlyList<RecruiterScoreChange> propagation,
        DateTimeOffset from, DateTimeOffset to, long afterSeq)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(propagation);
        var timeline = new ScoreTimeline(state, rows.Count > 0 ? rows[0].RecordedAt : to);
        var recruiterScores = new Dictionary<string, int>(StringComparer.Ordinal);
        var nextChange = 0;
        var points = new List<RiskHistoryPoint>();
        var lastScore = timeline.Current.Score;
        long lastSeq = 0;
        long? nextAfterSeq = null;

        // Recruiter scores are not in the supplier's log: they join the walk at their own instants, between rows.
        void AdvanceTo(DateTimeOffset at)
        {
            for (; nextChange < propagation.Count && propagation[nextChange].At <= at; nextChange++)
            {
                var change = propagation[nextChange];
                timeline.AdvanceTo(change.At);
                recruiterScores[change.RecruiterId] = change.Score;
                timeline.Apply(ScoreTimeline.RecruiterPropagation, SubjectKeys.Recruiter(change.RecruiterId),
                    s => ((SupplierState)s).SetRecruiterScore(change.RecruiterId, change.Score));
            }

            timeline.AdvanceTo(at);
        }

        void AddPoint(long seq, DateTimeOffset at)
        {
            var causes = timeline.TakeCauses();
            var score = timeline.Current.Score;
            points.Add(new RiskHistoryPoint(seq, at, score, timeline.Current.Band, timeline.Current.ForcedLabour, score - lastScore,
                [.. causes.Select(c => new RiskHistoryCause(c.Cause, c.SignalId, c.Points))]));
            lastScore = score;
        }

        foreach (var row in rows)
        {
            if (row.RecordedAt > to)
            {
                break;
            }

            var inWindow = row.RecordedAt >= from && row.SubjectSeq > afterSeq;
            if (inWindow && points.Count == RiskHistoryLimits.MaxPoints)
            {
                nextAfterSeq = points[^1].Seq;
                break;
            }

            AdvanceTo(row.RecordedAt);
            var (signalId, apply) = SubjectStateRows.Read(row, state, recruiterScores);
            timeline.Apply(row.Kind, signalId, apply);
            lastSeq = row.SubjectSeq;
            if (inWindow)
            {
                AddPoint(row.SubjectSeq, row.RecordedAt);
            }
            else
            {
                // Before the window (or page): the first point in it measures from here.
                timeline.TakeCauses();
                lastScore = timeline.Current.Score;
            }
        }

        if (nextAfterSeq is null && lastSeq > 0)
        {
            // The window's end: time since the last row (decay, deadlines, recruiter scores) as a last point, so the
            // history ends where a risk read at that instant does.
            var (score, classification) = (timeline.Current.Score, timeline.Current.ForcedLabour);
            AdvanceTo(to);
            if (timeline.Current.Score != score || timeline.Current.ForcedLabour != classification)
            {
                AddPoint(lastSeq, to);
            }
        }

        return new RiskHistory(subjectKey, points, nextAfterSeq);
    }
}

/// <summary>Evidence-log rows applied to the compact state, read as the subject documents read them.</summary>
public static class SubjectStateRows
{
    /// <summary>
    /// The signal a row concerns and its change to the state. A row that cannot be read changes nothing (the grain
    /// quarantines it the same way and leaves it out of the score).
    /// </summary>
    public static (string? SignalId, Action<SubjectState> Apply) Read(EvidenceEntry row, SubjectState state, IReadOnlyDictionary<string, int> recruiterScores)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(recruiterScores);
        try
        {
            return ReadRow(row, state, recruiterScores);
        }
        catch (Exception exception) when (SubjectDocument.IsUnreadable(exception))
        {
            return (null, static _ => { });
        }
    }

    private static (string? SignalId, Action<SubjectState> Apply) ReadRow(EvidenceEntry row, SubjectState state, IReadOnlyDictionary<string, int> recruiterScores)
    {
        switch (row.Kind)
        {
            case EvidenceKinds.Finding:
                var finding = EvidenceJson.Deserialize<EvidenceContent.Finding>(row.ContentJson).Detail;
                return (finding.SignalId, s => s.Apply(finding));
            case EvidenceKinds.FindingStatus:
                var findingStatus = EvidenceJson.Deserialize<EvidenceContent.FindingStatusChange>(row.ContentJson);
                return (SubjectDocument.FindingKey(findingStatus.AuditId, findingStatus.FindingId),
                    s => s.ApplyFindingStatus(findingStatus.AuditId, findingStatus.FindingId, findingStatus.Status, findingStatus.On));
            case EvidenceKinds.Grievance:
                var grievance = EvidenceJson.Deserialize<EvidenceContent.Grievance>(row.ContentJson).Detail;
                return (grievance.GrievanceId, s => s.Apply(grievance));
            case EvidenceKinds.GrievanceStatus:
                var grievanceStatus = EvidenceJson.Deserialize<EvidenceContent.GrievanceStatusChange>(row.ContentJson);
                return (grievanceStatus.GrievanceId,
                    s => s.ApplyGrievanceStatus(grievanceStatus.GrievanceId, grievanceStatus.Status, grievanceStatus.On, grievanceStatus.Outcome, grievanceStatus.Verified));
            case EvidenceKinds.FeeReport:
                var report = EvidenceJson.Deserialize<EvidenceContent.FeeReport>(row.ContentJson).Detail;
                return (report.ReportId, s => s.Apply(report));
            case EvidenceKinds.Profile when state is SupplierState:
                var supplierProfile = EvidenceJson.Deserialize<SupplierProfile>(row.ContentJson);
                return (null, s => ((SupplierState)s).SetProfile(supplierProfile));
            case EvidenceKinds.Profile when state is RecruiterState:
                var recruiterProfile = EvidenceJson.Deserialize<RecruiterProfile>(row.ContentJson);
                return (null, s => ((RecruiterState)s).SetProfile(recruiterProfile));
            case EvidenceKinds.Link when state is SupplierState:
                var recruiterLink = EvidenceJson.Deserialize<EvidenceContent.Link>(row.ContentJson);
                return (null, s => LinkRecruiter((SupplierState)s, recruiterLink, recruiterScores));
            case EvidenceKinds.Link when state is RecruiterState:
                var supplierLink = EvidenceJson.Deserialize<EvidenceContent.Link>(row.ContentJson);
                return (null, s => ((RecruiterState)s).SetSupplierLink(supplierLink.SupplierId, supplierLink.WorkforceShare, supplierLink.SupplierSector));
            default:
                return (null, static _ => { });
        }
    }

    private static void LinkRecruiter(SupplierState supplier, EvidenceContent.Link link, IReadOnlyDictionary<string, int> recruiterScores)
    {
        supplier.SetRecruiterLink(link.RecruiterId, link.WorkforceShare);
        // A recruiter linked after its score changed starts from that score, as the live grain's does.
        if (recruiterScores.TryGetValue(link.RecruiterId, out var score))
        {
            supplier.SetRecruiterScore(link.RecruiterId, score);
        }
    }
}
