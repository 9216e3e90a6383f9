using System.Net;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Issue 14, finding 1: signals of every kind whose numbers or dates the engine could not use are refused at the edge, naming the field.</summary>
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

    public static TheoryData<string, string, string, string> OutsideTheLimits => new()
    {
        // method, path, body, field
        { "POST", "/api/v1/audits", """{"auditId":"A-lim","supplierId":"sup-lim","standard":"smeta","auditType":"initial","startDate":"2026-10-05","endDate":"2026-10-07","auditFirm":"F","findings":[{"findingId":"F-1","category":"documents","severity":"major","workersAffected":1,"dueDate":"2101-01-01"}]}""", "findings[0].dueDate" },
        { "POST", "/api/v1/audits", """{"auditId":"A-lim","supplierId":"sup-lim","standard":"smeta","auditType":"initial","startDate":"2026-10-05","endDate":"2026-10-07","auditFirm":"F","findings":[{"findingId":"F-1","category":"documents","severity":"major","workersAffected":10000001}]}""", "findings[0].workersAffected" },
        { "POST", "/api/v1/audits", """{"auditId":"A-lim","supplierId":"sup-lim","standard":"smeta","auditType":"initial","startDate":"1989-12-31","endDate":"1989-12-31","auditFirm":"F","findings":[{"findingId":"F-1","category":"documents","severity":"major","workersAffected":1}]}""", "endDate" },
        { "POST", "/api/v1/grievances", """{"grievanceId":"G-lim","supplierId":"sup-lim","receivedAt":"1990-01-01T00:00:00+14:00","channel":"hotline","workersAffected":1,"anonymity":"anonymous","consent":{"shareWithBrand":true,"shareWithNgo":true,"shareWithLawEnforcement":false}}""", "receivedAt" },
        { "POST", "/api/v1/grievances", """{"grievanceId":"G-lim","supplierId":"sup-lim","receivedAt":"2026-11-01T00:00:00Z","channel":"hotline","workersAffected":2147483647,"anonymity":"anonymous","consent":{"shareWithBrand":true,"shareWithNgo":true,"shareWithLawEnforcement":false}}""", "workersAffected" },
        { "PUT", "/api/v1/suppliers/sup-lim", """{"name":"S","country":"MY","sector":"apparel","workforce":100000001}""", "workforce" },
        { "PUT", "/api/v1/suppliers/sup-lim", """{"name":"S","country":"MY","sector":"apparel","migrantWorkerShare":1.0000001}""", "migrantWorkerShare" },
        { "PUT", "/api/v1/suppliers/sup-lim/recruiters/rec-lim", """{"workforceShare":-0.0000001}""", "workforceShare" },
    };

    [Theory]
    [MemberData(nameof(OutsideTheLimits))]
    public async Task A_signal_outside_the_limits_is_400_naming_the_field_and_stores_nothing(string method, string path, string body, string field)
    {
        using var client = _factory.CreateClient(SupplyChainWatch.Api.Hosting.Roles.All.ToArray());

        var problem = (await client.SendAsync(new HttpMethod(method), path, body)).Expect(HttpStatusCode.BadRequest);

        Assert.NotNull(problem["errors"]?[field]);
        (await client.GetJsonAsync("/api/v1/suppliers/sup-lim")).Expect(HttpStatusCode.NotFound);
    }
}
