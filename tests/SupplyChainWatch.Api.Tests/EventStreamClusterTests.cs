using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Two silo processes on one PostgreSQL: the live stream of either silo carries the changes made on the other.</summary>
[Collection(PostgresCollection.Name)]
public sealed class EventStreamClusterTests(PostgresServerFixture server, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_change_made_through_one_silo_reaches_stream_clients_on_both_with_the_same_ids()
    {
        await using var cluster = await SiloCluster.StartAsync(await server.CreateDatabaseAsync(), 2);
        using var clientA = cluster.Silos[0].CreateClient();
        using var clientB = cluster.Silos[1].CreateClient();
        var subjects = Enumerable.Range(0, 8).Select(i => $"sup:cl-sse-{i}").ToArray();
        var url = $"/api/v1/events?types=risk.changed&subjectIds={string.Join(',', subjects)}";
        await using var onA = await EventStream.OpenAsync(clientA, url);
        await using var onB = await EventStream.OpenAsync(clientB, url);

        // Every change goes in through silo A; the grains spread over both silos. Each event is published by the one silo
        // its grain runs on, so both clients seeing all of them means each silo delivered the other's.
        foreach (var subject in subjects)
        {
            (await clientA.PostJsonAsync("/api/v1/audits", Samples.Audit("aud-" + subject[4..], subject[4..], null,
                Samples.Finding("F1", "wages", "critical", 40, codes: "wage-withholding")))).Expect(HttpStatusCode.Created);
        }

        var seenA = await ReadAsync(onA, subjects.Length);
        var seenB = await ReadAsync(onB, subjects.Length);
        Assert.Equal(subjects.Order(), seenA.Select(m => m.Data!["subjectId"]!.GetValue<string>()).Order());
        Assert.Equal(seenA.Select(m => (m.Id, m.Data!["subjectId"]!.GetValue<string>())).Order(), seenB.Select(m => (m.Id, m.Data!["subjectId"]!.GetValue<string>())).Order());
        output.WriteLine($"{seenB.Count} risk changes made through silo A seen on both silos, ids {string.Join(",", seenB.Select(m => m.Id))}");
    }

    private static async Task<List<SseMessage>> ReadAsync(EventStream stream, int count)
    {
        var messages = new List<SseMessage>();
        while (messages.Count < count)
        {
            messages.Add(await stream.NextAsync(Timeout));
        }

        return messages;
    }
}
