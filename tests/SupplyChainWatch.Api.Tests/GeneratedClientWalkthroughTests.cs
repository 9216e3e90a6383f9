using System.Text.RegularExpressions;
using Newtonsoft.Json;
using SupplyChainWatch.Api.Tests.Infrastructure;
using Generated = SupplyChainWatch.Client;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// The README's curl walk-through, step by step, through the C# client NSwag generates from docs/openapi/v1.json:
/// each curl command's method, path, query and JSON body are read from the README and sent through the typed
/// operation an integrator's generated client would call, with the body deserialised into the generated request type.
/// </summary>
public sealed partial class GeneratedClientWalkthroughTests : IDisposable
{
    private readonly ServiceFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    private sealed record Step(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Body);

    [Fact]
    public async Task The_readme_walkthrough_runs_through_the_generated_client()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepositoryRoot, "README.md"));
        var section = readme[readme.IndexOf("### A walk through with curl", StringComparison.Ordinal)..];
        var start = section.IndexOf("```bash", StringComparison.Ordinal) + "```bash".Length;
        var script = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var roles = RoleOption().Matches(script).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(roles);

        var steps = script.Split("curl -sf", StringSplitOptions.None).Skip(1).Select(Parse).Where(s => s is not null).Select(s => s!).ToList();
        Assert.True(steps.Count >= 15, $"only {steps.Count} curl steps found in the README");

        using var http = _factory.CreateClient(roles);
        var api = new Generated.SupplyChainWatchClient(http);
        Generated.ReferralPackage? referral = null;
        foreach (var step in steps)
        {
            var segments = step.Path.Trim('/').Split('/');
            string? Q(string key) => step.Query.TryGetValue(key, out var v) ? v : null;
            int? QInt(string key) => Q(key) is { } v ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : null;
            T Body<T>() => JsonConvert.DeserializeObject<T>(step.Body ?? throw new InvalidOperationException($"{step.Method} {step.Path} has no body"))!;
            object answer = (step.Method, segments) switch
            {
                ("PUT", ["api", "v1", "suppliers", var s]) => await api.RegisterSupplierAsync(s, Body<Generated.SupplierProfileBody>()),
                ("PUT", ["api", "v1", "recruiters", var r]) => await api.RegisterRecruiterAsync(r, Body<Generated.RecruiterProfileBody>()),
                ("PUT", ["api", "v1", "suppliers", var s, "recruiters", var r]) => await api.LinkRecruiterAsync(s, r, Body<Generated.LinkRecruiterBody>()),
                ("POST", ["api", "v1", "audits"]) => await api.SubmitAuditAsync(Body<Generated.AuditBody>()),
                ("POST", ["api", "v1", "audits", var a, "findings", var f, "status"]) => await api.ChangeFindingStatusAsync(a, f, Body<Generated.FindingStatusBody>()),
                ("POST", ["api", "v1", "grievances"]) => await api.SubmitGrievanceAsync(Body<Generated.GrievanceBody>()),
                ("POST", ["api", "v1", "grievances", var g, "status"]) => await api.ChangeGrievanceStatusAsync(g, Body<Generated.GrievanceStatusBody>()),
                ("POST", ["api", "v1", "recruitment-fees"]) => await api.SubmitFeeReportAsync(Body<Generated.FeeReportBody>()),
                ("GET", ["api", "v1", "suppliers", var s, "risk"]) => await api.GetSupplierRiskAsync(s, Q("asOf"), Q("dated")),
                ("GET", ["api", "v1", "recruiters", var r, "risk"]) => await api.GetRecruiterRiskAsync(r, Q("asOf"), Q("dated")),
                ("GET", ["api", "v1", "suppliers"]) => await api.ListSuppliersAsync(Q("country"), Q("sector"), Q("band"), QInt("minScore"), Q("sort"), QInt("limit"), Q("cursor"), Q("profile")),
                ("GET", ["api", "v1", "escalations"]) => await api.ListEscalationsAsync(Q("subjectId"), Q("type"), QInt("limit"), Q("cursor"), Q("includeWithdrawn") is { } w ? bool.Parse(w) : null),
                ("POST", ["api", "v1", "webhooks", "subscriptions"]) => await api.CreateWebhookSubscriptionAsync(Body<Generated.SubscriptionBody>()),
                ("POST", ["api", "v1", "cases", var c, "referrals"]) => referral = await api.BuildReferralAsync(Uri.UnescapeDataString(c), Body<Generated.ReferralBody>()),
                ("POST", ["api", "v1", "referrals", "verify"]) => await api.VerifyReferralAsync(referral ?? throw new InvalidOperationException("verify before a referral was built")),
                ("GET", ["health", "ready"]) => await Ready(api),
                _ => throw new InvalidOperationException($"The walk-through step {step.Method} {step.Path} has no mapping to the generated client; add one here."),
            };

            Assert.NotNull(answer);
            if (answer is Generated.VerificationView verification)
            {
                // The package made the round trip through typed models (instants re-written as +00:00, nulls left out)
                // and still verifies: verify compares values, not text.
                Assert.True(verification.Valid, "the referral package did not verify after the typed client's round trip: " + JsonConvert.SerializeObject(verification));
                Assert.True(verification.ChainValid);
                Assert.True(verification.ItemsChecked > 0);
            }
        }

        // The walk left an explained, non-trivial risk behind, read back through the typed client.
        var risk = await api.GetSupplierRiskAsync("sunrise-2", null, null);
        Assert.True(risk.Score > 0);
        Assert.Equal("sunrise-2", risk.SubjectId);
    }

    private static async Task<object> Ready(Generated.SupplyChainWatchClient api)
    {
        await api.ReadyAsync();
        return "ready";
    }

    /// <summary>Method, path, query and body of one curl command (the text after "curl -sf" up to the next one).</summary>
    private static Step? Parse(string command)
    {
        var url = UrlPattern().Match(command);
        if (!url.Success)
        {
            return null;
        }

        var method = MethodOption().Match(command) is { Success: true } m ? m.Groups[1].Value : "GET";
        var pathAndQuery = url.Groups["rest"].Value;
        var path = (url.Groups["api"].Success ? "/api/v1" : string.Empty) + pathAndQuery.Split('?')[0];
        var query = pathAndQuery.Contains('?', StringComparison.Ordinal)
            ? pathAndQuery.Split('?')[1].Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
        var body = BodyOption().Match(command) is { Success: true } b ? b.Groups[1].Value : null;
        return new Step(method, path, query, body);
    }

    [GeneratedRegex(@"--role ([a-z-]+)")]
    private static partial Regex RoleOption();

    [GeneratedRegex(@"-X ([A-Z]+)")]
    private static partial Regex MethodOption();

    [GeneratedRegex(@"-d '([^']*)'")]
    private static partial Regex BodyOption();

    [GeneratedRegex(@"(?:(?<api>\$API)|http://localhost:5080)(?<rest>/[^\s""']*)")]
    private static partial Regex UrlPattern();
}
