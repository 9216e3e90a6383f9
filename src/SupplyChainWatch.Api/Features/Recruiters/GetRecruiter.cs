using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;

namespace SupplyChainWatch.Api.Features.Recruiters;

public sealed record GetRecruiter(string RecruiterId) : IRequest<CommandResult<RecruiterView>>;

public sealed class GetRecruiterHandler(IGrainFactory grains) : IRequestHandler<GetRecruiter, CommandResult<RecruiterView>>
{
    public async ValueTask<CommandResult<RecruiterView>> Handle(GetRecruiter request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (!validation.Id("recruiterId", request.RecruiterId))
        {
            return CommandResult<RecruiterView>.From(validation);
        }

        var overview = await grains.GetGrain<IRecruiterGrain>(SubjectKeys.Recruiter(request.RecruiterId)).GetOverviewAsync();
        return overview.EvidenceSeq == 0
            ? new CommandResult<RecruiterView>.NotFound($"No recruiter '{request.RecruiterId}' is known.")
            : new CommandResult<RecruiterView>.Ok(RecruiterView.From(overview), Created: false);
    }
}
