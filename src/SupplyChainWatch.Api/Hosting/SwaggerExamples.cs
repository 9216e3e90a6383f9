using System.Collections;
using System.Net.ServerSentEvents;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using SupplyChainWatch.Api.Features.Audits;
using SupplyChainWatch.Api.Features.Escalations;
using SupplyChainWatch.Api.Features.Events;
using SupplyChainWatch.Api.Features.Grievances;
using SupplyChainWatch.Api.Features.Health;
using SupplyChainWatch.Api.Features.Recruiters;
using SupplyChainWatch.Api.Features.RecruitmentFees;
using SupplyChainWatch.Api.Features.Referrals;
using SupplyChainWatch.Api.Features.Risk;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Features.Suppliers;
using SupplyChainWatch.Api.Features.Webhooks;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains.Intake;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// Gives every schema in the Swagger document an example. Examples come from a few realistic sample
/// requests and answers (the risk answer is computed by the real engine), and every object nested in them
/// serves as the example of its own type, so nested schemas are covered without a second hand-written copy.
/// </summary>
public sealed class SwaggerExamples : ISchemaFilter
{
    private static readonly DateTimeOffset SampleInstant = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private readonly Dictionary<Type, JsonNode?> _examples = [];
    private readonly JsonSerializerOptions _json;

    public SwaggerExamples(RiskEngine engine, IOptions<JsonOptions> json)
    {
        _json = json.Value.SerializerOptions;
        foreach (var sample in Samples(engine))
        {
            Register(sample, depth: 0);
        }
    }

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema concrete)
        {
            return;
        }

        var type = Nullable.GetUnderlyingType(context.Type) ?? context.Type;
        if (type.IsEnum)
        {
            concrete.Examples = [JsonValue.Create(JsonNamingPolicy.KebabCaseLower.ConvertName(Enum.GetNames(type)[0]))];
            concrete.Description ??= $"One of: {string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.KebabCaseLower.ConvertName))}.";
        }
        else if (_examples.TryGetValue(type, out var example) && example is not null)
        {
            concrete.Examples = [example.DeepClone()];
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(SseItem<>))
        {
            // What TypedResults.ServerSentEvents documents for a stream: one event, whose fields are the SSE lines.
            concrete.Description ??= "One Server-Sent Event of the text/event-stream: eventType is its 'event:' line, eventId its 'id:' line (the position to resume from " +
                "with Last-Event-ID), data its 'data:' line (JSON). A heartbeat event has no data.";
        }

        if (type == typeof(HttpValidationProblemDetails))
        {
            concrete.Description ??= "RFC 9457 problem details; errors names each invalid field and what is wrong with it.";
        }
        else if (type == typeof(Microsoft.AspNetCore.Mvc.ProblemDetails))
        {
            concrete.Description ??= "RFC 9457 problem details: title says what went wrong, detail why, status repeats the HTTP status.";
        }
    }

    /// <summary>Records the object as the example of its type, then does the same for every object it holds.</summary>
    private void Register(object value, int depth)
    {
        var type = value.GetType();
        if (depth > 12 || type.IsPrimitive || type.IsEnum || value is string or decimal or DateTimeOffset or DateOnly or JsonElement)
        {
            return;
        }

        if (value is IEnumerable items and not IDictionary)
        {
            foreach (var item in items)
            {
                if (item is not null)
                {
                    Register(item, depth + 1);
                }
            }

            return;
        }

        if (!_examples.ContainsKey(type))
        {
            _examples[type] = JsonSerializer.SerializeToNode(value, type, _json);
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.GetValue(value) is { } child)
            {
                Register(child, depth + 1);
            }
        }
    }

    private static IEnumerable<object> Samples(RiskEngine engine)
    {
        yield return new SupplyChainWatch.Grains.Subjects.QuarantinedSubject("rec:fast-jobs", [new QuarantinedSignal("FEE-000913", "its worker-paid cost converted to US dollars overflows")]);
        var audit = new AuditBody("SMETA-2026-0042", "sunrise-2", "fast-jobs", "smeta", "initial", new DateOnly(2026, 10, 5), new DateOnly(2026, 10, 7), "Example Assurance Ltd",
        [
            new FindingBody("F-07", "documents", "critical", [new IndicatorBody("document-retention", null), new IndicatorBody("deception-nature-of-work", "strong")], 20, "verified", "open", new DateOnly(2026, 12, 31), "case-17"),
        ]);
        yield return audit;
        yield return new FindingStatusBody("verified-remediated", new DateOnly(2026, 11, 20));
        yield return new GrievanceBody("WV-2026-1187", "sunrise-2", "fast-jobs", new DateTimeOffset(2026, 11, 2, 8, 15, 0, TimeSpan.Zero), "hotline",
            [new IndicatorBody("debt-manipulation", null)], ["recruitment-fees"], 12, "alleged", false, false, "confidential",
            "(the worker's account: stored confidentially)", "(contact: stored confidentially)", new ConsentBody(true, true, false), "case-17");
        yield return new GrievanceView("WV-2026-1187", "sunrise-2", "fast-jobs", new DateTimeOffset(2026, 11, 2, 8, 15, 0, TimeSpan.Zero), "hotline", "confidential",
            new ConsentBody(true, true, false), "(the worker's account, shown to grievance handlers only)", "(contact, shown to grievance handlers only)");
        yield return new GrievanceStatusBody("closed", new DateOnly(2026, 11, 25), "founded", true);
        yield return new FeeReportBody("FEE-2026-000913", "fast-jobs", "sunrise-2", "w-5f2a", "NP", "MY", new DateOnly(2026, 3, 1),
            [new FeeCostBody("placement-fee", 90000m, "NPR", "worker")], new MoneyBody(1500m, "MYR"), new Dictionary<string, decimal> { ["NPR"] = 0.0075m, ["MYR"] = 0.21m },
            new FinancingBody(true, true, false), new ReimbursementBody("partial", 200m, new DateOnly(2026, 9, 1)), "reported");
        yield return new SupplierProfileBody("Sunrise Garments Factory 2", "MY", "apparel", 850, 0.4, 0.1, ["garments"]);
        yield return new RecruiterProfileBody("Fast Jobs Manpower", "NP-1234/075", "NP", [new CorridorBody("NP", "MY")]);
        yield return new LinkRecruiterBody(0.3);
        yield return new SupplierView("sunrise-2", "Sunrise Garments Factory 2", "MY", "apparel", 850, 0.4, 0.1, ["garments"], [new RecruiterShareView("fast-jobs", 0.3)], 3);
        yield return new RecruiterView("fast-jobs", "Fast Jobs Manpower", "NP-1234/075", "NP", [new CorridorBody("NP", "MY")], [new SupplierShareView("sunrise-2", 0.3)], 2);
        yield return new SubmissionReceipt("SMETA-2026-0042",
            [new EvidenceReceipt("sunrise-2", "supplier", "finding:SMETA-2026-0042:F-07", 4, "9f2c6d1e0b7a4c3d8e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f70812")], []);
        yield return new SubjectListView([new SubjectListItem("sunrise-2", "Sunrise Garments Factory 2", "MY", "apparel", 84, "critical", "indicated", SampleInstant)], "eyJzIjo4NCwiaWQiOiJzdW5yaXNlLTIifQ");
        yield return new EscalationListView(
            [new EscalationView("sup:sunrise-2:4:case.escalated", "case.escalated", "sup:sunrise-2", SampleInstant,
                JsonDocument.Parse("""{"subjectId":"sup:sunrise-2","score":84,"band":"critical","triggers":["document-retention"],"indicatorCodes":["document-retention"],"modelVersion":"1.0.0"}""").RootElement.Clone(), null)],
            null);
        yield return new HealthView("live", null);
        yield return new ReadinessView("ready",
        [
            new ReadinessEntry("silo", "healthy", "Active in the cluster membership (3 active silo(s))."),
            new ReadinessEntry("store", "healthy", "Answers at schema version 7; integrity check at start passed (schema versions, tables and evidence log readable, 0.1 s)."),
            new ReadinessEntry("webhook-dispatcher", "healthy", "No delivery is due; the loop runs."),
            new ReadinessEntry("subjects", "healthy", "No subject is failing activation or evaluation on this silo."),
        ]);
        yield return new RiskHistoryPage("sup:sunrise-2",
            [
                new RiskHistoryPoint(4, SampleInstant.AddDays(-44), 62, RiskBand.High, ForcedLabourClassification.Risk, 62, [new RiskHistoryCause("finding", "SMETA-2026-0042/F-07", 62)]),
                new RiskHistoryPoint(6, SampleInstant.AddDays(-18), 84, RiskBand.Critical, ForcedLabourClassification.Indicated, 22,
                    [new RiskHistoryCause(ScoreTimeline.Decay, null, -3), new RiskHistoryCause("grievance", "WV-2026-1187", 25)]),
            ],
            "aDo2");
        var liveEvent = new LiveEventView("risk.changed", "sup:sunrise-2", 84, RiskBand.Critical, ForcedLabourClassification.Indicated, "WV-2026-1187", null, SampleInstant);
        yield return new SseItem<LiveEventView?>(liveEvent, liveEvent.Type) { EventId = "4711" };
        yield return new Features.Signals.ImportSummary(3, 1, 1, 1, 0,
            [new Features.Signals.ImportLineResult(3, "SMETA-2026-0043", "rejected", 400, "The request is invalid.", null,
                new Dictionary<string, string[]> { ["findings[0].severity"] = ["is not one of: zero-tolerance, critical, major, minor, observation"] })],
            false, 1);
        yield return new Features.Admin.RescoreJobView("rescore-7f3a", "running", 6200, 12000, 311, 5400.5, 1.07, SampleInstant, null);
        var subscription = new SubscriptionView("whsub_6f1d0c2a9b8e4f7a8c5d3e2b1a0f9e8d", "https://hotline.example.org/scw-webhooks", "Case intake of the Malaysia hotline",
            ["case.escalated", "forced_labour.indicated"], new WebhookFilterBody(["MY"], ["apparel"], "high"), true, null, null, SampleInstant, SampleInstant);
        yield return new SubscriptionBody(subscription.Url, subscription.Description, subscription.EventTypes, subscription.Filter);
        yield return new SubscriptionSecretView(subscription, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAbCdEfGhIjK=");
        yield return new SubscriptionListView([subscription]);
        yield return new DeliveryListView([new DeliveryView("msg_2f0c5e1b7a9d4c3e8f6a1b2c3d4e5f60", "sup:sunrise-2:4:case.escalated", "case.escalated", "delivered", 2,
            SampleInstant, SampleInstant, SampleInstant.AddSeconds(6), null,
            [new AttemptView(SampleInstant, 503, 182, "failed", "HTTP 503"), new AttemptView(SampleInstant.AddSeconds(6), 204, 41, "delivered", null)])]);
        yield return new ReplayView("msg_2f0c5e1b7a9d4c3e8f6a1b2c3d4e5f60", "pending");
        yield return new Microsoft.AspNetCore.Mvc.ProblemDetails { Title = "Not found.", Status = StatusCodes.Status404NotFound, Detail = "Nothing has been recorded about 'sunrise-2'." };
        yield return new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["findings[0].indicators[0].code"] = ["'passport-kept' is not one of: deception-nature-of-work, …"] })
        {
            Title = "The request is invalid.",
            Status = 400,
        };
        var risk = SampleRisk(engine);
        yield return risk;
        yield return SampleRecruiterRisk(engine);
        foreach (var sample in ReferralSamples(risk))
        {
            yield return sample;
        }
    }

    /// <summary>A referral of the sample risk's case-17 to law enforcement: the grievance lacks consent and is redacted.</summary>
    private static IEnumerable<object> ReferralSamples(RiskEvaluation risk)
    {
        var safety = new SafetyOverrideBody("imminent-danger", "Workers locked in the dormitory at night; fire exits chained.");
        yield return new ReferralBody("sup:sunrise-2", "law-enforcement", "Royal Malaysia Police, Anti-Trafficking Unit", "Passports retained; debts workers cannot leave.", safety);
        var classification = risk.Cases.First(c => c.CaseId == "ref:case-17");
        var redacted = classification with
        {
            Involuntariness = [.. classification.Involuntariness.Where(o => o.SignalId != "WV-2026-1187")],
            MenaceOfPenalty = [.. classification.MenaceOfPenalty.Where(o => o.SignalId != "WV-2026-1187")],
            SignalIds = [.. classification.SignalIds.Where(s => s != "WV-2026-1187")],
        };
        const string Hash = "9f2c6d1e0b7a4c3d8e5f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f70812";
        var package = new ReferralPackage("rfp_4c1e0b9a7d2f4e6a8b3c5d7e9f1a2b3c", "sup:sunrise-2", "ref:case-17", "law-enforcement", "Royal Malaysia Police, Anti-Trafficking Unit",
            "Passports retained; debts workers cannot leave.", safety, "officer-17", SampleInstant, new CaseFlags(true, false),
            [new ConsentView("WV-2026-1187", true, true, false, false)], redacted, 1,
            [
                new ReferralItem(4, "finding", "finding:SMETA-2026-0042:F-07", SampleInstant.AddDays(-44), SampleInstant.AddDays(-40), Hash, Hash, Hash, false, null,
                    """{"supplierId":"sunrise-2","recruiterId":null,"auditFirm":"Example Assurance Ltd","detail":{"auditId":"SMETA-2026-0042","findingId":"F-07"}}"""),
                new ReferralItem(6, "grievance", "grievance:WV-2026-1187", SampleInstant.AddDays(-18), SampleInstant.AddDays(-18), Hash, Hash, Hash, true,
                    "no consent to share with law-enforcement", null),
            ],
            new ChainHead(9, Hash));
        yield return package;
        yield return new VerificationView(false, package.ReferralId, 2, true, [new VerificationProblem(4, "items[0].contentJson", "its SHA-256 is not the item's contentHash: the content was altered")]);
        yield return new ReferralAccessLogView(
            [new ReferralAccessView(package.ReferralId, "sup:sunrise-2", "ref:case-17", "build", "officer-17", SampleInstant, "law-enforcement", "imminent-danger",
                "2 items (1 redacted), rows 4,6, chain head 9; safety override imminent-danger: Workers locked in the dormitory at night; fire exits chained.")]);
    }

    /// <summary>A recruiter's risk (it holds the fee groups a supplier's does not).</summary>
    private static RiskEvaluation SampleRecruiterRisk(RiskEngine engine)
    {
        var fee = new FeeReport("FEE-2026-000913", "w-5f2a", "NP", "MY", new DateOnly(2026, 3, 1), [new FeeCost("placement-fee", 90000m, "NPR", PaidBy.Worker)],
            new Money(1500m, "MYR"), new Dictionary<string, decimal> { ["NPR"] = 0.0075m, ["MYR"] = 0.21m }, new FeeFinancing(true, true, false),
            new FeeReimbursement(ReimbursementStatus.None, null, null), EvidenceStatus.Reported);
        var profile = new RecruiterProfile("Fast Jobs Manpower", "NP-1234/075", "NP", [new Corridor("NP", "MY")]);
        return engine.EvaluateRecruiter("fast-jobs", new RecruiterEvidence(profile, [], [], [fee], [Sector.Apparel]), SampleInstant);
    }

    /// <summary>A risk answer computed by the engine from sample evidence, so the example is a true one.</summary>
    private static RiskEvaluation SampleRisk(RiskEngine engine)
    {
        var finding = new AuditFinding("SMETA-2026-0042", "F-07", AuditStandard.Smeta, AuditType.Initial, new DateOnly(2026, 10, 5), new DateOnly(2026, 10, 7),
            FindingCategory.Documents, Severity.Critical,
            [new IndicatorObservation(IndicatorCode.DocumentRetention, null), new IndicatorObservation(IndicatorCode.DeceptionNatureOfWork, null)],
            20, EvidenceStatus.Verified, FindingStatus.Open, null, new DateOnly(2026, 10, 31), "case-17");
        var grievance = new Grievance("WV-2026-1187", new DateTimeOffset(2026, 11, 2, 8, 15, 0, TimeSpan.Zero), [new IndicatorObservation(IndicatorCode.DebtManipulation, null)],
            [FindingCategory.RecruitmentFees], 12, EvidenceStatus.Alleged, false, false, GrievanceStatus.Acknowledged, new DateOnly(2026, 11, 4), null, null, false, "case-17");
        var fee = new FeeReport("FEE-2026-000913", "w-5f2a", "NP", "MY", new DateOnly(2026, 3, 1), [new FeeCost("placement-fee", 90000m, "NPR", PaidBy.Worker)],
            new Money(1500m, "MYR"), new Dictionary<string, decimal> { ["NPR"] = 0.0075m, ["MYR"] = 0.21m }, new FeeFinancing(true, true, true),
            new FeeReimbursement(ReimbursementStatus.None, null, null), EvidenceStatus.Reported);
        var profile = new SupplierProfile("Sunrise Garments Factory 2", "MY", Sector.Apparel, 850, 0.4, 0.1, ["garments"]);
        return engine.EvaluateSupplier("sunrise-2", new SupplierEvidence(profile, [finding], [grievance], [fee], [new RecruiterLink("fast-jobs", 0.3, 72)]), SampleInstant);
    }
}
