using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class StatusTransitionsTests
{
    private static readonly DateOnly Day = new(2026, 11, 10);

    public static TheoryData<FindingStatus, FindingStatus> AllowedFindingMoves => new()
    {
        { FindingStatus.Open, FindingStatus.Remediated },
        { FindingStatus.Open, FindingStatus.VerifiedRemediated },
        { FindingStatus.Remediated, FindingStatus.VerifiedRemediated },
        { FindingStatus.Remediated, FindingStatus.Open },
        { FindingStatus.VerifiedRemediated, FindingStatus.Open },
    };

    public static TheoryData<GrievanceStatus, GrievanceStatus> AllowedGrievanceMoves => new()
    {
        { GrievanceStatus.Received, GrievanceStatus.Acknowledged },
        { GrievanceStatus.Received, GrievanceStatus.Investigating },
        { GrievanceStatus.Received, GrievanceStatus.Resolved },
        { GrievanceStatus.Received, GrievanceStatus.Closed },
        { GrievanceStatus.Acknowledged, GrievanceStatus.Investigating },
        { GrievanceStatus.Acknowledged, GrievanceStatus.Resolved },
        { GrievanceStatus.Acknowledged, GrievanceStatus.Closed },
        { GrievanceStatus.Investigating, GrievanceStatus.Resolved },
        { GrievanceStatus.Investigating, GrievanceStatus.Closed },
        { GrievanceStatus.Resolved, GrievanceStatus.Closed },
        { GrievanceStatus.Resolved, GrievanceStatus.Investigating },
    };

    [Theory]
    [MemberData(nameof(AllowedFindingMoves))]
    public void A_finding_may_move_forward_skip_a_step_or_be_reopened_on_or_after_the_current_date(FindingStatus from, FindingStatus to)
    {
        Assert.True(StatusTransitions.Leads(from, to));
        Assert.Null(StatusTransitions.Finding(new(from, Day), to, Day));
        Assert.Null(StatusTransitions.Finding(new(from, Day), to, Day.AddDays(3)));
    }

    [Fact]
    public void Every_finding_move_not_listed_as_allowed_is_refused()
    {
        var allowed = AllowedFindingMoves.Select(row => ((FindingStatus)row[0], (FindingStatus)row[1])).ToHashSet();
        foreach (var from in Enum.GetValues<FindingStatus>())
        {
            foreach (var to in Enum.GetValues<FindingStatus>())
            {
                Assert.Equal(allowed.Contains((from, to)), StatusTransitions.Leads(from, to));
                Assert.Equal(allowed.Contains((from, to)), StatusTransitions.Finding(new(from, Day), to, Day.AddDays(1)) is null);
            }
        }
    }

    [Fact]
    public void A_verified_remediation_is_not_demoted_to_an_unverified_one()
    {
        var refused = StatusTransitions.Finding(new(FindingStatus.VerifiedRemediated, Day), FindingStatus.Remediated, Day.AddDays(1));
        Assert.Equal(TransitionRefusal.Backwards, refused?.Reason);
        Assert.Contains("reopening", refused?.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FindingStatus.Open)]
    [InlineData(FindingStatus.Remediated)]
    [InlineData(FindingStatus.VerifiedRemediated)]
    public void A_finding_change_to_the_status_it_has_is_refused_on_any_date(FindingStatus status)
    {
        Assert.Equal(TransitionRefusal.SameStatus, StatusTransitions.Finding(new(status, Day), status, Day.AddDays(1))?.Reason);
        Assert.Equal(TransitionRefusal.SameStatus, StatusTransitions.Finding(new(status, Day), status, Day)?.Reason);
    }

    [Fact]
    public void A_finding_change_dated_before_the_current_status_is_refused()
    {
        var refused = StatusTransitions.Finding(new(FindingStatus.Remediated, Day), FindingStatus.VerifiedRemediated, Day.AddDays(-1));
        Assert.Equal(TransitionRefusal.BeforeCurrent, refused?.Reason);
    }

    [Theory]
    [MemberData(nameof(AllowedGrievanceMoves))]
    public void A_grievance_may_move_forward_skip_steps_or_be_reopened_when_resolved(GrievanceStatus from, GrievanceStatus to)
    {
        Assert.True(StatusTransitions.Leads(from, to));
        Assert.Null(StatusTransitions.Grievance(new(from, Day), to, Day));
        Assert.Null(StatusTransitions.Grievance(new(from, Day), to, Day.AddDays(3)));
    }

    [Fact]
    public void Every_grievance_move_not_listed_as_allowed_is_refused()
    {
        var allowed = AllowedGrievanceMoves.Select(row => ((GrievanceStatus)row[0], (GrievanceStatus)row[1])).ToHashSet();
        foreach (var from in Enum.GetValues<GrievanceStatus>())
        {
            foreach (var to in Enum.GetValues<GrievanceStatus>())
            {
                Assert.Equal(allowed.Contains((from, to)), StatusTransitions.Leads(from, to));
                Assert.Equal(allowed.Contains((from, to)), StatusTransitions.Grievance(new(from, Day), to, Day.AddDays(1)) is null);
            }
        }
    }

    [Theory]
    [InlineData(GrievanceStatus.Acknowledged, GrievanceStatus.Received)]
    [InlineData(GrievanceStatus.Investigating, GrievanceStatus.Acknowledged)]
    [InlineData(GrievanceStatus.Resolved, GrievanceStatus.Acknowledged)]
    public void A_grievance_does_not_move_backwards(GrievanceStatus from, GrievanceStatus to)
    {
        var refused = StatusTransitions.Grievance(new(from, Day), to, Day.AddDays(1));
        Assert.Equal(TransitionRefusal.Backwards, refused?.Reason);
        Assert.Contains("forward only", refused?.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GrievanceStatus.Received)]
    [InlineData(GrievanceStatus.Acknowledged)]
    [InlineData(GrievanceStatus.Investigating)]
    [InlineData(GrievanceStatus.Resolved)]
    public void A_closed_grievance_is_final(GrievanceStatus to)
    {
        var refused = StatusTransitions.Grievance(new(GrievanceStatus.Closed, Day), to, Day.AddDays(1));
        Assert.Equal(TransitionRefusal.Final, refused?.Reason);
        Assert.Contains("final", refused?.Why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GrievanceStatus.Received)]
    [InlineData(GrievanceStatus.Acknowledged)]
    [InlineData(GrievanceStatus.Investigating)]
    [InlineData(GrievanceStatus.Resolved)]
    [InlineData(GrievanceStatus.Closed)]
    public void A_grievance_change_to_the_status_it_has_is_refused_on_any_date(GrievanceStatus status)
    {
        Assert.Equal(TransitionRefusal.SameStatus, StatusTransitions.Grievance(new(status, Day), status, Day.AddDays(1))?.Reason);
        Assert.Equal(TransitionRefusal.SameStatus, StatusTransitions.Grievance(new(status, Day), status, Day)?.Reason);
    }

    [Fact]
    public void A_grievance_change_dated_before_the_current_status_is_refused_even_when_the_move_is_allowed()
    {
        var refused = StatusTransitions.Grievance(new(GrievanceStatus.Acknowledged, Day), GrievanceStatus.Investigating, Day.AddDays(-1));
        Assert.Equal(TransitionRefusal.BeforeCurrent, refused?.Reason);
        Assert.Null(StatusTransitions.Grievance(new(GrievanceStatus.Acknowledged, Day), GrievanceStatus.Investigating, Day));
    }
}
