using System.Text.Json;
using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Escalations;

public sealed record ListEscalations(string? SubjectId, string? Type, int? Limit, string? Cursor, bool IncludeWithdrawn = false) : IRequest<CommandResult<EscalationListView>>;

/// <summary>One page of escalation events.</summary>
/// <param name="Items">Escalation events, oldest first.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; absent on the last page.</param>
public sealed record EscalationListView(IReadOnlyList<EscalationView> Items, string? NextCursor);

/// <summary>An escalation event: identifiers, scores, bands and indicator codes only.</summary>
/// <param name="Id">Deterministic id: subject, evidence sequence and rule.</param>
/// <param name="Type">risk.band_changed, forced_labour.indicated, case.escalated, recruiter.high_risk_linked, grievance.acknowledgement_overdue or corrective_action.overdue.</param>
/// <param name="SubjectId">Subject key (<c>sup:…</c> or <c>rec:…</c>).</param>
/// <param name="CreatedAt">When the event was raised.</param>
/// <param name="Data">Event data.</param>
/// <param name="WithdrawnAt">When later evidence showed the event was a false alarm (an overdue deadline that was met); absent while it stands.</param>
public sealed record EscalationView(string Id, string Type, string SubjectId, DateTimeOffset CreatedAt, JsonElement Data, DateTimeOffset? WithdrawnAt);

public sealed class ListEscalationsHandler(IEscalationStore escalations) : IRequestHandler<ListEscalations, CommandResult<EscalationListView>>
{
    public static readonly string[] Types =
    [
        "risk.band_changed", "forced_labour.indicated", "case.escalated", "recruiter.high_risk_linked",
        "grievance.acknowledgement_overdue", "corrective_action.overdue",
    ];

    public async ValueTask<CommandResult<EscalationListView>> Handle(ListEscalations request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.OptionalSubjectKey("subjectId", request.SubjectId);
        if (request.Type is not null && !Types.Contains(request.Type))
        {
            validation.Add("type", $"must be one of: {string.Join(", ", Types)}");
        }

        if (request.Limit is < 1 or > 500)
        {
            validation.Add("limit", "must be between 1 and 500");
        }

        if (request.Cursor is not null && !Cursor.TryReadEscalationPage(request.Cursor, out _))
        {
            validation.Add("cursor", Cursor.Rule);
        }
        if (!validation.IsValid)
        {
            return CommandResult<EscalationListView>.From(validation);
        }

        var page = await escalations.ListAsync(new EscalationQuery(request.SubjectId, request.Type, request.Limit ?? 100, request.Cursor, request.IncludeWithdrawn), cancellationToken);
        return new CommandResult<EscalationListView>.Ok(
            new EscalationListView(
                [.. page.Items.Select(e => new EscalationView(e.EventId, e.Type, e.SubjectId, e.CreatedAt, JsonDocument.Parse(e.PayloadJson).RootElement.Clone(), e.WithdrawnAt))],
                page.NextCursor),
            Created: false);
    }
}
