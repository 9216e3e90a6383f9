using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;

namespace SupplyChainWatch.Api.Features.Audits;

/// <summary>A change of a finding's remediation status.</summary>
/// <param name="Status">open, remediated or verified-remediated. <example>verified-remediated</example></param>
/// <param name="On">Date of the remediation or of its verification. <example>2026-11-20</example></param>
public sealed record FindingStatusBody(string? Status, DateOnly? On);

public sealed record ChangeFindingStatus(string AuditId, string FindingId, FindingStatusBody? Body) : IRequest<CommandResult<SubmissionReceipt>>;

public sealed class ChangeFindingStatusHandler(ISignalIntake intake, ServiceClock clock)
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

        var change = new EvidenceContent.FindingStatusChange(request.AuditId, request.FindingId, status!.Value, request.Body!.On!.Value);
        return (await intake.ChangeFindingStatusAsync(change, cancellationToken)).ToCommandResult();
    }
}
