using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class DeadlinesTests
{
    [Fact]
    public void Grievance_acknowledgement_is_due_seven_days_after_receipt()
    {
        var grievance = Make.Grievance(receivedAt: new DateTimeOffset(2026, 5, 1, 23, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2026, 5, 8), Deadlines.GrievanceAcknowledgementDue(grievance, ShippedConfig.Model));
    }

    [Fact]
    public void Unacknowledged_grievance_is_overdue_only_after_the_due_day()
    {
        var grievance = Make.Grievance(receivedAt: new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));
        Assert.False(Deadlines.IsGrievanceAcknowledgementOverdue(grievance, ShippedConfig.Model, new DateTimeOffset(2026, 5, 8, 23, 0, 0, TimeSpan.Zero)));
        Assert.True(Deadlines.IsGrievanceAcknowledgementOverdue(grievance, ShippedConfig.Model, new DateTimeOffset(2026, 5, 9, 0, 0, 0, TimeSpan.Zero)));
        var acknowledged = grievance with { Status = GrievanceStatus.Acknowledged, AcknowledgedOn = new DateOnly(2026, 5, 3) };
        Assert.False(Deadlines.IsGrievanceAcknowledgementOverdue(acknowledged, ShippedConfig.Model, new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Overdue_corrective_actions_are_open_major_or_worse_past_their_due_date()
    {
        var due = Make.Today.AddDays(-1);
        var findings = new[]
        {
            Make.Finding("A1", "major", endDate: Make.Today.AddDays(-30), severity: Severity.Major, dueDate: due),
            Make.Finding("A1", "critical", endDate: Make.Today.AddDays(-30), severity: Severity.Critical, dueDate: due),
            Make.Finding("A1", "minor", endDate: Make.Today.AddDays(-30), severity: Severity.Minor, dueDate: due),
            Make.Finding("A1", "due-today", endDate: Make.Today.AddDays(-30), severity: Severity.Major, dueDate: Make.Today),
            Make.Finding("A1", "no-due-date", endDate: Make.Today.AddDays(-30), severity: Severity.Major),
            Make.Finding("A1", "remediated", endDate: Make.Today.AddDays(-30), severity: Severity.Major, dueDate: due, status: FindingStatus.Remediated, statusOn: due),
        };
        Assert.Equal(["major", "critical"], Deadlines.OverdueCorrectiveActions(findings, Make.At).Select(f => f.FindingId));
    }
}
