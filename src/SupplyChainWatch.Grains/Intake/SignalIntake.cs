using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Intake;

/// <summary>
/// The silo side of <see cref="ISignalIntake"/>: reads what a change is about from the evidence log, judges it by the
/// Domain's rules and appends it through <see cref="EvidenceSubmitter"/> (the durability point).
/// </summary>
public sealed class SignalIntake(IEvidenceLog evidenceLog, EvidenceSubmitter submitter) : ISignalIntake
{
    async Task<StatusChangeAnswer> ISignalIntake.ChangeFindingStatusAsync(EvidenceContent.FindingStatusChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var findingRows = await evidenceLog.FindByKeyAsync(IdempotencyKeys.Finding(change.AuditId, change.FindingId), cancellationToken);
        if (findingRows.Count == 0)
        {
            return new StatusChangeAnswer.NotFound($"No finding '{change.FindingId}' of audit '{change.AuditId}' is known.");
        }

        var finding = EvidenceJson.Deserialize<EvidenceContent.Finding>(findingRows[0].ContentJson).Detail;
        if (change.On < finding.EndDate)
        {
            return new StatusChangeAnswer.TooEarly($"must not be before the audit's end date {finding.EndDate:yyyy-MM-dd}");
        }

        var key = IdempotencyKeys.FindingStatus(change.AuditId, change.FindingId, EnumText.Of(change.Status), change.On);
        var (current, replay) = await CurrentFindingStatusAsync(findingRows[0], finding, key, cancellationToken);
        if (!replay && StatusTransitions.Finding(current, change.Status, change.On) is { } refused)
        {
            return new StatusChangeAnswer.NotAllowed(
                $"Finding '{change.FindingId}' of audit '{change.AuditId}' is {EnumText.Of(current.Status)} since {current.Since:yyyy-MM-dd}: {refused.Why}.");
        }

        var content = EvidenceJson.Serialize(change);
        var occurredAt = new DateTimeOffset(change.On.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = findingRows.Select(r => new EvidenceAppend(r.SubjectId, key, EvidenceKinds.FindingStatus, content, occurredAt)).ToList();
        return await submitter.SubmitAsync(rows, cancellationToken) switch
        {
            Submission.Accepted accepted => new StatusChangeAnswer.Recorded(new SubmissionReceipt(change.FindingId, accepted.Evidence, accepted.CreatedSubjects)),
            Submission.Conflicting conflicting => new StatusChangeAnswer.Conflicting($"Conflicting status change: {string.Join(", ", conflicting.Keys.Distinct())}."),
            _ => throw new InvalidOperationException("Unknown submission outcome."),
        };
    }

    async Task<StatusChangeAnswer> ISignalIntake.ChangeGrievanceStatusAsync(EvidenceContent.GrievanceStatusChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var grievanceRows = await evidenceLog.FindByKeyAsync(IdempotencyKeys.Grievance(change.GrievanceId), cancellationToken);
        if (grievanceRows.Count == 0)
        {
            return new StatusChangeAnswer.NotFound($"No grievance '{change.GrievanceId}' is known.");
        }

        var grievance = EvidenceJson.Deserialize<EvidenceContent.Grievance>(grievanceRows[0].ContentJson).Detail;
        var receivedOn = DateOnly.FromDateTime(grievance.ReceivedAt.UtcDateTime);
        if (change.On < receivedOn)
        {
            return new StatusChangeAnswer.TooEarly("must not be before the grievance was received");
        }

        var key = IdempotencyKeys.GrievanceStatus(change.GrievanceId, EnumText.Of(change.Status), change.On);
        var (current, replay) = await CurrentGrievanceStatusAsync(change.GrievanceId, grievanceRows[0], new DatedStatus<GrievanceStatus>(grievance.Status, receivedOn), key, cancellationToken);
        if (!replay && StatusTransitions.Grievance(current, change.Status, change.On) is { } refused)
        {
            return new StatusChangeAnswer.NotAllowed(
                $"Grievance '{change.GrievanceId}' is {EnumText.Of(current.Status)} since {current.Since:yyyy-MM-dd}: {refused.Why}.");
        }

        var content = EvidenceJson.Serialize(change);
        var occurredAt = new DateTimeOffset(change.On.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = grievanceRows.Select(r => new EvidenceAppend(r.SubjectId, key, EvidenceKinds.GrievanceStatus, content, occurredAt)).ToList();
        return await submitter.SubmitAsync(rows, cancellationToken) switch
        {
            Submission.Accepted accepted => new StatusChangeAnswer.Recorded(new SubmissionReceipt(change.GrievanceId, accepted.Evidence, accepted.CreatedSubjects)),
            Submission.Conflicting => new StatusChangeAnswer.Conflicting(
                $"Grievance '{change.GrievanceId}' already has a '{EnumText.Of(change.Status)}' change on {change.On:yyyy-MM-dd} with other details."),
            _ => throw new InvalidOperationException("Unknown submission outcome."),
        };
    }

    /// <summary>
    /// The finding's status as the subject grain applies it: the finding's own, then each of its status changes in log
    /// order (they follow the finding row in every subject's chain, and each is on all of the finding's subjects, so one
    /// subject's rows after the finding tell it); and whether <paramref name="key"/> is already among them (a replay).
    /// </summary>
    private async Task<(DatedStatus<FindingStatus> Current, bool Replay)> CurrentFindingStatusAsync(EvidenceRow findingRow, AuditFinding finding, string key, CancellationToken cancellationToken)
    {
        var current = new DatedStatus<FindingStatus>(finding.Status, finding.StatusOn ?? finding.EndDate);
        var replay = false;
        foreach (var row in await evidenceLog.ReadSubjectAsync(findingRow.SubjectId, findingRow.SubjectSeq, cancellationToken))
        {
            if (row.Kind != EvidenceKinds.FindingStatus)
            {
                continue;
            }

            if (Read<EvidenceContent.FindingStatusChange>(row) is not { } change)
            {
                continue;
            }

            if (change.AuditId == finding.AuditId && change.FindingId == finding.FindingId)
            {
                current = new DatedStatus<FindingStatus>(change.Status, change.On);
                replay |= row.IdempotencyKey == key;
            }
        }

        return (current, replay);
    }

    /// <summary>
    /// The grievance's status as the subject grain applies it: received, then each of its status changes in log order
    /// (they follow the grievance row in every subject's chain, and each is on all of the grievance's subjects, so one
    /// subject's rows after the grievance tell it); and whether <paramref name="key"/> is already among them (a replay).
    /// </summary>
    private async Task<(DatedStatus<GrievanceStatus> Current, bool Replay)> CurrentGrievanceStatusAsync(
        string grievanceId, EvidenceRow grievanceRow, DatedStatus<GrievanceStatus> received, string key, CancellationToken cancellationToken)
    {
        var current = received;
        var replay = false;
        foreach (var row in await evidenceLog.ReadSubjectAsync(grievanceRow.SubjectId, grievanceRow.SubjectSeq, cancellationToken))
        {
            if (row.Kind != EvidenceKinds.GrievanceStatus)
            {
                continue;
            }

            if (Read<EvidenceContent.GrievanceStatusChange>(row) is not { } change)
            {
                continue;
            }

            if (change.GrievanceId == grievanceId)
            {
                current = new DatedStatus<GrievanceStatus>(change.Status, change.On);
                replay |= row.IdempotencyKey == key;
            }
        }

        return (current, replay);
    }

    /// <summary>
    /// A stored status change, or null for a row the subject grain quarantines as unreadable (it leaves such a row out of
    /// the status too): one bad row must not make every later change of the item fail.
    /// </summary>
    private static T? Read<T>(EvidenceRow row)
        where T : class
    {
        try
        {
            return EvidenceJson.Deserialize<T>(row.ContentJson);
        }
        catch (Exception exception) when (Subjects.SubjectDocument.IsUnreadable(exception))
        {
            return null;
        }
    }
}
