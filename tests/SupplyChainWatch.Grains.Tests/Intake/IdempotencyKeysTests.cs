using SupplyChainWatch.Contracts;

namespace SupplyChainWatch.Grains.Tests.Intake;

/// <summary>Issue 14, finding 3: no two lists of parts make one idempotency key.</summary>
public sealed class IdempotencyKeysTests
{
    // Every character an id may hold that matters to the encoding, plus '%' (ids cannot hold it; the encoding must not care).
    private static readonly char[] Alphabet = ['a', 'B', '0', '-', '_', '.', ':', '%', '3', 'A'];

    [Fact]
    public void The_collision_from_the_issue_is_gone()
    {
        Assert.NotEqual(IdempotencyKeys.Finding("A", "X:F"), IdempotencyKeys.Finding("A:X", "F"));
        Assert.NotEqual(
            IdempotencyKeys.FindingStatus("A", "X:F", "remediated", new DateOnly(2026, 11, 20)),
            IdempotencyKeys.FindingStatus("A:X", "F", "remediated", new DateOnly(2026, 11, 20)));
    }

    [Fact]
    public void Ids_without_a_colon_keep_the_keys_they_always_had()
    {
        Assert.Equal("finding:SMETA-2026-0042:F-07", IdempotencyKeys.Finding("SMETA-2026-0042", "F-07"));
        Assert.Equal("finding-status:A1:F1:remediated:2026-11-20", IdempotencyKeys.FindingStatus("A1", "F1", "remediated", new DateOnly(2026, 11, 20)));
        Assert.Equal("grievance:WV-2026-1187", IdempotencyKeys.Grievance("WV-2026-1187"));
        Assert.Equal("grievance-status:G1:acknowledged:2026-11-04", IdempotencyKeys.GrievanceStatus("G1", "acknowledged", new DateOnly(2026, 11, 4)));
        Assert.Equal("fee:FEE-000913", IdempotencyKeys.FeeReport("FEE-000913"));
    }

    [Fact]
    public void Keys_are_injective_over_generated_parts_and_decode_to_them()
    {
        var random = new Random(14_3);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < 20_000; i++)
        {
            var parts = Enumerable.Range(0, random.Next(1, 5)).Select(_ => Part(random)).ToArray();
            var key = IdempotencyKeys.Build("finding", parts);
            var identity = string.Join('\u0001', parts) + '\u0002' + parts.Length;
            if (seen.TryGetValue(key, out var earlier))
            {
                Assert.Equal(earlier, identity);
            }

            seen[key] = identity;
            var (kind, decoded) = IdempotencyKeys.Parse(key);
            Assert.Equal("finding", kind);
            Assert.Equal(parts, decoded);
        }

        // Every two-part split of every short string over the alphabet: the splits the old format confused.
        var splits = new HashSet<string>(StringComparer.Ordinal);
        var total = 0;
        foreach (var text in Strings(4))
        {
            for (var cut = 0; cut <= text.Length; cut++)
            {
                total++;
                Assert.True(splits.Add(IdempotencyKeys.Finding(text[..cut], text[cut..])), $"'{text[..cut]}' + '{text[cut..]}' collides");
            }
        }

        Assert.Equal(total, splits.Count);
    }

    private static string Part(Random random) => new([.. Enumerable.Range(0, random.Next(0, 6)).Select(_ => Alphabet[random.Next(Alphabet.Length)])]);

    private static IEnumerable<string> Strings(int maxLength)
    {
        IEnumerable<string> level = [string.Empty];
        for (var length = 0; length <= maxLength; length++)
        {
            foreach (var text in level)
            {
                yield return text;
            }

            level = [.. level.SelectMany(t => Alphabet.Select(c => t + c))];
        }
    }
}
