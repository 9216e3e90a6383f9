using System.Globalization;
using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;

namespace SupplyChainWatch.Api.Features.Suppliers;

/// <summary>The share of a supplier's workforce a recruiter placed.</summary>
/// <param name="WorkforceShare">Share (0–1) of the supplier's workforce that the recruiter placed. <example>0.3</example></param>
public sealed record LinkRecruiterBody(double? WorkforceShare);

public sealed record LinkRecruiter(string SupplierId, string RecruiterId, LinkRecruiterBody? Body) : IRequest<CommandResult<SupplierView>>;

public sealed class LinkRecruiterHandler(IGrainFactory grains) : IRequestHandler<LinkRecruiter, CommandResult<SupplierView>>
{
    public async ValueTask<CommandResult<SupplierView>> Handle(LinkRecruiter request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.Id("supplierId", request.SupplierId);
        validation.Id("recruiterId", request.RecruiterId);
        if (validation.Required("body", request.Body) && validation.RequiredValue("workforceShare", request.Body!.WorkforceShare))
        {
            validation.Share("workforceShare", request.Body.WorkforceShare);
        }

        if (!validation.IsValid)
        {
            return CommandResult<SupplierView>.From(validation);
        }

        var supplier = grains.GetGrain<ISupplierGrain>(SubjectKeys.Supplier(request.SupplierId));
        var result = await supplier.LinkRecruiterAsync(request.RecruiterId, request.Body!.WorkforceShare!.Value);
        if (result.Outcome == LinkOutcome.SharesExceedOne)
        {
            validation.Add("workforceShare", $"the shares of one supplier's recruiters may not exceed 1; the others already hold {result.TotalShare.ToString("0.###", CultureInfo.InvariantCulture)}");
            return CommandResult<SupplierView>.From(validation);
        }

        return new CommandResult<SupplierView>.Ok(SupplierView.From(await supplier.GetOverviewAsync()), Created: false);
    }
}
