using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SupplyChainWatch.Api.Tests.Infrastructure;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Issue 14, finding 5: consent holds on every channel. One canary grievance per combination of the three consent flags,
/// each on a supplier of its own (so anything of it a channel shows is found by the supplier's answers); then every GET
/// endpoint for every role but grievance-handler, every webhook delivery a receiver captures, and referral packages are
/// searched for the canary's id, allegation codes and flags wherever its consent forbids them.
/// </summary>
public sealed class ConsentChannelTests : IDisposable
{
    private static readonly string[] Codes = ["physical-sexual-violence", "restriction-of-movement"];
    private static readonly string[] Flags = ["child-labour", "imminent-danger", "physical-violence-or-confinement"];
    private static readonly string[] OtherRoles = ["compliance", "admin", "ngo", "case-officer", "auditor", "recruitment-monitor"];

    private readonly ServiceFactory _factory = new();

    public ConsentChannelTests() => WebhookTestSettings.Apply(_factory.Settings);

    public void Dispose() => _factory.Dispose();

    private sealed record Canary(bool Brand, bool Ngo, bool LawEnforcement, string Supplier, string GrievanceId)
    {
        public string Name => $"brand={Brand} ngo={Ngo} law={LawEnforcement}";

        /// <summary>What an audience without consent must not see: the id everywhere, codes and flags wherever the answer is about this supplier alone.</summary>
        public IEnumerable<string> Forbidden(bool subjectScoped) => subjectScoped ? [GrievanceId, .. Codes, .. Flags] : [GrievanceId];

        public bool Allows(DisclosureAudience audience) => !ConsentRules.For(new GrievanceConsent(Brand, Ngo, LawEnforcement), audience).Withheld;
    }

    private HttpClient As(string subject, params string[] roles)
    {
        var client = _factory.CreateClient([]);
        client.DefaultRequestHeaders.Authorization = TestTokens.Bearer(subject, roles);
        return client;
    }

    [Fact]
    public async Task Canary_grievances_with_every_consent_combination_show_only_what_their_consent_allows_on_every_channel()
    {
        var tag = Guid.NewGuid().ToString("N")[..6];
        var canaries = (from b in new[] { false, true }
                        from n in new[] { false, true }
                        from l in new[] { false, true }
                        let suffix = $"{(b ? 1 : 0)}{(n ? 1 : 0)}{(l ? 1 : 0)}"
                        select new Canary(b, n, l, $"cc{tag}s{suffix}", $"CANARYG{tag}{suffix}")).ToArray();
        await using var receiver = await WebhookReceiver.StartAsync();
        using var ngo = As("ngo-consent", "ngo");
        var subscription = (await ngo.PostJsonAsync("/api/v1/webhooks/subscriptions", new
        {
            url = receiver.Url("/consent"),
            description = "consent canaries",
            eventTypes = new[] { "risk.band_changed", "forced_labour.indicated", "case.escalated", "recruiter.high_risk_linked", "grievance.acknowledgement_overdue", "corrective_action.overdue" },
        })).Expect(HttpStatusCode.Created)["subscription"]!["id"]!.GetValue<string>();

        using var client = _factory.CreateClient();
        foreach (var canary in canaries)
        {
            (await client.PutJsonAsync($"/api/v1/suppliers/{canary.Supplier}", Samples.Supplier())).Expect(HttpStatusCode.Created);
            var body = JsonSerializer.SerializeToNode(Samples.Grievance(canary.GrievanceId, canary.Supplier, null, "2026-11-15T08:00:00Z",
                "NARRATIVE-" + canary.GrievanceId, "CONTACT-" + canary.GrievanceId, Codes), ApiCalls.Json)!;
            body["evidenceStatus"] = "corroborated";
            body["imminentDanger"] = true;
            body["childInvolved"] = true;
            body["consent"] = new JsonObject { ["shareWithBrand"] = canary.Brand, ["shareWithNgo"] = canary.Ngo, ["shareWithLawEnforcement"] = canary.LawEnforcement };
            (await client.PostJsonAsync("/api/v1/grievances", body.ToJsonString())).Expect(HttpStatusCode.Created);
        }

        // Past the acknowledgement deadline, new evidence on each supplier raises grievance.acknowledgement_overdue too.
        _factory.Clock.Advance(TimeSpan.FromDays(3));
        foreach (var canary in canaries)
        {
            (await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"{canary.Supplier}-a", canary.Supplier, null,
                Samples.Finding("F1", "working-hours", "minor", 3, "verified", null, "excessive-overtime-imposed")))).Expect(HttpStatusCode.Created);
        }

        var deliveries = await ApiCalls.EventuallyAsync(() => Task.FromResult(receiver.On("/consent")),
            received => canaries.All(c => received.Any(r => r.Body.Contains($"\"sup:{c.Supplier}\"", StringComparison.Ordinal) && r.Body.Contains("acknowledgement_overdue", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(20));
        Assert.All(canaries, c => Assert.Contains(deliveries, r => r.Body.Contains($"\"sup:{c.Supplier}\"", StringComparison.Ordinal)));

        // Referral packages: for NGOs, and for law enforcement (with the safety override the flags allow when consent is missing).
        using var officer = As("officer-consent", "case-officer");
        var packages = new Dictionary<Canary, (JsonNode Ngo, JsonNode Law)>();
        foreach (var canary in canaries)
        {
            object Request(string recipient, bool withOverride) => new
            {
                subjectId = "sup:" + canary.Supplier,
                recipientType = recipient,
                recipientName = "Recipient",
                reason = "Canary.",
                safetyOverride = withOverride ? new { kind = "imminent-danger", justification = "Danger now." } : null,
            };
            var url = $"/api/v1/cases/grievance:{canary.GrievanceId}/referrals";
            var forNgo = (await officer.PostJsonAsync(url, Request("ngo", false))).Expect(HttpStatusCode.Created);
            var plain = await officer.PostJsonAsync(url, Request("law-enforcement", false));
            Assert.Equal(canary.LawEnforcement ? HttpStatusCode.Created : HttpStatusCode.Forbidden, plain.Status);
            var forLaw = canary.LawEnforcement ? plain.Body! : (await officer.PostJsonAsync(url, Request("law-enforcement", true))).Expect(HttpStatusCode.Created);
            packages[canary] = (forNgo, forLaw);
        }

        var failures = new List<string>();
        void Check(Canary canary, bool allowed, bool subjectScoped, string channel, string answer)
        {
            if (!allowed)
            {
                failures.AddRange(canary.Forbidden(subjectScoped).Where(f => answer.Contains(f, StringComparison.Ordinal)).Select(f => $"{canary.Name}: {channel} shows '{f}'"));
            }
        }

        void CheckPackage(Canary canary, bool withheld, string channel, string answer, bool codesOnly = false)
        {
            if (withheld)
            {
                failures.AddRange((codesOnly ? Codes : Codes.Concat(Flags)).Where(f => answer.Contains(f, StringComparison.Ordinal)).Select(f => $"{canary.Name}: {channel} shows '{f}'"));
            }
        }

        // 1. Every GET endpoint, for every role but grievance-handler, filled with each canary's ids.
        // The live stream never ends, so it is read by EventStreamTests (a grievance withheld from the brand is named
        // "withheld" there, as in the risk view); every other read endpoint is searched here.
        var gets = EndpointCatalog.Specs.Where(s => s.Method == "GET" && !s.Streaming && !s.Key.Contains("{grievanceId}", StringComparison.Ordinal)).ToArray();
        foreach (var canary in canaries)
        {
            var world = new WorldIds(canary.Supplier, "none", $"{canary.Supplier}-a", "F1", canary.GrievanceId, "none",
                SubscriptionId: subscription, ReferralId: packages[canary].Ngo["referralId"]!.GetValue<string>());
            foreach (var role in OtherRoles)
            {
                using var reader = As(role == "ngo" ? "ngo-consent" : "consent-" + role, role);
                var audience = role switch { "ngo" => DisclosureAudience.Ngo, "case-officer" => DisclosureAudience.Ngo, "compliance" or "admin" => DisclosureAudience.Brand, _ => (DisclosureAudience?)null };
                foreach (var spec in gets)
                {
                    var url = spec.Url(world);
                    var answer = await reader.GetAsync(url);
                    var text = await answer.Content.ReadAsStringAsync();
                    if (spec.Key.Contains("/referrals", StringComparison.Ordinal))
                    {
                        // The referral channel: the package (for an NGO) and the access log of packages keep the case's id.
                        CheckPackage(canary, url.Contains(world.ReferralId, StringComparison.Ordinal) && !canary.Ngo, $"{role} GET {url}", text);
                        continue;
                    }

                    var scoped = url.Contains(canary.Supplier, StringComparison.Ordinal) || url.Contains(canary.GrievanceId, StringComparison.Ordinal);
                    Check(canary, audience is { } a && canary.Allows(a), scoped, $"{role} GET {url} ({(int)answer.StatusCode})", text);
                }

                var log = await reader.GetAsync($"/api/v1/referrals/access-log?subjectId=sup:{canary.Supplier}");
                CheckPackage(canary, !(canary.Ngo && canary.LawEnforcement), $"{role} GET access-log of sup:{canary.Supplier}", await log.Content.ReadAsStringAsync(), codesOnly: true);

                foreach (var url in new[]
                {
                    $"/api/v1/suppliers/{canary.Supplier}/risk?asOf=2026-11-22T00:00:00Z", $"/api/v1/suppliers/{canary.Supplier}/risk?dated=2026-11-22T00:00:00Z",
                    $"/api/v1/escalations?subjectId=sup:{canary.Supplier}&limit=500&includeWithdrawn=true", "/api/v1/escalations?limit=500", "/api/v1/suppliers?limit=500",
                })
                {
                    var answer = await reader.GetAsync(url);
                    Check(canary, audience is { } a && canary.Allows(a), url.Contains(canary.Supplier, StringComparison.Ordinal), $"{role} GET {url} ({(int)answer.StatusCode})",
                        await answer.Content.ReadAsStringAsync());
                }
            }

            // 2. Every webhook delivery about the canary's supplier, and every other one for its id.
            foreach (var delivery in deliveries)
            {
                Check(canary, canary.Ngo, delivery.Body.Contains($"\"sup:{canary.Supplier}\"", StringComparison.Ordinal), $"webhook {delivery.Id}", delivery.Body);
            }

            // 3. Referral packages: a worker who did not consent keeps the id on the redacted row (its hashes verify the chain) but no code and no flag.
            var (forNgo, forLaw) = packages[canary];
            foreach (var (package, allowed, name) in new[] { (forNgo, canary.Ngo, "ngo package"), (forLaw, canary.LawEnforcement, "law-enforcement package") })
            {
                if (!allowed)
                {
                    // A package built under the imminent-danger override names that override (its grounds), nothing else of the grievance.
                    var text = name == "ngo package" ? package.ToJsonString() : package.ToJsonString().Replace("\"kind\":\"imminent-danger\"", string.Empty, StringComparison.Ordinal);
                    failures.AddRange(Codes.Concat(Flags).Where(f => text.Contains(f, StringComparison.Ordinal)).Select(f => $"{canary.Name}: {name} shows '{f}'"));
                    if (package["flags"]!["childInvolved"]!.GetValue<bool>() || (name == "ngo package" && package["flags"]!["imminentDanger"]!.GetValue<bool>()))
                    {
                        failures.Add($"{canary.Name}: {name} shows the grievance's flags {package["flags"]!.ToJsonString()}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct()));

        // Not vacuous: with consent, each channel does show the grievance; without, its points still count, under a withheld term.
        using var compliance = As("consent-compliance", "compliance");
        foreach (var canary in canaries)
        {
            var risk = (await compliance.GetJsonAsync($"/api/v1/suppliers/{canary.Supplier}/risk")).Expect(HttpStatusCode.OK);
            var twin = canaries.Single(c => c.Brand != canary.Brand && c.Ngo == canary.Ngo && c.LawEnforcement == canary.LawEnforcement);
            var twinRisk = (await compliance.GetJsonAsync($"/api/v1/suppliers/{twin.Supplier}/risk")).Expect(HttpStatusCode.OK);
            Assert.Equal(twinRisk["score"]!.GetValue<int>(), risk["score"]!.GetValue<int>());
            Assert.Equal(twinRisk["explanation"]!["pointsTotal"]!.GetValue<decimal>(), risk["explanation"]!["pointsTotal"]!.GetValue<decimal>());
            var terms = risk["explanation"]!["evidence"]!["terms"]!.AsArray();
            Assert.Equal(risk["explanation"]!["evidence"]!["points"]!.GetValue<decimal>(), terms.Sum(t => t!["points"]!.GetValue<decimal>()));
            if (canary.Brand)
            {
                Assert.Contains(canary.GrievanceId, risk.ToJsonString(), StringComparison.Ordinal);
            }
            else
            {
                Assert.Contains(terms, t => t!["code"]!.GetValue<string>() == ConsentRules.WithheldTerm && t["points"]!.GetValue<decimal>() > 0);
            }

            if (canary.Ngo)
            {
                Assert.Contains(deliveries, d => d.Body.Contains(canary.GrievanceId, StringComparison.Ordinal));
                Assert.Contains(Codes, code => packages[canary].Ngo.ToJsonString().Contains(code, StringComparison.Ordinal));
            }

            if (canary.LawEnforcement)
            {
                Assert.Contains(Codes, code => packages[canary].Law.ToJsonString().Contains(code, StringComparison.Ordinal));
            }
        }
    }
}
