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
    /// True when the evidence shows the acknowledgement deadline was met: acknowledged on a date (the date the signal
    /// carries, not when it reached the service) no later than the due date. An overdue event raised before that
    /// acknowledgement arrived was a false alarm.
    /// </summary>
    public static bool WasGrievanceAcknowledgedInTime(Grievance grievance, RiskModel model)
    {
        ArgumentNullException.ThrowIfNull(grievance);
        return grievance.AcknowledgedOn is { } on && on <= GrievanceAcknowledgementDue(grievance, model);
    }

    /// <summary>
    /// True when the evidence shows the corrective action was completed by its due date (a remediation dated on or
    /// before it), whenever that status change reached the service.
    /// </summary>
    public static bool WasCorrectiveActionCompletedInTime(AuditFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return finding.Status != FindingStatus.Open && finding.StatusOn is { } on && finding.DueDate is { } due && on <= due;
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
