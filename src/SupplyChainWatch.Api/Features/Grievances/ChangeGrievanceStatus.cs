using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;

namespace SupplyChainWatch.Api.Features.Grievances;

/// <summary>A step in a grievance's lifecycle.</summary>
/// <param name="Status">acknowledged, investigating, resolved or closed. <example>acknowledged</example></param>
/// <param name="On">Date of the change. <example>2026-11-04</example></param>
/// <param name="Outcome">On resolution or closure: founded, unfounded, partially-founded or withdrawn.</param>
/// <param name="Verified">On resolution or closure: whether the outcome was verified.</param>
public sealed record GrievanceStatusBody(string? Status, DateOnly? On, string? Outcome, bool? Verified);

public sealed record ChangeGrievanceStatus(string GrievanceId, GrievanceStatusBody? Body) : IRequest<CommandResult<SubmissionReceipt>>;

public sealed class ChangeGrievanceStatusHandler(ISignalIntake intake, ServiceClock clock)
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

        var change = new EvidenceContent.GrievanceStatusChange(request.GrievanceId, status!.Value, request.Body!.On!.Value, outcome, request.Body.Verified);
        return (await intake.ChangeGrievanceStatusAsync(change, cancellationToken)).ToCommandResult();
    }
}
