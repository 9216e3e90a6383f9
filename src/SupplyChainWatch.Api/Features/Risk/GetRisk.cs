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

/// <summary>The explained risk of one subject, now or as of an earlier instant.</summary>
public sealed record GetRisk(SubjectType SubjectType, string SubjectId, DateTimeOffset? AsOf) : IRequest<CommandResult<RiskEvaluation>>;

public sealed class GetRiskHandler(IGrainFactory grains) : IRequestHandler<GetRisk, CommandResult<RiskEvaluation>>
{
    public async ValueTask<CommandResult<RiskEvaluation>> Handle(GetRisk request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.Id(request.SubjectType == SubjectType.Supplier ? "supplierId" : "recruiterId", request.SubjectId);
        if (!validation.IsValid)
        {
            return CommandResult<RiskEvaluation>.From(validation);
        }

        ISubjectGrain grain = request.SubjectType == SubjectType.Supplier
            ? grains.GetGrain<ISupplierGrain>(SubjectKeys.Supplier(request.SubjectId))
            : grains.GetGrain<IRecruiterGrain>(SubjectKeys.Recruiter(request.SubjectId));
        return await grain.GetRiskAsync(request.AsOf) is { } risk
            ? new CommandResult<RiskEvaluation>.Ok(risk.Evaluation, Created: false)
            : new CommandResult<RiskEvaluation>.NotFound($"No {Validation.KebabCase(request.SubjectType)} '{request.SubjectId}' is known.");
    }
}
