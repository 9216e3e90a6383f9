namespace SupplyChainWatch.Domain;

/// <summary>Date rules the grains turn into reminders and escalation events.</summary>
public static class Deadlines
{
    /// <summary>Last day a grievance may be acknowledged on (received date + <c>grievances.acknowledgementDays</c>, UTC).</summary>
    public static DateOnly GrievanceAcknowledgementDue(Grievance grievance, RiskModel model)
    {
        ArgumentNullException.ThrowIfNull(grievance);
        ArgumentNullException.ThrowIfNull(model);
        return DateOnly.FromDateTime(grievance.ReceivedAt.UtcDateTime).AddDays(model.Grievances.AcknowledgementDays);
    }

    /// <summary>True when the grievance is still unacknowledged after its due date.</summary>
    public static bool IsGrievanceAcknowledgementOverdue(Grievance grievance, RiskModel model, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(grievance);
        var due = GrievanceAcknowledgementDue(grievance, model);
        var acknowledged = grievance.AcknowledgedOn is not null || grievance.Status != GrievanceStatus.Received;
        return !acknowledged && DateOnly.FromDateTime(at.UtcDateTime) > due;
    }

    /// <summary>
    /// Open corrective actions of major or worse severity whose due date has passed (the due date itself is
    /// not yet overdue). A remediated finding is no longer an outstanding action.
    /// </summary>
    public static IReadOnlyList<AuditFinding> OverdueCorrectiveActions(IEnumerable<AuditFinding> findings, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var today = DateOnly.FromDateTime(at.UtcDateTime);
        List<AuditFinding>? overdue = null;
        foreach (var finding in findings)
        {
            if (IsOverdue(finding, today))
            {
                (overdue ??= []).Add(finding);
            }
        }

        return overdue is null ? [] : overdue;
    }

    internal static bool IsOverdue(AuditFinding finding, DateOnly today) =>
        finding.Severity <= Severity.Major
        && finding.Status == FindingStatus.Open
        && finding.DueDate is { } due
        && today > due
        && finding.EndDate <= today;
}
