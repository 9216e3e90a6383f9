using Microsoft.Extensions.Options;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Subjects;

namespace SupplyChainWatch.Grains.Tests.Subjects;

public sealed class RiskAnswerCacheTests
{
    private static readonly DateTimeOffset At = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly RiskEngine Engine = EscalationFactoryTests.ShippedEngine();

    private static RiskAnswer Answer(DateTimeOffset at) => new(Engine.EvaluateSupplier("s", new SupplierEvidence(null, [], [], [], []), at), new Dictionary<string, GrievanceConsent?>());

    [Fact]
    public void Holds_at_most_its_capacity_and_drops_the_least_recently_read_first()
    {
        var cache = new RiskAnswerCache(Options.Create(new SubjectGrainOptions { CachedAnswers = 2 }));
        var (a, b, c) = (Answer(At), Answer(At), Answer(At));
        cache.Put("sup:a", 1, a);
        cache.Put("sup:b", 1, b);
        Assert.Same(a, cache.Get("sup:a", 1, At, TimeSpan.FromMinutes(1))); // a is now the most recently read
        cache.Put("sup:c", 1, c);

        Assert.Equal(2, cache.Count);
        Assert.Null(cache.Get("sup:b", 1, At, TimeSpan.FromMinutes(1)));
        Assert.Same(a, cache.Get("sup:a", 1, At, TimeSpan.FromMinutes(1)));
        Assert.Same(c, cache.Get("sup:c", 1, At, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void An_answer_of_another_state_version_or_older_than_the_limit_is_not_handed_out()
    {
        var cache = new RiskAnswerCache(Options.Create(new SubjectGrainOptions()));
        cache.Put("sup:a", 7, Answer(At));
        Assert.Null(cache.Get("sup:a", 8, At, TimeSpan.FromMinutes(1)));
        Assert.Null(cache.Get("sup:a", 7, At.AddMinutes(2), TimeSpan.FromMinutes(1)));
        Assert.NotNull(cache.Get("sup:a", 7, At.AddSeconds(30), TimeSpan.FromMinutes(1)));
    }
}
