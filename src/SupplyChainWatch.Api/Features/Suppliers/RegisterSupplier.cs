using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Suppliers;

/// <summary>A supplier site's master data.</summary>
/// <param name="Name">Site name. <example>Sunrise Garments Factory 2</example></param>
/// <param name="Country">ISO 3166-1 alpha-2 country of the site. <example>MY</example></param>
/// <param name="Sector">One of the sectors of the risk model. <example>apparel</example></param>
/// <param name="Workforce">Number of workers on site. <example>850</example></param>
/// <param name="MigrantWorkerShare">Share (0–1) of migrant workers. <example>0.4</example></param>
/// <param name="AgencyWorkerShare">Share (0–1) of agency workers. <example>0.1</example></param>
/// <param name="Products">Products made on site, as in the DOL goods list. <example>["garments"]</example></param>
public sealed record SupplierProfileBody(
    string? Name,
    string? Country,
    string? Sector,
    int? Workforce,
    double? MigrantWorkerShare,
    double? AgencyWorkerShare,
    IReadOnlyList<string>? Products);

/// <summary>A supplier as the API shows it: profile and the recruiters placing workers there.</summary>
public sealed record SupplierView(
    string SupplierId,
    string? Name,
    string? Country,
    string? Sector,
    int? Workforce,
    double MigrantWorkerShare,
    double AgencyWorkerShare,
    IReadOnlyList<string> Products,
    IReadOnlyList<RecruiterShareView> Recruiters,
    int SignalCount)
{
    public static SupplierView From(SubjectOverview overview)
    {
        var profile = overview.SupplierProfile;
        return new SupplierView(
            overview.SubjectId,
            profile?.Name,
            profile?.Country,
            profile?.Sector is { } sector ? Validation.KebabCase(sector) : null,
            profile?.Workforce,
            profile?.MigrantWorkerShare ?? 0,
            profile?.AgencyWorkerShare ?? 0,
            profile?.Products ?? [],
            [.. overview.Links.Select(l => new RecruiterShareView(l.RecruiterId, l.WorkforceShare))],
            overview.SignalCount);
    }
}

/// <summary>A recruiter placing workers with the supplier.</summary>
/// <param name="RecruiterId">The recruiter.</param>
/// <param name="WorkforceShare">Share (0–1) of the supplier's workforce it placed.</param>
public sealed record RecruiterShareView(string RecruiterId, double WorkforceShare);

public sealed record RegisterSupplier(string SupplierId, SupplierProfileBody? Body) : IRequest<CommandResult<SupplierView>>;

public static class RegisterSupplierValidator
{
    public static SupplierProfile? Validate(RegisterSupplier request, Validation validation)
    {
        validation.Id("supplierId", request.SupplierId);
        if (!validation.Required("body", request.Body))
        {
            return null;
        }

        var body = request.Body!;
        validation.Text("name", body.Name, 200, required: true);
        validation.Country("country", body.Country, required: true);
        var sector = validation.Enum<Sector>("sector", body.Sector, required: true);
        if (body.Workforce is { } workforce && !DomainLimits.IsWorkforce(workforce))
        {
            validation.Add("workforce", DomainLimits.WorkforceRule);
        }

        validation.Share("migrantWorkerShare", body.MigrantWorkerShare);
        validation.Share("agencyWorkerShare", body.AgencyWorkerShare);
        validation.MaxItems("products", body.Products, 100);
        for (var i = 0; i < (body.Products?.Count ?? 0); i++)
        {
            validation.Text($"products[{i}]", body.Products![i], 100, required: true);
        }

        if (!validation.IsValid)
        {
            return null;
        }

        var profile = new SupplierProfile(body.Name, body.Country, sector, body.Workforce, body.MigrantWorkerShare ?? 0, body.AgencyWorkerShare ?? 0, body.Products ?? []);
        if (DomainLimits.CheckFields(profile) is { } failure)
        {
            validation.Add(failure.Field, failure.Reason);
            return null;
        }

        return profile;
    }
}

public sealed class RegisterSupplierHandler(EvidenceSubmitter submitter) : IRequestHandler<RegisterSupplier, CommandResult<SupplierView>>
{
    public async ValueTask<CommandResult<SupplierView>> Handle(RegisterSupplier request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var profile = RegisterSupplierValidator.Validate(request, validation);
        if (profile is null)
        {
            return CommandResult<SupplierView>.From(validation);
        }

        var (overview, created) = await submitter.PutProfileAsync(SubjectKeys.Supplier(request.SupplierId), profile, o => o.SupplierProfile, cancellationToken);
        return new CommandResult<SupplierView>.Ok(SupplierView.From(overview), created);
    }
}
