using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;

namespace SupplyChainWatch.Api.Features.Suppliers;

public sealed record GetSupplier(string SupplierId) : IRequest<CommandResult<SupplierView>>;

public sealed class GetSupplierHandler(IGrainFactory grains) : IRequestHandler<GetSupplier, CommandResult<SupplierView>>
{
    public async ValueTask<CommandResult<SupplierView>> Handle(GetSupplier request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (!validation.Id("supplierId", request.SupplierId))
        {
            return CommandResult<SupplierView>.From(validation);
        }

        var overview = await grains.GetGrain<ISupplierGrain>(SubjectKeys.Supplier(request.SupplierId)).GetOverviewAsync();
        return overview.EvidenceSeq == 0
            ? new CommandResult<SupplierView>.NotFound($"No supplier '{request.SupplierId}' is known.")
            : new CommandResult<SupplierView>.Ok(SupplierView.From(overview), Created: false);
    }
}
