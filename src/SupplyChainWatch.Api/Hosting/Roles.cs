namespace SupplyChainWatch.Api.Hosting;

/// <summary>
/// The roles a token carries (claim <c>role</c> or <c>roles</c>; a token may carry several). Each endpoint names the
/// roles it admits next to its mapping, with <c>.RequireAuthorization(p =&gt; p.RequireRole(...))</c>.
/// </summary>
public static class Roles
{
    /// <summary>Reads risk, lists, subject profiles and escalations.</summary>
    public const string Compliance = "compliance";

    /// <summary>Submits audits and finding status changes.</summary>
    public const string Auditor = "auditor";

    /// <summary>Submits grievances and their status, and alone reads their narrative and reporter contact.</summary>
    public const string GrievanceHandler = "grievance-handler";

    /// <summary>Submits recruitment-fee reports.</summary>
    public const string RecruitmentMonitor = "recruitment-monitor";

    /// <summary>Manages its own webhook subscriptions and reads their deliveries (with the webhook endpoints).</summary>
    public const string Ngo = "ngo";

    /// <summary>Builds, reads and verifies consent-gated referral packages of cases; never grievance narratives.</summary>
    public const string CaseOfficer = "case-officer";

    /// <summary>Maintains subject profiles and recruiter links; reads what compliance reads; never grievance narratives.</summary>
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Compliance, Auditor, GrievanceHandler, RecruitmentMonitor, Ngo, CaseOfficer, Admin];
}
