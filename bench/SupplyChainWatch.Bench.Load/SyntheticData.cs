using System.Globalization;
using System.Text.Json;

/// <summary>
/// A deterministic synthetic portfolio: suppliers in 40 countries and 14 sectors, recruiters in 8 origin countries,
/// one or two recruiters per supplier, and signals with a realistic mix: most audit findings are minor or observations,
/// a few critical or zero-tolerance; one grievance in four alleges indicators; fee reports range from none to debt bondage.
/// Signal i is the same on every run, so an import repeated is a duplicate.
/// </summary>
internal sealed class SyntheticData(int suppliers, int recruiters, int seed)
{
    private static readonly string[] Countries =
    [
        "MY", "TH", "VN", "BD", "IN", "PK", "CN", "ID", "PH", "KH", "MM", "LK", "NP", "TR", "MX", "GT", "HN", "BR", "PE", "EC",
        "MA", "EG", "ET", "KE", "TZ", "GH", "CI", "NG", "ZA", "RO", "BG", "PL", "PT", "IT", "ES", "US", "SA", "AE", "QA", "JO",
    ];

    private static readonly string[] Origins = ["NP", "BD", "MM", "ID", "PH", "IN", "KH", "VN"];
    private static readonly string[] Sectors = ["apparel", "textiles", "footwear", "electronics", "agriculture", "fishing-seafood", "mining", "construction", "manufacturing", "food-processing", "domestic-work", "hospitality", "logistics", "other"];
    private static readonly string[] Categories = ["wages", "working-hours", "documents", "health-safety", "housing", "humane-treatment", "recruitment-fees", "management-system", "forced-labour", "freedom-of-association"];
    private static readonly string[] Indicators = ["document-retention", "wage-withholding", "excessive-overtime-imposed", "debt-linked-recruitment", "restriction-of-movement", "isolation", "deception-conditions", "abusive-living-conditions", "threat-dismissal-or-financial-penalty", "no-freedom-to-resign"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string SupplierId(int i) => $"sup-{i:D6}";

    public string RecruiterId(int i) => $"rec-{i:D5}";

    public object Supplier(int i) => new
    {
        name = $"Synthetic Supplier {i}",
        country = Countries[i % Countries.Length],
        sector = Sectors[(i / Countries.Length) % Sectors.Length],
        workforce = 50 + (Hash(i, 1) % 3000),
        migrantWorkerShare = (Hash(i, 2) % 80) / 100.0,
        agencyWorkerShare = (Hash(i, 3) % 40) / 100.0,
        products = new[] { "goods" },
    };

    public object Recruiter(int i) => new
    {
        name = $"Synthetic Recruiter {i}",
        licenceNumber = $"L-{i}",
        country = Origins[i % Origins.Length],
        corridors = new[] { new { origin = Origins[i % Origins.Length], destination = Countries[i % Countries.Length] } },
    };

    public IEnumerable<(string Recruiter, double Share)> Links(int supplier)
    {
        yield return (RecruiterId(Hash(supplier, 4) % recruiters), 0.3);
        if (Hash(supplier, 5) % 2 == 0)
        {
            yield return (RecruiterId(Hash(supplier, 6) % recruiters), 0.2);
        }
    }

    /// <summary>Line i of the import file: 60 % audit findings, 25 % grievances, 15 % fee reports.</summary>
    /// <remarks><c>kind</c> comes first, as a serialiser writes a type discriminator (the import then reads the line once).</remarks>
    public string ImportLine(int i)
    {
        var roll = Hash(i, 7) % 100;
        var body = roll < 60 ? Audit($"IMP-{seed}-{i}", i) : roll < 85 ? Grievance($"GRV-{seed}-{i}", i) : Fee($"FEE-{seed}-{i}", i);
        return KindFirst(roll < 60 ? "audit" : roll < 85 ? "grievance" : "recruitment-fee", body);
    }

    /// <summary>Import line j of the history of one supplier (the ingest-with-history figure).</summary>
    public string HistoryLine(string supplierId, int j) => KindFirst("audit", Audit($"HIST-{seed}-{supplierId}-{j}", j, supplierId));

    /// <summary>A single audit for one supplier (ids apart from the import's).</summary>
    public object AuditFor(string auditId, string supplierId, int i) => Audit(auditId, i, supplierId);

    /// <summary>
    /// A zero-tolerance finding with forced-labour indicators for a supplier nothing is known about: its evaluation makes a
    /// read-model row and escalation events (band change, case escalated), the derived views whose lag is measured.
    /// </summary>
    public static object Probe(string auditId, string supplierId) => new
    {
        auditId,
        supplierId,
        recruiterId = (string?)null,
        standard = "smeta",
        auditType = "initial",
        startDate = "2026-01-05",
        endDate = "2026-01-07",
        auditFirm = "Synthetic Assurance",
        findings = new[]
        {
            new
            {
                findingId = "F1",
                category = "forced-labour",
                severity = "zero-tolerance",
                indicators = new[] { new { code = "document-retention" }, new { code = "restriction-of-movement" }, new { code = "debt-linked-recruitment" } },
                workersAffected = 120,
                evidenceStatus = "verified",
            },
        },
    };

    // The bodies are never empty objects, so the member list continues after the first character.
    private static string KindFirst(string kind, object body) => $"{{\"kind\":\"{kind}\",{JsonSerializer.Serialize(body, Json)[1..]}";

    /// <summary>Single submissions of the ingest measurement (ids apart from the import's).</summary>
    public object LiveAudit(int i) => Audit($"LIVE-{seed}-{i}", i + 7_919);

    private object Audit(string auditId, int i, string? supplierId = null)
    {
        var severityRoll = Hash(i, 8) % 100;
        var severity = severityRoll < 20 ? "observation" : severityRoll < 60 ? "minor" : severityRoll < 85 ? "major" : severityRoll < 97 ? "critical" : "zero-tolerance";
        var end = new DateOnly(2024, 1, 1).AddDays(Hash(i, 9) % 1000);
        return new
        {
            auditId,
            supplierId = supplierId ?? SupplierId(Hash(i, 10) % suppliers),
            recruiterId = (string?)null,
            standard = new[] { "smeta", "rba-vap", "amfori-bsci", "other" }[Hash(i, 11) % 4],
            auditType = "initial",
            startDate = end.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            endDate = end.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            auditFirm = "Synthetic Assurance",
            findings = new[]
            {
                new
                {
                    findingId = "F1",
                    category = Categories[Hash(i, 12) % Categories.Length],
                    severity,
                    indicators = Hash(i, 13) % 100 < 15 ? new[] { new { code = Indicators[Hash(i, 14) % Indicators.Length] } } : [],
                    workersAffected = 1 + (Hash(i, 15) % 200),
                    evidenceStatus = "verified",
                },
            },
        };
    }

    private object Grievance(string grievanceId, int i) => new
    {
        grievanceId,
        supplierId = SupplierId(Hash(i, 16) % suppliers),
        recruiterId = Hash(i, 17) % 3 == 0 ? RecruiterId(Hash(i, 18) % recruiters) : null,
        receivedAt = new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero).AddHours(Hash(i, 19) % 24_000),
        channel = "hotline",
        allegations = Hash(i, 20) % 4 == 0 ? new[] { new { code = Indicators[Hash(i, 21) % Indicators.Length] } } : [],
        categories = new[] { Categories[Hash(i, 22) % Categories.Length] },
        workersAffected = 1 + (Hash(i, 23) % 30),
        imminentDanger = false,
        childInvolved = false,
        anonymity = "confidential",
        narrative = Hash(i, 24) % 2 == 0 ? "Synthetic narrative: the supervisor keeps our passports." : null,
        consent = new { shareWithBrand = true, shareWithNgo = true, shareWithLawEnforcement = false },
    };

    private object Fee(string reportId, int i)
    {
        var paid = (Hash(i, 25) % 10) switch { < 4 => 0m, < 8 => 500m + (Hash(i, 26) % 2000), _ => 3000m + (Hash(i, 27) % 5000) };
        var loan = Hash(i, 28) % 5 == 0;
        return new
        {
            reportId,
            recruiterId = RecruiterId(Hash(i, 29) % recruiters),
            supplierId = SupplierId(Hash(i, 30) % suppliers),
            workerRef = $"w-{i}",
            originCountry = "NP",
            destinationCountry = "MY",
            recruitedOn = new DateOnly(2024, 1, 1).AddDays(Hash(i, 31) % 1000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            costs = new[] { new { type = "placement-fee", amount = paid, currency = "MYR", paidBy = "worker" } },
            monthlyWage = new { amount = 1500m, currency = "MYR" },
            fxRatesToUsd = new Dictionary<string, decimal> { ["MYR"] = 0.21m },
            financing = new { loan, repaidByWageDeduction = loan, mayNotLeaveUntilRepaid = loan && Hash(i, 32) % 3 == 0 },
            reimbursement = new { status = "none" },
        };
    }

    private int Hash(int i, int salt)
    {
        var x = (uint)(i * 0x9E3779B1) ^ (uint)(salt * 0x85EBCA77) ^ (uint)seed;
        x ^= x >> 16;
        x *= 0x7FEB352D;
        x ^= x >> 15;
        x *= 0x846CA68B;
        x ^= x >> 16;
        return (int)(x & 0x7FFFFFFF);
    }
}
