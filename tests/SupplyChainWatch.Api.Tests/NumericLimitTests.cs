using System.Net;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Issue 14, finding 1: fee reports whose numbers the engine could not compute are refused at the edge, naming the field.</summary>
public sealed class NumericLimitTests : IDisposable
{
    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private static JsonObject Report(string id, decimal amount, decimal rate, decimal wage = 1000m)
    {
        var report = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Samples.FeeReport(id, "rec-limits", null, "w-1", 100m, loan: false), ApiCalls.Json))!.AsObject();
        report["costs"] = new JsonArray(new JsonObject { ["type"] = "placement-fee", ["amount"] = amount, ["currency"] = "EUR", ["paidBy"] = "worker" });
        report["fxRatesToUsd"] = new JsonObject { ["EUR"] = rate, ["MYR"] = 0.21m };
        report["monthlyWage"] = new JsonObject { ["amount"] = wage, ["currency"] = "MYR" };
        return report;
    }

    [Theory]
    [InlineData("79000000000000000000000000000", "1000000000", "costs[0].amount")]
    [InlineData("1", "1000000000", "fxRatesToUsd.EUR")]
    [InlineData("1000000000001", "1", "costs[0].amount")]
    [InlineData("1", "0.0000000000000000000000000001", "fxRatesToUsd.EUR")]
    public async Task A_fee_report_outside_the_limits_is_400_naming_the_field(string amount, string rate, string field)
    {
        using var client = _factory.CreateClient(SupplyChainWatch.Api.Hosting.Roles.All.ToArray());
        var body = Report("fee-limit", decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(rate, System.Globalization.CultureInfo.InvariantCulture));

        var problem = (await client.PostJsonAsync("/api/v1/recruitment-fees", body.ToJsonString())).Expect(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]?[field]);
        (await client.GetJsonAsync("/api/v1/recruiters/rec-limits/risk")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_cost_ratio_that_would_overflow_is_400_naming_the_wage()
    {
        using var client = _factory.CreateClient(SupplyChainWatch.Api.Hosting.Roles.All.ToArray());
        // Every field alone is inside its limits; paid / wage in US dollars is not computable.
        var body = Report("fee-ratio", 1_000_000_000_000m, 1_000_000m, wage: 0.000000000001m);

        var problem = (await client.PostJsonAsync("/api/v1/recruitment-fees", body.ToJsonString())).Expect(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]?["monthlyWage.amount"]);
    }

    [Fact]
    public async Task A_fee_report_at_the_limits_is_accepted_and_scores()
    {
        using var client = _factory.CreateClient(SupplyChainWatch.Api.Hosting.Roles.All.ToArray());
        var body = Report("fee-at-limit", 1_000_000_000_000m, 1_000_000m, wage: 1m);

        (await client.PostJsonAsync("/api/v1/recruitment-fees", body.ToJsonString())).Expect(HttpStatusCode.Created);

        var risk = (await client.GetJsonAsync("/api/v1/recruiters/rec-limits/risk")).Expect(HttpStatusCode.OK);
        Assert.Empty(risk["quarantined"]!.AsArray());
    }
}
