using System.Diagnostics.Metrics;
using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Grains;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Issue 13's "cost does not grow with history", measured at the grain: the time of a subject grain's write turn.</summary>
[Collection(MeasuredAloneCollection.Name)]
public sealed class GrainCostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_signal_costs_the_grain_about_as_much_with_1000_prior_signals_as_with_10()
    {
        var turns = new List<double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GrainMetrics.MeterName && instrument.Name == "scw.subject.stage.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "stage" && (string?)tag.Value == "turn")
                {
                    lock (turns)
                    {
                        turns.Add(value);
                    }
                }
            }
        });
        listener.Start();

        using var factory = new ServiceFactory();
        using var client = factory.CreateClient();
        // Prior history: 1,000 findings (two audits of 500) on one supplier, 10 on the other, all of the category the
        // measured signals have (the repeat rule looks at a category's findings).
        for (var a = 0; a < 2; a++)
        {
            var findings = Enumerable.Range(0, 500).Select(i => Samples.Finding($"F{i}", "wages", "minor", 1 + (i % 50))).ToArray();
            (await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"deep-prior-{a}", "cost-deep", null, findings))).Expect(HttpStatusCode.Created);
        }

        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit("shallow-prior", "cost-shallow", null,
            [.. Enumerable.Range(0, 10).Select(i => Samples.Finding($"F{i}", "wages", "minor", 1 + i))]))).Expect(HttpStatusCode.Created);
        Assert.Equal(1000, (await client.GetJsonAsync("/api/v1/suppliers/cost-deep")).Expect(HttpStatusCode.OK)["signalCount"]!.GetValue<int>());

        // Interleaved, one at a time, so that each turn measured is the one of the signal just sent.
        var costs = new Dictionary<string, List<double>> { ["cost-deep"] = [], ["cost-shallow"] = [] };
        for (var i = 0; i < 300; i++)
        {
            foreach (var supplier in costs.Keys)
            {
                int before;
                lock (turns)
                {
                    before = turns.Count;
                }

                (await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"{supplier}-m{i}", supplier, null, Samples.Finding("F1", "wages", "minor", 3)))).Expect(HttpStatusCode.Created);
                lock (turns)
                {
                    Assert.Equal(before + 1, turns.Count);
                    if (i >= 50)
                    {
                        costs[supplier].Add(turns[^1]); // the first 50 warm up
                    }
                }
            }
        }

        var deep = Median(costs["cost-deep"]);
        var shallow = Median(costs["cost-shallow"]);
        output.WriteLine($"grain write turn, median of 250: {shallow * 1000:F0} µs with 10 prior signals, {deep * 1000:F0} µs with 1,000 (ratio {deep / shallow:F2});"
            + $" p90 {P90(costs["cost-shallow"]) * 1000:F0} / {P90(costs["cost-deep"]) * 1000:F0} µs");
        // A whole-history re-evaluation costs about a hundred times more at 1,000 signals than at 10.
        Assert.True(deep < shallow * 3 + 0.05, $"{deep:F3} ms at 1,000 prior signals against {shallow:F3} ms at 10");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static double P90(List<double> values) => values.Order().ElementAt(values.Count * 9 / 10);
}
