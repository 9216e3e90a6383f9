using Mediator;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Grievances;

/// <summary>
/// The grievance pipeline for grievance handlers: how many grievances stand at each status and which acknowledgements
/// are overdue. Read from the evidence log's grievance rows (ids, dates and statuses only: narratives and contacts are
/// never in the log, only their digest, which this view leaves out too).
/// </summary>
public sealed record GetGrievancePipeline : IRequest<GrievancePipelineView>;

/// <param name="ByStatus">Every status with its count (zero included), in lifecycle order.</param>
/// <param name="OverdueAcknowledgements">Grievances still unacknowledged after their due date, longest overdue first.</param>
/// <param name="Total">Grievances known.</param>
public sealed record GrievancePipelineView(IReadOnlyList<GrievanceStatusCount> ByStatus, IReadOnlyList<OverdueAcknowledgement> OverdueAcknowledgements, int Total);

public sealed record GrievanceStatusCount(GrievanceStatus Status, int Count);

/// <param name="GrievanceId">The grievance.</param>
/// <param name="SubjectIds">The subjects it concerns (<c>sup:…</c>, <c>rec:…</c>).</param>
/// <param name="ReceivedAt">When it was received.</param>
/// <param name="DueOn">Last day to acknowledge it.</param>
/// <param name="DaysOverdue">Whole days past the due date.</param>
public sealed record OverdueAcknowledgement(string GrievanceId, IReadOnlyList<string> SubjectIds, DateTimeOffset ReceivedAt, DateOnly DueOn, int DaysOverdue);

public sealed class GetGrievancePipelineHandler(SqlEvidenceLog log, RiskEngine engine, ServiceClock clock) : IRequestHandler<GetGrievancePipeline, GrievancePipelineView>
{
    private const int PageSize = 5000;
    private static readonly string[] Kinds = [EvidenceKinds.Grievance, EvidenceKinds.GrievanceStatus];

    public async ValueTask<GrievancePipelineView> Handle(GetGrievancePipeline request, CancellationToken cancellationToken)
    {
        // One row per subject a grievance concerns: keyed by grievance id, the subjects collected.
        var grievances = new Dictionary<string, (Grievance Detail, SortedSet<string> Subjects)>(StringComparer.Ordinal);
        var changes = new List<EvidenceContent.GrievanceStatusChange>();
        var after = 0L;
        while (true)
        {
            var rows = await log.ReadKindsAsync(Kinds, after, PageSize, cancellationToken);
            foreach (var (_, row) in rows)
            {
                if (row.Kind == EvidenceKinds.Grievance)
                {
                    var content = EvidenceJson.Deserialize<EvidenceContent.Grievance>(row.ContentJson);
                    if (!grievances.TryGetValue(content.Detail.GrievanceId, out var known))
                    {
                        known = (content.Detail, new SortedSet<string>(StringComparer.Ordinal));
                        grievances[content.Detail.GrievanceId] = known;
                    }

                    known.Subjects.Add(row.SubjectId);
                }
                else
                {
                    changes.Add(EvidenceJson.Deserialize<EvidenceContent.GrievanceStatusChange>(row.ContentJson));
                }
            }

            if (rows.Count < PageSize)
            {
                break;
            }

            after = rows[^1].Seq;
        }

        // A status change is written once per subject too; applying the same change twice changes nothing.
        foreach (var change in changes)
        {
            if (grievances.TryGetValue(change.GrievanceId, out var known))
            {
                var detail = known.Detail;
                grievances[change.GrievanceId] = (detail with
                {
                    Status = change.Status,
                    AcknowledgedOn = detail.AcknowledgedOn ?? (change.Status != GrievanceStatus.Received ? change.On : null),
                }, known.Subjects);
            }
        }

        var now = clock.Now;
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var byStatus = Enum.GetValues<GrievanceStatus>()
            .Select(status => new GrievanceStatusCount(status, grievances.Values.Count(g => g.Detail.Status == status)))
            .ToList();
        var overdue = grievances.Values
            .Where(g => Deadlines.IsGrievanceAcknowledgementOverdue(g.Detail, engine.Model, now))
            .Select(g =>
            {
                var due = Deadlines.GrievanceAcknowledgementDue(g.Detail, engine.Model);
                return new OverdueAcknowledgement(g.Detail.GrievanceId, [.. g.Subjects], g.Detail.ReceivedAt, due, today.DayNumber - due.DayNumber);
            })
            .OrderByDescending(o => o.DaysOverdue).ThenBy(o => o.GrievanceId, StringComparer.Ordinal)
            .ToList();
        return new GrievancePipelineView(byStatus, overdue, grievances.Count);
    }
}
