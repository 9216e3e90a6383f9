using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;

namespace SupplyChainWatch.Api.Tests;

/// <summary>Refusals say why, as problem details: which scheme, what was wrong with the token, which roles, which media type, which limit.</summary>
public sealed class RefusalReasonTests : IAsyncLifetime
{
    private readonly ServiceFactory _service = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _service.DisposeAsync();

    public static TheoryData<string, string?, string> Challenges => new()
    {
        { "no token", null, "Authorization: Bearer" },
        { "not a JWT", "not-a-jwt", "well-formed" },
        { "untrusted key", TestTokens.Create("x", TestTokens.Issuer, TestTokens.Audience, new byte[32], DateTime.UtcNow.AddHours(1), "compliance"), "signature" },
        { "expired", TestTokens.Create("x", TestTokens.Issuer, TestTokens.Audience, Convert.FromBase64String(TestTokens.SigningKeyBase64), DateTime.UtcNow.AddHours(-1), "compliance"), "expired" },
        { "other audience", TestTokens.Create("x", TestTokens.Issuer, "someone-else", Convert.FromBase64String(TestTokens.SigningKeyBase64), DateTime.UtcNow.AddHours(1), "compliance"), "audience" },
    };

    [Theory]
    [MemberData(nameof(Challenges))]
    public async Task A_401_names_the_scheme_and_what_was_wrong_with_the_token(string _, string? token, string reason)
    {
        var client = _service.CreateClient([]);
        client.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);

        using var response = await client.GetAsync(new Uri("/api/v1/suppliers", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        var problem = await ProblemAsync(response);
        Assert.Equal(401, problem["status"]!.GetValue<int>());
        Assert.Contains(reason, problem["detail"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_403_names_the_roles_the_endpoint_admits()
    {
        var client = _service.CreateClient(["auditor"]);

        using var response = await client.GetAsync(new Uri("/api/v1/suppliers", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Contains("compliance", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("compliance", problem["requiredRoles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task A_415_names_the_media_type_the_endpoint_takes()
    {
        var client = _service.CreateClient();
        using var body = new StringContent("{\"auditId\":\"A\"}", Encoding.UTF8, "text/plain");

        using var response = await client.PostAsync(new Uri("/api/v1/audits", UriKind.Relative), body);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", (await ProblemAsync(response))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_long_targets_and_headers_are_414_and_431_problem_details()
    {
        var client = _service.CreateClient();

        using var longTarget = await client.GetAsync(new Uri("/api/v1/suppliers?country=" + new string('x', 9000), UriKind.Relative));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, longTarget.StatusCode);
        Assert.Equal(414, (await ProblemAsync(longTarget))["status"]!.GetValue<int>());

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/v1/suppliers", UriKind.Relative));
        request.Headers.Add("X-Padding", new string('y', 40_000));
        using var bigHeaders = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, bigHeaders.StatusCode);
        Assert.Equal(431, (await ProblemAsync(bigHeaders))["status"]!.GetValue<int>());
    }

    private static async Task<JsonNode> ProblemAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", text);
        Assert.True(text.Contains("\"detail\"", StringComparison.Ordinal), text);
        return JsonNode.Parse(text) ?? throw new InvalidOperationException("empty body");
    }
}
