using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Audits;

/// <summary>A change of a finding's remediation status.</summary>
/// <param name="Status">open, remediated or verified-remediated. <example>verified-remediated</example></param>
/// <param name="On">Date of the remediation or of its verification. <example>2026-11-20</example></param>
public sealed record FindingStatusBody(string? Status, DateOnly? On);

public sealed record ChangeFindingStatus(string AuditId, string FindingId, FindingStatusBody? Body) : IRequest<CommandResult<SubmissionReceipt>>;

public sealed class ChangeFindingStatusHandler(IEvidenceLog evidenceLog, EvidenceSubmitter submitter, ServiceClock clock)
    : IRequestHandler<ChangeFindingStatus, CommandResult<SubmissionReceipt>>
{
    public async ValueTask<CommandResult<SubmissionReceipt>> Handle(ChangeFindingStatus request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.Id("auditId", request.AuditId);
        validation.Id("findingId", request.FindingId);
        FindingStatus? status = null;
        if (validation.Required("body", request.Body))
        {
            status = validation.Enum<FindingStatus>("status", request.Body!.Status, required: true);
            validation.RequiredValue("on", request.Body.On);
            validation.Date("on", request.Body.On);
            validation.NotInFuture("on", request.Body.On, clock.Today);
        }

        if (!validation.IsValid)
        {
            return CommandResult<SubmissionReceipt>.From(validation);
        }

        var findingRows = await evidenceLog.FindByKeyAsync(SubmitAuditHandler.FindingKey(request.AuditId, request.FindingId), cancellationToken);
        if (findingRows.Count == 0)
        {
            return new CommandResult<SubmissionReceipt>.NotFound($"No finding '{request.FindingId}' of audit '{request.AuditId}' is known.");
        }

        var on = request.Body!.On!.Value;
        var finding = EvidenceJson.Deserialize<EvidenceContent.Finding>(findingRows[0].ContentJson).Detail;
        if (on < finding.EndDate)
        {
            validation.Add("on", $"must not be before the audit's end date {finding.EndDate:yyyy-MM-dd}");
            return CommandResult<SubmissionReceipt>.From(validation);
        }

        var key = IdempotencyKeys.FindingStatus(request.AuditId, request.FindingId, Validation.KebabCase(status!.Value), on);
        var (current, replay) = await CurrentStatusAsync(findingRows[0], finding, key, cancellationToken);
        if (!replay && StatusTransitions.Finding(current, status.Value, on) is { } refused)
        {
            return new CommandResult<SubmissionReceipt>.StateConflict(
                $"Finding '{request.FindingId}' of audit '{request.AuditId}' is {Validation.KebabCase(current.Status)} since {current.Since:yyyy-MM-dd}: {refused.Why}.");
        }

        var content = EvidenceJson.Serialize(new EvidenceContent.FindingStatusChange(request.AuditId, request.FindingId, status.Value, on));
        var occurredAt = new DateTimeOffset(on.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = findingRows.Select(r => new EvidenceAppend(r.SubjectId, key, EvidenceKinds.FindingStatus, content, occurredAt)).ToList();
        return await submitter.SubmitAsync(rows, cancellationToken) switch
        {
            Submission.Accepted accepted => new CommandResult<SubmissionReceipt>.Ok(new SubmissionReceipt(request.FindingId, accepted.Evidence, accepted.CreatedSubjects), Created: false),
            Submission.Conflicting conflicting => new CommandResult<SubmissionReceipt>.Conflict($"Conflicting status change: {string.Join(", ", conflicting.Keys.Distinct())}."),
            _ => throw new InvalidOperationException("Unknown submission outcome."),
        };
    }

    /// <summary>
    /// The finding's status as the subject grain applies it: the finding's own, then each of its status changes in log
    /// order (they follow the finding row in every subject's chain, and each is on all of the finding's subjects, so one
    /// subject's rows after the finding tell it); and whether <paramref name="key"/> is already among them (a replay).
    /// </summary>
    private async Task<(DatedStatus<FindingStatus> Current, bool Replay)> CurrentStatusAsync(EvidenceRow findingRow, AuditFinding finding, string key, CancellationToken cancellationToken)
    {
        var current = new DatedStatus<FindingStatus>(finding.Status, finding.StatusOn ?? finding.EndDate);
        var replay = false;
        foreach (var row in await evidenceLog.ReadSubjectAsync(findingRow.SubjectId, findingRow.SubjectSeq, cancellationToken))
        {
            if (row.Kind != EvidenceKinds.FindingStatus)
            {
                continue;
            }

            var change = EvidenceJson.Deserialize<EvidenceContent.FindingStatusChange>(row.ContentJson);
            if (change.AuditId == finding.AuditId && change.FindingId == finding.FindingId)
            {
                current = new DatedStatus<FindingStatus>(change.Status, change.On);
                replay |= row.IdempotencyKey == key;
            }
        }

        return (current, replay);
    }
}
