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
