using Mediator;
using SupplyChainWatch.Api.Features.Audits;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Grievances;

/// <summary>A step in a grievance's lifecycle.</summary>
/// <param name="Status">acknowledged, investigating, resolved or closed. <example>acknowledged</example></param>
/// <param name="On">Date of the change. <example>2026-11-04</example></param>
/// <param name="Outcome">On resolution or closure: founded, unfounded, partially-founded or withdrawn.</param>
/// <param name="Verified">On resolution or closure: whether the outcome was verified.</param>
public sealed record GrievanceStatusBody(string? Status, DateOnly? On, string? Outcome, bool? Verified);

public sealed record ChangeGrievanceStatus(string GrievanceId, GrievanceStatusBody? Body) : IRequest<CommandResult<SubmissionReceipt>>;

public sealed class ChangeGrievanceStatusHandler(IEvidenceLog evidenceLog, EvidenceSubmitter submitter, ServiceClock clock)
    : IRequestHandler<ChangeGrievanceStatus, CommandResult<SubmissionReceipt>>
{
    public async ValueTask<CommandResult<SubmissionReceipt>> Handle(ChangeGrievanceStatus request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.Id("grievanceId", request.GrievanceId);
        GrievanceStatus? status = null;
        GrievanceOutcome? outcome = null;
        if (validation.Required("body", request.Body))
        {
            status = validation.Enum<GrievanceStatus>("status", request.Body!.Status, required: true);
            if (status == GrievanceStatus.Received)
            {
                validation.Add("status", "must be acknowledged, investigating, resolved or closed");
            }

            validation.RequiredValue("on", request.Body.On);
            validation.Date("on", request.Body.On);
            validation.NotInFuture("on", request.Body.On, clock.Today);
            outcome = validation.Enum<GrievanceOutcome>("outcome", request.Body.Outcome, required: false);
            if ((outcome is not null || request.Body.Verified is not null) && status is not (GrievanceStatus.Resolved or GrievanceStatus.Closed or null))
            {
                validation.Add("outcome", "is only given when the grievance is resolved or closed");
            }
        }

        if (!validation.IsValid)
        {
            return CommandResult<SubmissionReceipt>.From(validation);
        }

        var grievanceRows = await evidenceLog.FindByKeyAsync(SubmitGrievanceHandler.GrievanceKey(request.GrievanceId), cancellationToken);
        if (grievanceRows.Count == 0)
        {
            return new CommandResult<SubmissionReceipt>.NotFound($"No grievance '{request.GrievanceId}' is known.");
        }

        var on = request.Body!.On!.Value;
        var grievance = EvidenceJson.Deserialize<EvidenceContent.Grievance>(grievanceRows[0].ContentJson).Detail;
        var receivedOn = DateOnly.FromDateTime(grievance.ReceivedAt.UtcDateTime);
        if (on < receivedOn)
        {
            validation.Add("on", "must not be before the grievance was received");
            return CommandResult<SubmissionReceipt>.From(validation);
        }

        var key = IdempotencyKeys.GrievanceStatus(request.GrievanceId, Validation.KebabCase(status!.Value), on);
        var (current, replay) = await CurrentStatusAsync(request.GrievanceId, grievanceRows[0], new DatedStatus<GrievanceStatus>(grievance.Status, receivedOn), key, cancellationToken);
        if (!replay && StatusTransitions.Grievance(current, status.Value, on) is { } refused)
        {
            return new CommandResult<SubmissionReceipt>.StateConflict(
                $"Grievance '{request.GrievanceId}' is {Validation.KebabCase(current.Status)} since {current.Since:yyyy-MM-dd}: {refused.Why}.");
        }

        var change = new EvidenceContent.GrievanceStatusChange(request.GrievanceId, status.Value, on, outcome, request.Body.Verified);
        var content = EvidenceJson.Serialize(change);
        var occurredAt = new DateTimeOffset(on.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = grievanceRows.Select(r => new EvidenceAppend(r.SubjectId, key, EvidenceKinds.GrievanceStatus, content, occurredAt)).ToList();
        return await submitter.SubmitAsync(rows, cancellationToken) switch
        {
            Submission.Accepted accepted => new CommandResult<SubmissionReceipt>.Ok(new SubmissionReceipt(request.GrievanceId, accepted.Evidence, accepted.CreatedSubjects), Created: false),
            Submission.Conflicting => new CommandResult<SubmissionReceipt>.Conflict(
                $"Grievance '{request.GrievanceId}' already has a '{Validation.KebabCase(status.Value)}' change on {on:yyyy-MM-dd} with other details."),
            _ => throw new InvalidOperationException("Unknown submission outcome."),
        };
    }

    /// <summary>
    /// The grievance's status as the subject grain applies it: received, then each of its status changes in log order
    /// (they follow the grievance row in every subject's chain, and each is on all of the grievance's subjects, so one
    /// subject's rows after the grievance tell it); and whether <paramref name="key"/> is already among them (a replay).
    /// </summary>
    private async Task<(DatedStatus<GrievanceStatus> Current, bool Replay)> CurrentStatusAsync(string grievanceId, EvidenceRow grievanceRow, DatedStatus<GrievanceStatus> received, string key, CancellationToken cancellationToken)
    {
        var current = received;
        var replay = false;
        foreach (var row in await evidenceLog.ReadSubjectAsync(grievanceRow.SubjectId, grievanceRow.SubjectSeq, cancellationToken))
        {
            if (row.Kind != EvidenceKinds.GrievanceStatus)
            {
                continue;
            }

            var change = EvidenceJson.Deserialize<EvidenceContent.GrievanceStatusChange>(row.ContentJson);
            if (change.GrievanceId == grievanceId)
            {
                current = new DatedStatus<GrievanceStatus>(change.Status, change.On);
                replay |= row.IdempotencyKey == key;
            }
        }

        return (current, replay);
    }
}
