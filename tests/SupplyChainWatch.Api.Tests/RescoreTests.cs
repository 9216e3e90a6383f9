using System.Net;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests;

public sealed class RescoreTests
{
    [Fact]
    public async Task Rescore_reevaluates_every_subject_in_the_background_and_reports_progress()
    {
        using var factory = new ServiceFactory();
        using var client = factory.CreateClient();
        (await client.PutJsonAsync("/api/v1/recruiters/rs-rec", Samples.Recruiter())).Expect(HttpStatusCode.Created);
        for (var i = 0; i < 12; i++)
        {
            (await client.PutJsonAsync($"/api/v1/suppliers/rs-sup-{i}", Samples.Supplier())).Expect(HttpStatusCode.Created);
            (await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"rs-aud-{i}", $"rs-sup-{i}", "rs-rec",
                Samples.Finding("F1", "wages", "critical", 40, codes: "wage-withholding")))).Expect(HttpStatusCode.Created);
        }

        var subjects = (await factory.Service<IEvidenceLog>().ListSubjectsAsync()).Count;
        Assert.Equal(13, subjects);

        // Nothing changed: every subject is re-evaluated, none differs.
        var unchanged = await RunToEndAsync(client);
        Assert.Equal(subjects, unchanged["total"]!.GetValue<long>());
        Assert.Equal(subjects, unchanged["done"]!.GetValue<long>());
        Assert.Equal(0, unchanged["changed"]!.GetValue<long>());
        Assert.True(unchanged["rate"]!.GetValue<double>() > 0);
        Assert.NotNull(unchanged["finishedAt"]);

        // Two years on, decay moves every score: the re-scoring records the new results in the read model.
        var before = (await client.GetJsonAsync("/api/v1/suppliers/rs-sup-0/risk")).Expect(HttpStatusCode.OK)["score"]!.GetValue<int>();
        factory.Clock.Advance(TimeSpan.FromDays(730));
        var changed = await RunToEndAsync(client);
        Assert.Equal(subjects, changed["done"]!.GetValue<long>());
        Assert.InRange(changed["changed"]!.GetValue<long>(), 1, subjects);
        await factory.DerivedViewsCaughtUpAsync();
        var listed = (await client.GetJsonAsync("/api/v1/suppliers?limit=100")).Expect(HttpStatusCode.OK)["items"]!.AsArray()
            .Single(s => s!["id"]!.GetValue<string>() == "rs-sup-0")!;
        Assert.True(listed["score"]!.GetValue<int>() < before, $"score {listed["score"]} should have decayed below {before}");

        (await client.GetJsonAsync("/api/v1/admin/rescore/no-such-job")).Expect(HttpStatusCode.NotFound);
    }

    private static async Task<JsonNode> RunToEndAsync(HttpClient client)
    {
        var started = (await client.PostJsonAsync("/api/v1/admin/rescore", null)).Expect(HttpStatusCode.Accepted);
        var jobId = started["jobId"]!.GetValue<string>();
        return await ApiCalls.EventuallyAsync(
            async () => (await client.GetJsonAsync($"/api/v1/admin/rescore/{jobId}")).Expect(HttpStatusCode.OK),
            job => job["state"]!.GetValue<string>() != "running");
    }
}
