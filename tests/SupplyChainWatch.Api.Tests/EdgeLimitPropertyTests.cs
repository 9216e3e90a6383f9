using SupplyChainWatch.Api.Features.Audits;
using SupplyChainWatch.Api.Features.Grievances;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Api.Features.Suppliers;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Api.Tests;

/// <summary>
/// Issue 14, finding 1, at the edge: generated audits, grievances and supplier profiles with every number and date at its
/// bound and beyond go through the validators the endpoints and the import use. What is accepted is exactly what the
/// engine's own check (<see cref="DomainLimits.CheckFields(AuditFinding)"/> and its overloads) can use; what is outside
/// the limits is refused naming the field.
/// </summary>
public sealed class EdgeLimitPropertyTests
{
    private static readonly DateOnly Today = new(2026, 11, 20);
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static readonly int[] Workers = [int.MinValue, -1, 0, 1, DomainLimits.MaxWorkersAffected, DomainLimits.MaxWorkersAffected + 1, int.MaxValue];

    private static readonly int[] Workforces = [int.MinValue, -1, 0, DomainLimits.MaxWorkforce, DomainLimits.MaxWorkforce + 1, int.MaxValue];

    private static readonly DateOnly[] Dates =
        [DateOnly.MinValue, new(1989, 12, 31), DomainLimits.MinDate, Today, DomainLimits.MaxDate, DomainLimits.MaxDate.AddDays(1), DateOnly.MaxValue];

    private static readonly DateTimeOffset[] Instants =
        [DateTimeOffset.MinValue, new(1989, 12, 31, 23, 59, 59, TimeSpan.Zero), new(1990, 1, 1, 0, 0, 0, TimeSpan.Zero), new(1990, 1, 1, 0, 0, 0, TimeSpan.FromHours(14)), Now];

    private static readonly double[] Shares = [double.MinValue, -0.000001, 0, 0.5, 1, 1.000001, double.MaxValue];

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    [Fact]
    public void Audits_at_and_beyond_every_bound_are_accepted_exactly_when_the_engine_can_use_them()
    {
        var random = new Random(14);
        var refused = 0;
        for (var run = 0; run < 3000; run++)
        {
            var start = Pick(random, Dates);
            var end = Pick(random, Dates);
            var workers = Pick(random, Workers);
            var due = random.Next(2) == 0 ? Pick(random, Dates) : (DateOnly?)null;
            var body = new AuditBody("A-" + run, "sup-edge", null, "smeta", "initial", start, end, "Firm",
                [new FindingBody("F-1", "documents", "major", [new IndicatorBody("document-retention", null)], workers, "verified", Pick(random, ["open", "remediated"]), due, null)]);
            var validation = new Validation();

            var signal = SubmitAuditValidator.Prepare(body, Today, validation);

            var outside = new List<string>();
            if (!DomainLimits.IsDate(start))
            {
                outside.Add("startDate");
            }

            if (!DomainLimits.IsDate(end))
            {
                outside.Add("endDate");
            }

            if (!DomainLimits.IsWorkers(workers))
            {
                outside.Add("findings[0].workersAffected");
            }

            if (due is { } d && !DomainLimits.IsDate(d))
            {
                outside.Add("findings[0].dueDate");
            }

            Assert.All(outside, field => Assert.Contains(field, validation.Errors.Keys));
            if (signal is not null)
            {
                Assert.Empty(outside);
                Assert.All(signal.Rows, row => Assert.Null(DomainLimits.CheckFields(EvidenceJson.Deserialize<EvidenceContent.Finding>(row.ContentJson).Detail)));
            }
            else
            {
                refused++;
            }
        }

        Assert.InRange(refused, 1, 2999);
    }

    [Fact]
    public void Grievances_at_and_beyond_every_bound_are_accepted_exactly_when_the_engine_can_use_them()
    {
        var random = new Random(15);
        var accepted = 0;
        for (var run = 0; run < 2000; run++)
        {
            var received = Pick(random, Instants);
            var workers = Pick(random, Workers);
            var body = new GrievanceBody("G-" + run, "sup-edge", null, received, "hotline", [], [], workers, null, false, false, "confidential", null, null,
                new ConsentBody(true, true, false), null);
            var validation = new Validation();

            var signal = SubmitGrievanceValidator.Prepare(body, Now, validation);

            Assert.Equal(!DomainLimits.IsWorkers(workers), validation.Errors.ContainsKey("workersAffected"));
            Assert.Equal(!DomainLimits.IsInstant(received), validation.Errors.ContainsKey("receivedAt"));
            if (signal is not null)
            {
                accepted++;
                Assert.All(signal.Rows, row => Assert.Null(DomainLimits.CheckFields(EvidenceJson.Deserialize<EvidenceContent.Grievance>(row.ContentJson).Detail)));
            }
        }

        Assert.InRange(accepted, 1, 1999);
    }

    [Fact]
    public void Supplier_profiles_at_and_beyond_every_bound_are_accepted_exactly_inside_the_limits()
    {
        var random = new Random(16);
        for (var run = 0; run < 1000; run++)
        {
            var workforce = Pick(random, Workforces);
            var migrant = Pick(random, Shares);
            var agency = Pick(random, Shares);
            var validation = new Validation();

            var profile = RegisterSupplierValidator.Validate(
                new RegisterSupplier("sup-edge", new SupplierProfileBody("Site", "MY", "apparel", workforce, migrant, agency, ["garments"])), validation);

            Assert.Equal(!DomainLimits.IsWorkforce(workforce), validation.Errors.ContainsKey("workforce"));
            Assert.Equal(!DomainLimits.IsShare(migrant), validation.Errors.ContainsKey("migrantWorkerShare"));
            Assert.Equal(!DomainLimits.IsShare(agency), validation.Errors.ContainsKey("agencyWorkerShare"));
            Assert.Equal(validation.IsValid, profile is not null);
            if (profile is not null)
            {
                Assert.Null(DomainLimits.CheckFields(profile));
            }
        }
    }
}
