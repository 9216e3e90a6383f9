using System.Net;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// docs/openapi/v1.json is what the generated client (tests/SupplyChainWatch.Client) is built from and what Spectral
/// lints in CI, so it must be exactly what the service serves. After changing the API, rewrite it with
/// <c>SCW_WRITE_OPENAPI=1 dotnet test tests/SupplyChainWatch.Api.Tests --filter "FullyQualifiedName~OpenApiDocumentTests"</c>.
/// </summary>
public sealed class OpenApiDocumentTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    public static string CommittedPath => Path.Combine(TestPaths.RepositoryRoot, "docs", "openapi", "v1.json");

    [Fact]
    public async Task The_committed_document_is_the_one_the_service_serves()
    {
        var client = fixture.Factory.CreateClient();
        var served = (await client.GetJsonAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        var text = served.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("SCW_WRITE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(CommittedPath, text);
        }

        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing");
        var committed = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath));
        Assert.True(JsonNode.DeepEquals(served, committed),
            "docs/openapi/v1.json differs from what the service serves; rewrite it with SCW_WRITE_OPENAPI=1 (see OpenApiDocumentTests).");
    }
}

public sealed class ApiVersionTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Theory]
    [InlineData("/api/v2/suppliers")]
    [InlineData("/api/v9/suppliers/sunrise-2/risk")]
    public async Task An_unknown_version_is_404_problem_details_naming_the_supported_versions(string path)
    {
        foreach (var client in new[] { fixture.Factory.CreateClient(), fixture.Factory.CreateClient([]) })
        {
            var body = (await client.GetJsonAsync(path)).Expect(HttpStatusCode.NotFound);
            Assert.Equal(404, body["status"]!.GetValue<int>());
            Assert.Equal("v1", Assert.Single(body["supportedVersions"]!.AsArray())!.GetValue<string>());
            Assert.Contains("v1", body["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_document_says_v1_is_stable()
    {
        var document = (await fixture.Factory.CreateClient().GetJsonAsync("/swagger/v1/swagger.json")).Expect(HttpStatusCode.OK);
        Assert.Equal("v1", document["info"]!["version"]!.GetValue<string>());
        Assert.Contains("v1 is stable", document["info"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(document["info"]!["contact"]);
        Assert.NotEmpty(document["servers"]!.AsArray());
    }
}
