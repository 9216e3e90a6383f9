using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Risk;

/// <summary>One page of suppliers or recruiters from the read model, filtered and sorted by score.</summary>
public sealed record ListSubjects(
    SubjectType SubjectType,
    string? Country,
    string? Sector,
    string? Band,
    int? MinScore,
    string? Sort,
    int? Limit,
    string? Cursor,
    string? Profile) : IRequest<CommandResult<SubjectListView>>;

/// <summary>One page of subjects, by score.</summary>
/// <param name="Items">Subjects on this page.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; absent on the last page.</param>
public sealed record SubjectListView(IReadOnlyList<SubjectListItem> Items, string? NextCursor);

/// <summary>A subject's risk as the read model holds it.</summary>
/// <param name="Id">Supplier or recruiter id.</param>
/// <param name="Name">Name from the profile.</param>
/// <param name="Country">Country from the profile.</param>
/// <param name="Sector">Sector (suppliers).</param>
/// <param name="Score">Score 0–100.</param>
/// <param name="Band">low, medium, high or critical.</param>
/// <param name="ForcedLabour">FL-1 classification of the subject.</param>
/// <param name="UpdatedAt">When any of the values above last changed (a re-evaluation that changes nothing keeps it).</param>
public sealed record SubjectListItem(string Id, string? Name, string? Country, string? Sector, int Score, string Band, string ForcedLabour, DateTimeOffset UpdatedAt);

public sealed class ListSubjectsHandler(IReadModelStore readModel) : IRequestHandler<ListSubjects, CommandResult<SubjectListView>>
{
    public const int MaxLimit = 500;

    public async ValueTask<CommandResult<SubjectListView>> Handle(ListSubjects request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.Country("country", request.Country, required: false);
        if (request.Sector is not null && request.SubjectType == SubjectType.Recruiter)
        {
            validation.Add("sector", "recruiters have no sector");
        }

        var sector = validation.Enum<Sector>("sector", request.Sector, required: false);
        var band = validation.Enum<RiskBand>("band", request.Band, required: false);
        if (request.MinScore is < 0 or > 100)
        {
            validation.Add("minScore", "must be between 0 and 100");
        }

        if (request.Sort is not null and not "-score" and not "score")
        {
            validation.Add("sort", "must be '-score' (highest first, the default) or 'score'");
        }

        if (request.Limit is < 1 or > MaxLimit)
        {
            validation.Add("limit", $"must be between 1 and {MaxLimit}");
        }

        if (request.Cursor is not null && !Cursor.TryReadSubjectPage(request.Cursor, descending: request.Sort != "score", out _, out _))
        {
            validation.Add("cursor", Cursor.Rule);
        }
        if (request.Profile is not null and not "missing" and not "present")
        {
            validation.Add("profile", "must be 'missing' (subjects known only from evidence, such as a mistyped id) or 'present'");
        }

        if (!validation.IsValid)
        {
            return CommandResult<SubjectListView>.From(validation);
        }

        var page = await readModel.QueryAsync(
            new SubjectQuery(
                Validation.KebabCase(request.SubjectType),
                request.Country,
                sector is { } s ? Validation.KebabCase(s) : null,
                band is { } b ? Validation.KebabCase(b) : null,
                request.MinScore,
                SortByScoreDescending: request.Sort != "score",
                request.Limit ?? 100,
                request.Cursor,
                request.Profile switch { "missing" => false, "present" => true, _ => null }),
            cancellationToken);
        return new CommandResult<SubjectListView>.Ok(
            new SubjectListView([.. page.Items.Select(i => new SubjectListItem(i.SubjectId, i.Name, i.Country, i.Sector, i.Score, i.Band, i.ForcedLabour, i.UpdatedAt))], page.NextCursor),
            Created: false);
    }
}
