using SupplyChainWatch.Grains.Subjects;

namespace SupplyChainWatch.Grains.Tests.Subjects;

public sealed class SubjectFailuresTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_subject_that_throws_is_listed_until_it_succeeds()
    {
        var failures = new SubjectFailures();
        Assert.True(failures.Failed("sup:a", SubjectFailures.ActivationStage, new OverflowException(), At));
        Assert.Equal(["sup:a"], failures.List().Select(f => f.SubjectKey));
        Assert.Equal("OverflowException", failures.List()[0].ExceptionType);
        failures.Succeeded("sup:a");
        Assert.Empty(failures.List());
    }

    [Fact]
    public void Failures_of_the_cluster_or_the_store_are_not_the_subjects()
    {
        // A silo killed mid-activation: the next call activates the subject elsewhere, and this silo would never hear of it.
        var failures = new SubjectFailures();
        Assert.False(failures.Failed("sup:a", SubjectFailures.ActivationStage, new SiloUnavailableException(), At));
        Assert.False(failures.Failed("sup:b", SubjectFailures.ActivationStage, new TimeoutException(), At));
        Assert.False(failures.Failed("sup:c", SubjectFailures.ActivationStage, new OrleansException("messaging"), At));
        Assert.False(failures.Failed("sup:d", SubjectFailures.ActivationStage, new AggregateException(new TimeoutException()), At));
        Assert.True(failures.Failed("sup:e", SubjectFailures.ActivationStage, new AggregateException(new TimeoutException(), new InvalidOperationException()), At));
        Assert.Equal(["sup:e"], failures.List().Select(f => f.SubjectKey));
    }
}
