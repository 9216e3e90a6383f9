using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Recruiters;

/// <summary>A migration corridor: where workers are recruited and where they are placed.</summary>
/// <param name="Origin">ISO 3166-1 alpha-2 country workers are recruited in. <example>NP</example></param>
/// <param name="Destination">ISO 3166-1 alpha-2 country workers are placed in. <example>MY</example></param>
public sealed record CorridorBody(string? Origin, string? Destination);

/// <summary>A labour recruiter's master data.</summary>
/// <param name="Name">Registered name. <example>Fast Jobs Manpower Pvt Ltd</example></param>
/// <param name="LicenceNumber">Licence number from the origin country's authority. <example>NP-1234/075</example></param>
/// <param name="Country">ISO 3166-1 alpha-2 country the recruiter is based in. <example>NP</example></param>
/// <param name="Corridors">Migration corridors it recruits on.</param>
public sealed record RecruiterProfileBody(string? Name, string? LicenceNumber, string? Country, IReadOnlyList<CorridorBody>? Corridors);

/// <summary>A recruiter as the API shows it: profile and the suppliers it places workers with.</summary>
public sealed record RecruiterView(
    string RecruiterId,
    string? Name,
    string? LicenceNumber,
    string? Country,
    IReadOnlyList<CorridorBody> Corridors,
    IReadOnlyList<SupplierShareView> Suppliers,
    int SignalCount)
{
    public static RecruiterView From(SubjectOverview overview)
    {
        var profile = overview.RecruiterProfile;
        return new RecruiterView(
            overview.SubjectId,
            profile?.Name,
            profile?.LicenceNumber,
            profile?.Country,
            [.. (profile?.Corridors ?? []).Select(c => new CorridorBody(c.Origin, c.Destination))],
            [.. overview.Links.Select(l => new SupplierShareView(l.SupplierId, l.WorkforceShare))],
            overview.SignalCount);
    }
}

/// <summary>A supplier the recruiter places workers with.</summary>
/// <param name="SupplierId">The supplier.</param>
/// <param name="WorkforceShare">Share (0–1) of that supplier's workforce the recruiter placed.</param>
public sealed record SupplierShareView(string SupplierId, double WorkforceShare);

public sealed record RegisterRecruiter(string RecruiterId, RecruiterProfileBody? Body) : IRequest<CommandResult<RecruiterView>>;

public static class RegisterRecruiterValidator
{
    public static RecruiterProfile? Validate(RegisterRecruiter request, Validation validation)
    {
        validation.Id("recruiterId", request.RecruiterId);
        if (!validation.Required("body", request.Body))
        {
            return null;
        }

        var body = request.Body!;
        validation.Text("name", body.Name, 200, required: true);
        validation.Text("licenceNumber", body.LicenceNumber, 100, required: false);
        validation.Country("country", body.Country, required: true);
        validation.MaxItems("corridors", body.Corridors, 100);
        for (var i = 0; i < (body.Corridors?.Count ?? 0); i++)
        {
            var corridor = body.Corridors![i];
            if (validation.Required($"corridors[{i}]", corridor))
            {
                validation.Country($"corridors[{i}].origin", corridor.Origin, required: true);
                validation.Country($"corridors[{i}].destination", corridor.Destination, required: true);
            }
        }

        return validation.IsValid
            ? new RecruiterProfile(body.Name, body.LicenceNumber, body.Country, [.. (body.Corridors ?? []).Select(c => new Corridor(c.Origin!, c.Destination!))])
            : null;
    }
}

public sealed class RegisterRecruiterHandler(EvidenceSubmitter submitter) : IRequestHandler<RegisterRecruiter, CommandResult<RecruiterView>>
{
    public async ValueTask<CommandResult<RecruiterView>> Handle(RegisterRecruiter request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var profile = RegisterRecruiterValidator.Validate(request, validation);
        if (profile is null)
        {
            return CommandResult<RecruiterView>.From(validation);
        }

        var (overview, created) = await submitter.PutProfileAsync(SubjectKeys.Recruiter(request.RecruiterId), profile, o => o.RecruiterProfile, cancellationToken);
        return new CommandResult<RecruiterView>.Ok(RecruiterView.From(overview), created);
    }
}
