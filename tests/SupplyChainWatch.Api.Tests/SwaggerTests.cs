using System.Net;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

public sealed class SwaggerTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Every_operation_has_a_summary_and_description_and_every_schema_a_description_and_example()
    {
        var client = fixture.Factory.CreateClient();
        var document = (await client.GetJsonAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);

        var operations = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => (Name: $"{o.Key} {p.Key}", Operation: o.Value!))).ToList();
        Assert.True(operations.Count >= 17, $"only {operations.Count} operations documented");
        Assert.Empty(operations.Where(o => string.IsNullOrWhiteSpace(o.Operation["summary"]?.GetValue<string>())).Select(o => o.Name));
        Assert.Empty(operations.Where(o => string.IsNullOrWhiteSpace(o.Operation["description"]?.GetValue<string>())).Select(o => o.Name));

        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.Empty(schemas.Where(s => string.IsNullOrWhiteSpace(s.Value!["description"]?.GetValue<string>())).Select(s => s.Key));
        Assert.Empty(schemas.Where(s => s.Value!["example"] is null).Select(s => s.Key));
    }

    [Fact]
    public async Task The_swagger_ui_is_served()
    {
        var client = fixture.Factory.CreateClient();
        using var response = await client.GetAsync(new Uri("/swagger/index.html", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
