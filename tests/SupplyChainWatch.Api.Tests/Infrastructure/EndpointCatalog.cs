using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

/// <summary>Ids of the subjects and signals a <see cref="SeededWorld"/> created, for filling route parameters.</summary>
public sealed record WorldIds(string Supplier, string Recruiter, string AuditId, string FindingId, string GrievanceId, string FeeReportId, string RescoreJobId = "",
    string WebhookUrl = "", string SubscriptionId = "", string SpareSubscriptionId = "", string DeliveryId = "", string ReferralId = "", string ReferralPackage = "");

/// <summary>A date field and which way it is bounded (not before 1990, not in the future, or both).</summary>
public sealed record DateField(string Path, bool RejectsPast, bool RejectsFuture, bool IsInstant = false);

/// <summary>
/// What the security tests know about one endpoint: who may call it (the specification of issue 6, written down
/// here independently of the endpoint's own metadata), and for write endpoints a valid request and the shape of
/// its body (required fields, bounded dates, closed code lists) that hostile variants are made from.
/// </summary>
public sealed record EndpointSpec(
    string Key,
    IReadOnlyList<string>? Roles,
    Func<WorldIds, string> Url,
    Func<WorldIds, JsonNode>? Body = null,
    IReadOnlyList<string>? Required = null,
    IReadOnlyList<DateField>? Dates = null,
    IReadOnlyList<string>? Codes = null,
    Func<WorldIds, string>? RawBody = null,
    string ContentType = "application/json",
    bool OwnerScoped = false,
    bool Streaming = false)
{
    /// <summary>
    /// The token subject that owns the world's webhook subscription: on <see cref="OwnerScoped"/> endpoints other
    /// callers with an allowed role get 404, as if it did not exist.
    /// </summary>
    public const string Owner = "user-ngo";

    /// <summary>Null roles: anonymous access.</summary>
    public bool IsAnonymous => Roles is null;

    public string Method => Key[..Key.IndexOf(' ', StringComparison.Ordinal)];

    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    public bool Allows(IEnumerable<string> roles) => IsAnonymous || roles.Any(r => Roles!.Contains(r));
}

public static class EndpointCatalog
{
    private static readonly string[] Read = ["compliance", "admin"];
    private static readonly string[] Webhooks = ["ngo", "admin"];

    private static JsonNode Node(object body) => JsonSerializer.SerializeToNode(body, ApiCalls.Json)!;

    public static IReadOnlyList<EndpointSpec> Specs { get; } =
    [
        new("GET /health/live", null, _ => "/health/live"),
        new("GET /health/ready", null, _ => "/health/ready"),
        new("GET /metrics", ["admin"], _ => "/metrics"),

        new("PUT /api/v1/suppliers/{supplierId}", ["admin"], w => $"/api/v1/suppliers/{w.Supplier}",
            _ => Node(Samples.Supplier()), ["name", "country", "sector"], [], ["sector"]),
        new("GET /api/v1/suppliers/{supplierId}", Read, w => $"/api/v1/suppliers/{w.Supplier}"),
        new("PUT /api/v1/suppliers/{supplierId}/recruiters/{recruiterId}", ["admin"], w => $"/api/v1/suppliers/{w.Supplier}/recruiters/{w.Recruiter}",
            _ => Node(new { workforceShare = 0.5 }), ["workforceShare"]),
        new("GET /api/v1/suppliers/{supplierId}/risk", Read, w => $"/api/v1/suppliers/{w.Supplier}/risk"),
        new("GET /api/v1/suppliers/{supplierId}/risk/history", Read, w => $"/api/v1/suppliers/{w.Supplier}/risk/history"),
        new("GET /api/v1/suppliers", Read, _ => "/api/v1/suppliers"),

        new("PUT /api/v1/recruiters/{recruiterId}", ["admin"], w => $"/api/v1/recruiters/{w.Recruiter}",
            _ => Node(Samples.Recruiter()), ["name", "country", "corridors[0].origin", "corridors[0].destination"]),
        new("GET /api/v1/recruiters/{recruiterId}", Read, w => $"/api/v1/recruiters/{w.Recruiter}"),
        new("GET /api/v1/recruiters/{recruiterId}/risk", Read, w => $"/api/v1/recruiters/{w.Recruiter}/risk"),
        new("GET /api/v1/recruiters/{recruiterId}/risk/history", Read, w => $"/api/v1/recruiters/{w.Recruiter}/risk/history"),
        new("GET /api/v1/recruiters", Read, _ => "/api/v1/recruiters"),
        new("GET /api/v1/events", Read, _ => "/api/v1/events", Streaming: true),

        new("POST /api/v1/audits", ["auditor"], _ => "/api/v1/audits",
            w => Node(Samples.Audit(w.AuditId, w.Supplier, null,
                Samples.Finding(w.FindingId, "documents", "major", 20, dueDate: "2026-12-31", codes: "document-retention"))),
            ["auditId", "supplierId", "standard", "auditType", "startDate", "endDate", "auditFirm", "findings", "findings[0].findingId",
                "findings[0].category", "findings[0].severity", "findings[0].workersAffected", "findings[0].indicators[0].code"],
            [new("startDate", true, true), new("endDate", true, true), new("findings[0].dueDate", true, false)],
            ["standard", "auditType", "findings[0].category", "findings[0].severity", "findings[0].indicators[0].code", "findings[0].evidenceStatus"]),
        new("POST /api/v1/audits/{auditId}/findings/{findingId}/status", ["auditor"], w => $"/api/v1/audits/{w.AuditId}/findings/{w.FindingId}/status",
            _ => Node(new { status = "remediated", on = "2026-11-01" }), ["status", "on"], [new("on", true, true)], ["status"]),

        new("POST /api/v1/grievances", ["grievance-handler"], _ => "/api/v1/grievances",
            w => Node(Samples.Grievance(w.GrievanceId, w.Supplier, w.Recruiter, "2026-11-18T09:00:00Z", "The agent keeps our passports.", "+60 12 345 6789", "document-retention")),
            ["grievanceId", "receivedAt", "channel", "workersAffected", "anonymity", "consent", "consent.shareWithBrand", "consent.shareWithNgo",
                "consent.shareWithLawEnforcement", "allegations[0].code", "categories[0]"],
            [new("receivedAt", true, true, IsInstant: true)],
            ["anonymity", "allegations[0].code", "categories[0]"]),
        new("GET /api/v1/grievances/{grievanceId}", ["grievance-handler"], w => $"/api/v1/grievances/{w.GrievanceId}"),
        new("POST /api/v1/grievances/{grievanceId}/status", ["grievance-handler"], w => $"/api/v1/grievances/{w.GrievanceId}/status",
            _ => Node(new { status = "acknowledged", on = "2026-11-19" }), ["status", "on"], [new("on", true, true)], ["status"]),

        new("POST /api/v1/recruitment-fees", ["recruitment-monitor"], _ => "/api/v1/recruitment-fees",
            w => Node(Samples.FeeReport(w.FeeReportId, w.Recruiter, w.Supplier, "w-1", 1500m, loan: true)),
            ["reportId", "recruiterId", "workerRef", "originCountry", "destinationCountry", "recruitedOn", "costs", "costs[0].type", "costs[0].amount",
                "costs[0].currency", "costs[0].paidBy", "monthlyWage", "monthlyWage.amount", "monthlyWage.currency", "financing", "financing.loan",
                "financing.repaidByWageDeduction", "financing.mayNotLeaveUntilRepaid", "reimbursement.status"],
            [new("recruitedOn", true, true)],
            ["costs[0].paidBy", "costs[0].currency", "monthlyWage.currency", "reimbursement.status"]),

        new("GET /api/v1/escalations", Read, _ => "/api/v1/escalations"),

        // Bulk import: the matrix sends one valid NDJSON line; the hostile suite mutates the line as JSON (415 or 400).
        new("POST /api/v1/signals:import", ["admin"], _ => "/api/v1/signals:import",
            w => ImportLine(w), ["kind", "auditId", "supplierId"], [new("endDate", true, true)], ["kind", "standard"],
            w => ImportLine(w).ToJsonString() + "\n", "application/x-ndjson"),
        new("POST /api/v1/admin/rescore", ["admin"], _ => "/api/v1/admin/rescore"),
        new("GET /api/v1/admin/rescore/{jobId}", ["admin"], w => $"/api/v1/admin/rescore/{w.RescoreJobId}"),
        new("GET /api/v1/admin/quarantine", ["admin"], _ => "/api/v1/admin/quarantine"),

        new("POST /api/v1/webhooks/subscriptions", Webhooks, _ => "/api/v1/webhooks/subscriptions",
            w => Node(new { url = w.WebhookUrl, description = "hotline intake", eventTypes = new[] { "case.escalated" }, filter = new { countries = new[] { "MY" }, sectors = new[] { "apparel" }, minBand = "high" } }),
            ["url", "eventTypes"], [], ["eventTypes[0]", "filter.sectors[0]", "filter.minBand"]),
        new("GET /api/v1/webhooks/subscriptions", Webhooks, _ => "/api/v1/webhooks/subscriptions"),
        new("GET /api/v1/webhooks/subscriptions/{subscriptionId}", Webhooks, w => $"/api/v1/webhooks/subscriptions/{w.SubscriptionId}", OwnerScoped: true),
        new("DELETE /api/v1/webhooks/subscriptions/{subscriptionId}", Webhooks, w => $"/api/v1/webhooks/subscriptions/{w.SpareSubscriptionId}", OwnerScoped: true),
        new("POST /api/v1/webhooks/subscriptions/{subscriptionId}/rotate-secret", Webhooks, w => $"/api/v1/webhooks/subscriptions/{w.SubscriptionId}/rotate-secret", OwnerScoped: true),
        new("POST /api/v1/webhooks/subscriptions/{subscriptionId}/enable", Webhooks, w => $"/api/v1/webhooks/subscriptions/{w.SubscriptionId}/enable", OwnerScoped: true),
        new("GET /api/v1/webhooks/subscriptions/{subscriptionId}/deliveries", Webhooks, w => $"/api/v1/webhooks/subscriptions/{w.SubscriptionId}/deliveries", OwnerScoped: true),
        new("POST /api/v1/webhooks/deliveries/{deliveryId}/replay", Webhooks, w => $"/api/v1/webhooks/deliveries/{w.DeliveryId}/replay", OwnerScoped: true),

        new("POST /api/v1/cases/{caseId}/referrals", ["case-officer"], w => $"/api/v1/cases/grievance:{w.GrievanceId}/referrals",
            w => Node(new { subjectId = "sup:" + w.Supplier, recipientType = "ngo", recipientName = "Migrant Workers Hotline", reason = "Passports retained.", safetyOverride = (object?)null }),
            ["subjectId", "recipientType", "recipientName", "reason"], [], ["recipientType"]),
        new("GET /api/v1/referrals/{referralId}", ["case-officer"], w => $"/api/v1/referrals/{w.ReferralId}"),
        // Verify answers 200 with valid=false for an altered package, so it is left out of the hostile suite (no Body);
        // ReferralTests covers its bad input.
        new("POST /api/v1/referrals/verify", ["case-officer", "admin"], _ => "/api/v1/referrals/verify", RawBody: w => w.ReferralPackage),
        new("GET /api/v1/referrals/access-log", ["admin"], _ => "/api/v1/referrals/access-log"),
    ];

    private static JsonNode ImportLine(WorldIds w)
    {
        var line = Node(Samples.Audit($"{w.AuditId}-imp", w.Supplier, null, Samples.Finding("F-1", "wages", "major", 3)));
        line["kind"] = "audit";
        return line;
    }

    /// <summary>"METHOD /route/pattern" for every endpoint the running service maps, from its own endpoint table.</summary>
    public const string OrleansDashboardPrefix = "/admin/orleans";

    public static IReadOnlyList<string> MappedEndpoints(IServiceProvider services)
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            // Orleans' dashboard (its page, assets and data endpoints: a third-party operator tool, not the JSON API) has
            // its own authorization test, OrleansDashboardTests.
            if (endpoint.RoutePattern.RawText?.StartsWith(OrleansDashboardPrefix, StringComparison.Ordinal) == true)
            {
                continue;
            }

            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["ANY"];
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? string.Empty).Trim('/');
            if (Dashboard.DashboardSetup.IsDashboardRoute(pattern))
            {
                // The browser dashboard (its pages, sign-in and sign-out, the Blazor circuit, framework and component assets,
                // the root's redirect to it) is not part of the JSON API: DashboardTests and DashboardBrowserTests cover who
                // may reach it, so neither the authorization matrix nor the OpenAPI contract lists it.
                continue;
            }

            foreach (var method in methods)
            {
                keys.Add($"{method} {pattern}");
            }
        }

        return [.. keys];
    }

    /// <summary>The spec of every mapped endpoint; fails naming any endpoint the catalog does not describe.</summary>
    public static IReadOnlyList<EndpointSpec> ForMappedEndpoints(IServiceProvider services)
    {
        var mapped = MappedEndpoints(services);
        var missing = mapped.Where(key => Specs.All(s => s.Key != key)).ToList();
        Assert.True(missing.Count == 0,
            "Endpoints without an entry in EndpointCatalog.Specs (say who may call them, and for writes give a valid request): " + string.Join(", ", missing));
        var stale = Specs.Where(s => !mapped.Contains(s.Key)).Select(s => s.Key).ToList();
        Assert.True(stale.Count == 0, "EndpointCatalog.Specs describes endpoints the service no longer maps: " + string.Join(", ", stale));
        return [.. mapped.Select(key => Specs.Single(s => s.Key == key))];
    }
}

/// <summary>One of everything, submitted through the API, so every route parameter names something that exists.</summary>
public static class SeededWorld
{
    public static async Task<WorldIds> CreateAsync(ServiceFactory factory, string? grievanceNarrative = null, string? grievanceContact = null)
    {
        var tag = Guid.NewGuid().ToString("N")[..10];
        var ids = new WorldIds($"sup-{tag}", $"rec-{tag}", $"aud-{tag}", "F-1", $"grv-{tag}", $"fee-{tag}");
        using var client = factory.CreateClient(TestTokens.DefaultRoles);
        string[] order =
        [
            "PUT /api/v1/suppliers/{supplierId}", "PUT /api/v1/recruiters/{recruiterId}", "PUT /api/v1/suppliers/{supplierId}/recruiters/{recruiterId}",
            "POST /api/v1/audits", "POST /api/v1/grievances", "POST /api/v1/recruitment-fees",
        ];
        foreach (var spec in order.Select(key => EndpointCatalog.Specs.Single(s => s.Key == key)))
        {
            var body = spec.Body!(ids);
            if (spec.Key == "POST /api/v1/grievances" && (grievanceNarrative is not null || grievanceContact is not null))
            {
                body["narrative"] = grievanceNarrative;
                body["reporterContact"] = grievanceContact;
            }

            var answer = await client.SendAsync(new HttpMethod(spec.Method), spec.Url(ids), body.ToJsonString());
            Assert.True((int)answer.Status is >= 200 and < 300, $"seeding {spec.Key}: {(int)answer.Status} {answer.Body?.ToJsonString()}");
        }

        // A re-scoring job, so that its progress endpoint has something to show.
        var job = (await client.PostJsonAsync("/api/v1/admin/rescore", null)).Expect(System.Net.HttpStatusCode.Accepted);
        ids = ids with { RescoreJobId = job["jobId"]!.GetValue<string>() };

        // Two subscriptions of one NGO (one to delete) and a delivered event, so that replay has something to resend.
        var receiver = await factory.WebhookReceiverAsync();
        using var ngo = factory.CreateClient(["ngo"]);
        var url = receiver.Url($"/world-{tag}");
        string Subscribe(JsonNode created) => created["subscription"]!["id"]!.GetValue<string>();
        var subscription = Subscribe((await ngo.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url, eventTypes = new[] { "case.escalated", "risk.band_changed", "forced_labour.indicated" } }))
            .Expect(System.Net.HttpStatusCode.Created));
        var spare = Subscribe((await ngo.PostJsonAsync("/api/v1/webhooks/subscriptions", new { url, eventTypes = new[] { "case.escalated" } })).Expect(System.Net.HttpStatusCode.Created));
        (await client.PostJsonAsync("/api/v1/audits", Samples.Audit($"{ids.AuditId}-zt", ids.Supplier, null,
            Samples.Finding("F-zt", "documents", "critical", 20, "verified", null, "document-retention")))).Expect(System.Net.HttpStatusCode.Created);
        var delivered = await ApiCalls.EventuallyAsync(() => ngo.GetJsonAsync($"/api/v1/webhooks/subscriptions/{subscription}/deliveries?status=delivered"),
            r => r.Body?["items"]?.AsArray().Count > 0, TimeSpan.FromSeconds(20));
        var delivery = delivered.Expect(System.Net.HttpStatusCode.OK)["items"]!.AsArray()[0]!["id"]!.GetValue<string>();
        ids = ids with { WebhookUrl = url, SubscriptionId = subscription, SpareSubscriptionId = spare, DeliveryId = delivery };

        // A referral package of the grievance's case, so that reading and verifying have something to work on.
        using var officer = factory.CreateClient(["case-officer"]);
        var referral = EndpointCatalog.Specs.Single(s => s.Key == "POST /api/v1/cases/{caseId}/referrals");
        var package = (await officer.PostJsonAsync(referral.Url(ids), referral.Body!(ids).ToJsonString())).Expect(System.Net.HttpStatusCode.Created);
        return ids with { ReferralId = package["referralId"]!.GetValue<string>(), ReferralPackage = package.ToJsonString() };
    }
}
