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

    [Fact]
    public void An_acknowledgement_is_judged_by_its_own_date_not_by_when_it_arrived()
    {
        var grievance = Make.Grievance(receivedAt: new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero));
        Assert.False(Deadlines.WasGrievanceAcknowledgedInTime(grievance, ShippedConfig.Model));
        Assert.True(Deadlines.WasGrievanceAcknowledgedInTime(grievance with { Status = GrievanceStatus.Acknowledged, AcknowledgedOn = new DateOnly(2026, 11, 4) }, ShippedConfig.Model));
        Assert.True(Deadlines.WasGrievanceAcknowledgedInTime(grievance with { Status = GrievanceStatus.Acknowledged, AcknowledgedOn = new DateOnly(2026, 11, 9) }, ShippedConfig.Model));
        Assert.False(Deadlines.WasGrievanceAcknowledgedInTime(grievance with { Status = GrievanceStatus.Acknowledged, AcknowledgedOn = new DateOnly(2026, 11, 10) }, ShippedConfig.Model));
    }

    [Fact]
    public void A_corrective_action_is_in_time_when_remediated_on_or_before_its_due_date()
    {
        var due = new DateOnly(2026, 11, 10);
        var open = Make.Finding(severity: Severity.Major, dueDate: due);
        Assert.False(Deadlines.WasCorrectiveActionCompletedInTime(open));
        Assert.True(Deadlines.WasCorrectiveActionCompletedInTime(open with { Status = FindingStatus.Remediated, StatusOn = due }));
        Assert.False(Deadlines.WasCorrectiveActionCompletedInTime(open with { Status = FindingStatus.Remediated, StatusOn = due.AddDays(1) }));
        Assert.False(Deadlines.WasCorrectiveActionCompletedInTime(open with { DueDate = null, Status = FindingStatus.Remediated, StatusOn = due }));
    }

    [Fact]
    public void Dated_views_drop_evidence_dated_later_and_undo_status_changes_dated_later()
    {
        var finding = Make.Finding(endDate: new DateOnly(2026, 10, 7), status: FindingStatus.Remediated, statusOn: new DateOnly(2026, 11, 1));
        Assert.Null(DatedEvidence.Finding(finding, new DateOnly(2026, 10, 6)));
        Assert.Equal(FindingStatus.Open, DatedEvidence.Finding(finding, new DateOnly(2026, 10, 7))!.Status);
        Assert.Equal(FindingStatus.Remediated, DatedEvidence.Finding(finding, new DateOnly(2026, 11, 1))!.Status);

        var grievance = Make.Grievance(receivedAt: new DateTimeOffset(2026, 11, 2, 10, 0, 0, TimeSpan.Zero), status: GrievanceStatus.Closed,
            acknowledgedOn: new DateOnly(2026, 11, 4), closedOn: new DateOnly(2026, 11, 20), outcome: GrievanceOutcome.Founded, verified: true);
        Assert.Null(DatedEvidence.Grievance(grievance, new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero)));
        var received = DatedEvidence.Grievance(grievance, new DateTimeOffset(2026, 11, 3, 0, 0, 0, TimeSpan.Zero))!;
        Assert.Equal((GrievanceStatus.Received, (DateOnly?)null, false), (received.Status, received.AcknowledgedOn, received.Verified));
        var acknowledged = DatedEvidence.Grievance(grievance, new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero))!;
        Assert.Equal((GrievanceStatus.Acknowledged, (DateOnly?)null, (GrievanceOutcome?)null), (acknowledged.Status, acknowledged.ClosedOn, acknowledged.Outcome));
        Assert.Same(grievance, DatedEvidence.Grievance(grievance, new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero)));
    }
}
