using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Risk;

/// <summary>
/// A supplier's open corrective actions (audit findings still open that carry a due date), each with its deadline and
/// whether it is overdue by the rule the management term scores (<see cref="Deadlines.OverdueCorrectiveActions"/>).
/// Read from the subject's evidence-log rows, applied in order as the grain applies them.
/// </summary>
public sealed record GetCorrectiveActions(string SupplierId) : IRequest<CommandResult<IReadOnlyList<CorrectiveActionView>>>;

/// <param name="SignalId">auditId/findingId.</param>
/// <param name="Category">Finding category.</param>
/// <param name="Severity">Finding severity.</param>
/// <param name="DueDate">The deadline.</param>
/// <param name="Overdue">Past its deadline and counted by the management term (major or worse).</param>
public sealed record CorrectiveActionView(string SignalId, FindingCategory Category, Severity Severity, DateOnly DueDate, bool Overdue);

public sealed class GetCorrectiveActionsHandler(IEvidenceLog log, ServiceClock clock) : IRequestHandler<GetCorrectiveActions, CommandResult<IReadOnlyList<CorrectiveActionView>>>
{
    public async ValueTask<CommandResult<IReadOnlyList<CorrectiveActionView>>> Handle(GetCorrectiveActions request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        if (!validation.Id("supplierId", request.SupplierId))
        {
            return CommandResult<IReadOnlyList<CorrectiveActionView>>.From(validation);
        }

        var findings = new Dictionary<string, AuditFinding>(StringComparer.Ordinal);
        foreach (var row in await log.ReadSubjectAsync(SubjectKeys.Supplier(request.SupplierId), 0, cancellationToken))
        {
            if (row.Kind == EvidenceKinds.Finding)
            {
                var finding = EvidenceJson.Deserialize<EvidenceContent.Finding>(row.ContentJson).Detail;
                findings[finding.SignalId] = finding;
            }
            else if (row.Kind == EvidenceKinds.FindingStatus)
            {
                var change = EvidenceJson.Deserialize<EvidenceContent.FindingStatusChange>(row.ContentJson);
                var key = change.AuditId + "/" + change.FindingId;
                if (findings.TryGetValue(key, out var existing))
                {
                    findings[key] = existing with { Status = change.Status, StatusOn = change.On };
                }
            }
        }

        var overdue = Deadlines.OverdueCorrectiveActions(findings.Values, clock.Now).Select(f => f.SignalId).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<CorrectiveActionView> open =
        [
            .. findings.Values
                .Where(f => f.Status == FindingStatus.Open && f.DueDate is not null)
                .Select(f => new CorrectiveActionView(f.SignalId, f.Category, f.Severity, f.DueDate ?? default, overdue.Contains(f.SignalId)))
                .OrderBy(a => a.DueDate).ThenBy(a => a.SignalId, StringComparer.Ordinal),
        ];
        return new CommandResult<IReadOnlyList<CorrectiveActionView>>.Ok(open, Created: false);
    }
}
