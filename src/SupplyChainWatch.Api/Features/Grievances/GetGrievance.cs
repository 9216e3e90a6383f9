using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Grievances;

/// <summary>A grievance as its handler sees it, with the confidential narrative and reporter contact.</summary>
/// <param name="GrievanceId">The channel's id.</param>
/// <param name="SupplierId">Site concerned, if any.</param>
/// <param name="RecruiterId">Recruiter concerned, if any.</param>
/// <param name="ReceivedAt">When the channel received it.</param>
/// <param name="Channel">The channel.</param>
/// <param name="Anonymity">anonymous, confidential or identified.</param>
/// <param name="Consent">What the worker agreed to share.</param>
/// <param name="Narrative">The worker's account (decrypted for this read, which is recorded in the access log).</param>
/// <param name="ReporterContact">How to reach the reporter.</param>
public sealed record GrievanceView(
    string GrievanceId,
    string? SupplierId,
    string? RecruiterId,
    DateTimeOffset ReceivedAt,
    string Channel,
    string Anonymity,
    ConsentBody Consent,
    string? Narrative,
    string? ReporterContact);

/// <param name="GrievanceId">Which grievance.</param>
/// <param name="Caller">Who reads it, as the access log records it.</param>
public sealed record GetGrievance(string GrievanceId, string Caller) : IRequest<CommandResult<GrievanceView>>;

public sealed class GetGrievanceHandler(IEvidenceLog evidenceLog, IGrievanceVault vault) : IRequestHandler<GetGrievance, CommandResult<GrievanceView>>
{
    public async ValueTask<CommandResult<GrievanceView>> Handle(GetGrievance request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (!validation.Id("grievanceId", request.GrievanceId))
        {
            return CommandResult<GrievanceView>.From(validation);
        }

        var rows = await evidenceLog.FindByKeyAsync(SubmitGrievanceHandler.GrievanceKey(request.GrievanceId), cancellationToken);
        if (rows.Count == 0)
        {
            return new CommandResult<GrievanceView>.NotFound($"No grievance '{request.GrievanceId}' is known.");
        }

        var grievance = EvidenceJson.Deserialize<EvidenceContent.Grievance>(rows[0].ContentJson);
        // The vault records the read before it decrypts: every answer that carries the text has its trace.
        var confidential = await vault.ReadAsync(request.GrievanceId, request.Caller, cancellationToken);
        var consent = new ConsentBody(grievance.Consent.ShareWithBrand, grievance.Consent.ShareWithNgo, grievance.Consent.ShareWithLawEnforcement);
        return new CommandResult<GrievanceView>.Ok(
            new GrievanceView(
                request.GrievanceId, grievance.SupplierId, grievance.RecruiterId, grievance.Detail.ReceivedAt, grievance.Channel, grievance.Anonymity,
                consent, confidential?.Narrative, confidential?.ReporterContact),
            Created: false);
    }
}
