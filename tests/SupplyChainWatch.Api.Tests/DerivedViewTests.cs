using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Grains;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>The write path's contract: a 2xx once the signal is durable and applied; derived views follow behind it.</summary>
public sealed class DerivedViewTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_201_comes_before_its_escalation_is_stored_the_score_already_counts_it_and_the_escalation_follows()
    {
        using var factory = new ServiceFactory();
        // A slow derived store: what a 2xx does not wait for shows as a window of three seconds.
        factory.Settings["Storage:DerivedWriteDelay"] = "00:00:03";
        using var client = factory.CreateClient();
        (await client.PutJsonAsync("/api/v1/suppliers/dv-1", Samples.Supplier())).Expect(HttpStatusCode.Created);
        await factory.DerivedViewsCaughtUpAsync();

        var posted = System.Diagnostics.Stopwatch.StartNew();
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit("dv-1-a1", "dv-1", null,
            Samples.Finding("F1", "forced-labour", "critical", 20, codes: ["deception-nature-of-work", "threat-dismissal-or-financial-penalty"])))).Expect(HttpStatusCode.Created);
        var answeredAfter = posted.Elapsed;
        var risk = (await client.GetJsonAsync("/api/v1/suppliers/dv-1/risk")).Expect(HttpStatusCode.OK);
        var escalationsAtOnce = (await client.GetJsonAsync("/api/v1/escalations?subjectId=sup:dv-1")).Expect(HttpStatusCode.OK)["items"]!.AsArray();
        var listedAtOnce = (await client.GetJsonAsync("/api/v1/suppliers?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray()
            .Single(i => i!["id"]!.GetValue<string>() == "dv-1")!["score"]!.GetValue<int>();
        var readAfter = posted.Elapsed;

        Assert.True(readAfter < TimeSpan.FromSeconds(2.5), $"the answer and reads took {readAfter}: the window says nothing");
        Assert.True(answeredAfter < TimeSpan.FromSeconds(2.5), $"the 201 took {answeredAfter}: it waited for the derived store");
        Assert.True(risk["score"]!.GetValue<int>() >= 80, "the acknowledged audit is in the score at once");
        Assert.Empty(escalationsAtOnce);
        Assert.NotEqual(risk["score"]!.GetValue<int>(), listedAtOnce);

        await factory.DerivedViewsCaughtUpAsync();
        var types = (await client.GetJsonAsync("/api/v1/escalations?subjectId=sup:dv-1")).Expect(HttpStatusCode.OK)["items"]!.AsArray()
            .Select(e => e!["type"]!.GetValue<string>()).ToList();
        Assert.Contains("forced_labour.indicated", types);
        Assert.Contains("case.escalated", types);
        var listed = (await client.GetJsonAsync("/api/v1/suppliers?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray()
            .Single(i => i!["id"]!.GetValue<string>() == "dv-1")!;
        Assert.Equal(risk["score"]!.GetValue<int>(), listed["score"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_snapshot_due_while_derived_writes_are_queued_does_not_hold_the_next_signal_behind_them()
    {
        using var factory = new ServiceFactory();
        // The derived writer holds every batch for 20 s; the snapshot timer fires 200 ms after the first unsnapshotted row.
        factory.Settings["Storage:DerivedWriteDelay"] = "00:00:20";
        factory.Settings["Subjects:SnapshotAfter"] = "00:00:00.2";
        using var client = factory.CreateClient();
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit("snap-a1", "snap-1", null,
            Samples.Finding("F1", "forced-labour", "critical", 20, codes: ["deception-nature-of-work", "threat-dismissal-or-financial-penalty"])))).Expect(HttpStatusCode.Created);
        // Long enough for the snapshot timer to have fired (and found the first audit's derived writes still queued).
        await Task.Delay(TimeSpan.FromSeconds(1));

        var posted = System.Diagnostics.Stopwatch.StartNew();
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit("snap-a2", "snap-1", null, Samples.Finding("F1", "wages", "minor", 3)))).Expect(HttpStatusCode.Created);
        var answeredAfter = posted.Elapsed;

        // Had the snapshot waited in the grain's turn, the second audit would have been answered only after the first
        // audit's escalations were stored (20 s on).
        Assert.Empty((await client.GetJsonAsync("/api/v1/escalations?subjectId=sup:snap-1")).Expect(HttpStatusCode.OK)["items"]!.AsArray());
        Assert.True(answeredAfter < TimeSpan.FromSeconds(10), $"the second audit took {answeredAfter}");
        Assert.Equal(2, (await client.GetJsonAsync("/api/v1/suppliers/snap-1")).Expect(HttpStatusCode.OK)["signalCount"]!.GetValue<int>());

        // And the snapshot follows once they are durable.
        await factory.DerivedViewsCaughtUpAsync();
        Assert.Contains("case.escalated", (await client.GetJsonAsync("/api/v1/escalations?subjectId=sup:snap-1")).Expect(HttpStatusCode.OK)["items"]!.AsArray()
            .Select(e => e!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Derived_view_lag_is_measured_once_per_write_at_a_concurrent_ingest_and_the_views_catch_up()
    {
        var lags = new ConcurrentBag<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrainMetrics.MeterName && instrument.Name == "scw.derived.lag")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, _, _) => lags.Add(value));
        listener.Start();

        using var factory = new ServiceFactory();
        using var client = factory.CreateClient();
        var suppliers = Enumerable.Range(0, 40).Select(i => $"lag-{i}").ToArray();
        foreach (var supplier in suppliers)
        {
            (await client.PutJsonAsync($"/api/v1/suppliers/{supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
        }

        await factory.DerivedViewsCaughtUpAsync();
        lags.Clear();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, 800), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
            (await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"lag-a{i}", suppliers[i % suppliers.Length], null,
                Samples.Finding("F1", "wages", i % 7 == 0 ? "critical" : "minor", 1 + (i % 30), codes: i % 11 == 0 ? ["wage-withholding"] : [])))).Expect(HttpStatusCode.Created));
        var rate = 800 / watch.Elapsed.TotalSeconds;
        await factory.DerivedViewsCaughtUpAsync();

        var sorted = lags.Order().ToArray();
        // One measurement per grain turn; a turn handed rows out of order applies the gap from the log and the late row
        // then has nothing left to do, so a few turns carry two audits.
        Assert.InRange(sorted.Length, 700, 800);
        var p50 = sorted[sorted.Length / 2];
        var p99 = sorted[(int)(sorted.Length * 0.99)];
        output.WriteLine($"{rate:F0} audits/s (32 concurrent, SQLite, in-process): derived-view lag p50 {p50:F1} ms, p99 {p99:F1} ms, max {sorted[^1]:F1} ms over {sorted.Length} writes");
        Assert.All(sorted, lag => Assert.True(lag >= 0, $"lag {lag} ms"));
        // The figure itself (the README's bound) is the benchmark's to show, measured alone: bench/run.sh reports the p99.
        // Here the suite's other tests share the two cores and the disk, so only the views catching up is asserted.
        var listed = (await client.GetJsonAsync("/api/v1/suppliers?limit=500")).Expect(HttpStatusCode.OK)["items"]!.AsArray()
            .Where(i => i!["id"]!.GetValue<string>().StartsWith("lag-", StringComparison.Ordinal))
            .ToDictionary(i => i!["id"]!.GetValue<string>(), i => i!["score"]!.GetValue<int>());
        foreach (var supplier in suppliers)
        {
            var score = (await client.GetJsonAsync($"/api/v1/suppliers/{supplier}/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>();
            Assert.Equal(score, listed[supplier]);
        }
    }
}
