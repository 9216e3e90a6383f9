namespace SupplyChainWatch.Domain;

/// <summary>
/// "Dated by" views of evidence: what the signals themselves say had happened by an instant (an audit's end date, a
/// grievance's receipt, a status change's date, a worker's recruitment), whenever they reached the service. A date
/// counts from the start of its UTC day. Null means the signal did not exist yet by that instant.
/// </summary>
public static class DatedEvidence
{
    public static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.UtcDateTime);

    /// <summary>The finding as it stood on <paramref name="day"/>: absent before its audit ended, open before a later remediation.</summary>
    public static AuditFinding? Finding(AuditFinding finding, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(finding);
        if (finding.EndDate > day)
        {
            return null;
        }

        return finding.StatusOn is { } on && on > day ? finding with { Status = FindingStatus.Open, StatusOn = null } : finding;
    }

    /// <summary>The grievance as it stood at <paramref name="at"/>: absent before receipt, without acknowledgement or closure dated later.</summary>
    public static Grievance? Grievance(Grievance grievance, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(grievance);
        if (grievance.ReceivedAt > at)
        {
            return null;
        }

        var day = DayOf(at);
        var result = grievance;
        if (result.ClosedOn is { } closed && closed > day)
        {
            result = result with { ClosedOn = null, Outcome = null, Verified = false, Status = GrievanceStatus.Acknowledged };
        }

        if (result.AcknowledgedOn is { } acknowledged && acknowledged > day)
        {
            result = result with { AcknowledgedOn = null, ClosedOn = null, Outcome = null, Verified = false, Status = GrievanceStatus.Received };
        }

        return result;
    }

    /// <summary>A fee report counts from the worker's recruitment date.</summary>
    public static bool FeeReportExists(FeeReport report, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.RecruitedOn <= day;
    }

    /// <summary>A status change counts from the date it carries.</summary>
    public static bool StatusChangeHappened(DateOnly on, DateOnly day) => on <= day;
}
