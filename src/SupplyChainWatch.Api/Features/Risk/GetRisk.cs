using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Api.Features.Risk;

public enum SubjectType
{
    Supplier,
    Recruiter,
}

/// <summary>
/// The explained risk of one subject: now; <c>asOf</c>, from the evidence recorded by then (what the service knew); or
/// <c>dated</c>, from the evidence whose own dates fall by then (how the world stood, however late it was recorded).
/// Both arrive as query text so that a bad value is a 400 naming its parameter.
/// </summary>
public sealed record GetRisk(SubjectType SubjectType, string SubjectId, string? AsOf, string? Dated = null) : IRequest<CommandResult<RiskEvaluation>>;

public sealed class GetRiskHandler(IGrainFactory grains) : IRequestHandler<GetRisk, CommandResult<RiskEvaluation>>
{
    public async ValueTask<CommandResult<RiskEvaluation>> Handle(GetRisk request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.Id(request.SubjectType == SubjectType.Supplier ? "supplierId" : "recruiterId", request.SubjectId);
        var asOf = validation.OptionalInstant("asOf", request.AsOf);
        var dated = validation.OptionalInstant("dated", request.Dated);
        if (request.AsOf is not null && request.Dated is not null)
        {
            validation.Add("dated", "give either asOf (evidence recorded by then) or dated (evidence dated by then), not both");
        }

        if (!validation.IsValid)
        {
            return CommandResult<RiskEvaluation>.From(validation);
        }

        ISubjectGrain grain = request.SubjectType == SubjectType.Supplier
            ? grains.GetGrain<ISupplierGrain>(SubjectKeys.Supplier(request.SubjectId))
            : grains.GetGrain<IRecruiterGrain>(SubjectKeys.Recruiter(request.SubjectId));
        var answer = dated is { } datedBy ? await grain.GetRiskDatedAsync(datedBy) : await grain.GetRiskAsync(asOf);
        return answer is { } risk
            // Risk readers (compliance, admin) are the brand's side: a grievance without shareWithBrand shows only its points.
            ? new CommandResult<RiskEvaluation>.Ok(risk.For(DisclosureAudience.Brand), Created: false)
            : new CommandResult<RiskEvaluation>.NotFound($"No {Validation.KebabCase(request.SubjectType)} '{request.SubjectId}' is known.");
    }
}
