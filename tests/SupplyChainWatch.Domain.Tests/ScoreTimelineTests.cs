using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Domain.Tests;

public sealed class ScoreTimelineTests
{
    private static readonly SupplierProfile Profile = new("Site", "MY", Sector.Apparel, 500, 0.3, 0.1, ["garments"]);

    [Fact]
    public void A_deadline_passing_is_its_own_cause_apart_from_decay_and_the_causes_add_up_to_the_engine_score()
    {
        var due = Make.Today.AddDays(10);
        var finding = Make.Finding(severity: Severity.Major, dueDate: due, endDate: Make.Today.AddDays(-5));
        var state = new SupplierState(ShippedConfig.Engine, "sup:1");
        var timeline = new ScoreTimeline(state, Make.At);
        var empty = timeline.Current.Score;
        timeline.Apply("profile", null, s => ((SupplierState)s).SetProfile(Profile));
        timeline.Apply("finding", finding.SignalId, s => s.Apply(finding));
        var start = timeline.Current.Score;
        var applied = timeline.TakeCauses();
        Assert.Equal(["profile", "finding"], applied.Select(c => c.Cause));
        Assert.Equal(start - empty, applied.Sum(c => c.Points));

        var later = Make.At.AddDays(40);
        timeline.AdvanceTo(later);
        var causes = timeline.TakeCauses();

        // Exactly the engine's score at the later instant, and every point of the change accounted for.
        var engine = Make.EvaluateSupplier(Make.Supplier(findings: [finding], profile: Profile), later);
        Assert.Equal(engine.Score, timeline.Current.Score);
        Assert.Equal(engine.Score - start, causes.Sum(c => c.Points));
        var deadline = Assert.Single(causes, c => c.Cause == ScoreTimeline.DeadlinePassed);
        Assert.Equal(ShippedConfig.Model.Management.PointsPerOverdueAction, deadline.Points);
        Assert.Contains(causes, c => c.Cause == ScoreTimeline.Decay && c.Points < 0);
        // The deadline is the first day after the due date, at midnight UTC.
        Assert.Equal(new DateTimeOffset(due.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), state.NextDeadlineAfter(Make.At));
        Assert.Null(state.NextDeadlineAfter(later));
    }

    [Fact]
    public void A_recruiter_score_propagating_is_attributed_to_it_and_zero_time_effects_are_no_cause()
    {
        var state = new SupplierState(ShippedConfig.Engine, "sup:1");
        var timeline = new ScoreTimeline(state, Make.At);
        timeline.Apply("profile", null, s => ((SupplierState)s).SetProfile(Profile));
        timeline.Apply("link", null, s => ((SupplierState)s).SetRecruiterLink("fast-jobs", 0.8));
        timeline.TakeCauses();
        var before = timeline.Current.Score;

        timeline.AdvanceTo(Make.At.AddHours(1));
        timeline.Apply(ScoreTimeline.RecruiterPropagation, "rec:fast-jobs", s => ((SupplierState)s).SetRecruiterScore("fast-jobs", 90));
        var causes = timeline.TakeCauses();

        var cause = Assert.Single(causes); // No evidence to decay: no decay cause of 0 points.
        Assert.Equal(ScoreTimeline.RecruiterPropagation, cause.Cause);
        Assert.Equal("rec:fast-jobs", cause.SignalId);
        Assert.True(cause.Points > 0);
        Assert.Equal(timeline.Current.Score - before, cause.Points);
        var engine = Make.EvaluateSupplier(Make.Supplier(profile: Profile, recruiters: [new RecruiterLink("fast-jobs", 0.8, 90)]), Make.At.AddHours(1));
        Assert.Equal(engine.Score, timeline.Current.Score);
    }
}
