using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using SupplyChainWatch.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Who may call what, for every endpoint in the service's own endpoint table: a new endpoint fails this test until
/// <see cref="EndpointCatalog"/> says who may call it, and then it is checked for every role and anonymous.
/// </summary>
public sealed class AuthorizationMatrixTests(ITestOutputHelper output) : IDisposable
{
    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task Every_endpoint_answers_every_role_and_anonymous_as_specified()
    {
        using var anonymous = _factory.CreateClient([]);
        var world = await SeededWorld.CreateAsync(_factory);
        var specs = EndpointCatalog.ForMappedEndpoints(_factory.Services);

        // Each role alone, anonymous, and tokens with several roles (the union of their rights).
        var callers = Roles.Select(r => new[] { r }).ToList();
        callers.Add([]);
        callers.Add(["compliance", "auditor"]);
        callers.Add(["ngo", "case-officer"]);
        var failures = new List<string>();
        var requests = 0;
        var watch = Stopwatch.StartNew();
        foreach (var spec in specs)
        {
            foreach (var roles in callers)
            {
                using var client = _factory.CreateClient(roles);
                var (status, body) = await client.SendAsync(new HttpMethod(spec.Method), spec.Url(world), spec.RawBody?.Invoke(world) ?? spec.Body?.Invoke(world).ToJsonString(), spec.ContentType);
                requests++;
                var code = (int)status;
                var who = roles.Length == 0 ? "anonymous" : string.Join('+', roles);
                var expected = spec.IsAnonymous || (roles.Length > 0 && spec.Allows(roles)) ? "2xx" : roles.Length == 0 ? "401" : "403";
                if (expected == "2xx" && spec.OwnerScoped && TestTokens.SubjectOf(roles) != EndpointSpec.Owner)
                {
                    expected = "404";
                }

                var ok = expected switch
                {
                    "2xx" => code is >= 200 and < 300,
                    "401" => code == 401,
                    "404" => code == 404,
                    _ => code == 403,
                };
                if (!ok)
                {
                    failures.Add($"{spec.Key} as {who}: expected {expected}, got {code} {body?.ToJsonString()}");
                }

                if (code is 401 or 403 or 404)
                {
                    Assert.Equal(code, body?["status"]?.GetValue<int>());
                }
            }
        }

        output.WriteLine($"{specs.Count} endpoints x {callers.Count} callers = {requests} requests in {watch.ElapsedMilliseconds} ms");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Tokens_that_do_not_validate_are_401_with_problem_details_and_a_bearer_challenge()
    {
        var otherKey = new byte[32];
        otherKey[0] = 1;
        var later = DateTime.UtcNow.AddHours(1);
        string[] tokens =
        [
            TestTokens.Create("mallory", TestTokens.Issuer, TestTokens.Audience, otherKey, later, "admin"),
            TestTokens.Create("mallory", "someone-else", TestTokens.Audience, Convert.FromBase64String(TestTokens.SigningKeyBase64), later, "admin"),
            TestTokens.Create("mallory", TestTokens.Issuer, "another-api", Convert.FromBase64String(TestTokens.SigningKeyBase64), later, "admin"),
            TestTokens.Create("mallory", TestTokens.Issuer, TestTokens.Audience, Convert.FromBase64String(TestTokens.SigningKeyBase64), DateTime.UtcNow.AddMinutes(-10), "admin"),
            TestTokens.Create("mallory", "admin") + "x",
            "not-a-jwt",
        ];
        foreach (var token in tokens)
        {
            using var client = _factory.CreateClient([]);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.GetAsync(new Uri("/api/v1/suppliers", UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        }
    }

    [Fact]
    public async Task A_token_without_a_subject_is_401_with_a_reason_so_sub_less_callers_never_share_an_identity()
    {
        var token = TestTokens.Create(null, TestTokens.Issuer, TestTokens.Audience, Convert.FromBase64String(TestTokens.SigningKeyBase64), DateTime.UtcNow.AddHours(1), "ngo", "grievance-handler");
        foreach (var url in new[] { "/api/v1/webhooks/subscriptions", "/api/v1/grievances/g-none" })
        {
            using var client = _factory.CreateClient([]);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var problem = (await client.GetJsonAsync(url)).Expect(HttpStatusCode.Unauthorized);
            Assert.Contains("'sub'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_mapped_endpoint_other_than_health_declares_roles_next_to_its_mapping()
    {
        using var client = _factory.CreateClient([]);
        (await client.GetJsonAsync("/health/live")).Expect(HttpStatusCode.OK);
        var endpoints = _factory.Service<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints.OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>().ToList();
        Assert.NotEmpty(endpoints);
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText ?? string.Empty;
            if (SupplyChainWatch.Api.Dashboard.DashboardSetup.IsDashboardRoute(pattern))
            {
                continue; // The browser dashboard signs in with its own cookie and policy: DashboardTests covers who reaches it.
            }

            var anonymous = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null;
            var roles = endpoint.Metadata.OfType<Microsoft.AspNetCore.Authorization.AuthorizationPolicy>()
                .SelectMany(p => p.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>()).ToList();
            Assert.True(anonymous == pattern.StartsWith("/health", StringComparison.Ordinal), $"{pattern}: only /health/* is anonymous");
            Assert.True(anonymous || roles.Count > 0, $"{pattern}: names no roles");
        }
    }

    private static IReadOnlyList<string> Roles => SupplyChainWatch.Api.Hosting.Roles.All;
}
