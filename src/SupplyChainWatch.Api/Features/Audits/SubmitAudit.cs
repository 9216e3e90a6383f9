using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Audits;

/// <summary>One forced-labour indicator observation.</summary>
/// <param name="Code">One of the fifteen forced-labour indicator codes. <example>document-retention</example></param>
/// <param name="Strength">Overrides the code's default strength: medium or strong.</param>
public sealed record IndicatorBody(string? Code, string? Strength);

/// <summary>One audit finding.</summary>
/// <param name="FindingId">Unique within the audit. <example>F-07</example></param>
/// <param name="Category">Finding category. <example>documents</example></param>
/// <param name="Severity">zero-tolerance, critical, major, minor or observation. <example>critical</example></param>
/// <param name="Indicators">Forced-labour indicators the auditor observed.</param>
/// <param name="WorkersAffected">Workers the finding concerns. <example>20</example></param>
/// <param name="EvidenceStatus">verified (default), corroborated, reported, alleged or self-assessed.</param>
/// <param name="Status">open (default), remediated or verified-remediated.</param>
/// <param name="DueDate">Due date of the corrective action. <example>2026-12-31</example></param>
/// <param name="CaseRef">Groups observations of one case across submissions.</param>
public sealed record FindingBody(
    string? FindingId,
    string? Category,
    string? Severity,
    IReadOnlyList<IndicatorBody>? Indicators,
    int? WorkersAffected,
    string? EvidenceStatus,
    string? Status,
    DateOnly? DueDate,
    string? CaseRef);

/// <summary>A social-compliance audit of a supplier site with its findings.</summary>
/// <param name="AuditId">The audit firm's id; with findingId it is the idempotency key. <example>SMETA-2026-0042</example></param>
/// <param name="SupplierId">Audited site. <example>sunrise-garments-2</example></param>
/// <param name="RecruiterId">Recruiter the audit also concerns, if any.</param>
/// <param name="Standard">smeta, rba-vap, rba-svap, amfori-bsci or other. <example>smeta</example></param>
/// <param name="AuditType">initial, follow-up, closure or priority-closure. <example>initial</example></param>
/// <param name="StartDate">First day on site. <example>2026-10-05</example></param>
/// <param name="EndDate">Last day on site; the findings' observation instant. <example>2026-10-07</example></param>
/// <param name="AuditFirm">Firm that performed the audit. <example>Example Assurance Ltd</example></param>
/// <param name="Findings">At least one finding.</param>
public sealed record AuditBody(
    string? AuditId,
    string? SupplierId,
    string? RecruiterId,
    string? Standard,
    string? AuditType,
    DateOnly? StartDate,
    DateOnly? EndDate,
    string? AuditFirm,
    IReadOnlyList<FindingBody>? Findings);

public sealed record SubmitAudit(AuditBody? Body) : IRequest<CommandResult<SubmissionReceipt>>;

public static class SubmitAuditValidator
{
    public const int MaxFindings = 500;

    /// <summary>Validates an audit and builds its evidence rows (one per finding and subject): for the single endpoint and the import.</summary>
    public static PreparedSignal? Prepare(AuditBody? body, DateOnly today, Validation validation)
    {
        var findings = Validate(body, today, validation);
        if (findings is null)
        {
            return null;
        }

        var occurredAt = new DateTimeOffset(body!.EndDate!.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var subjects = body.RecruiterId is null
            ? new[] { SubjectKeys.Supplier(body.SupplierId!) }
            : [SubjectKeys.Supplier(body.SupplierId!), SubjectKeys.Recruiter(body.RecruiterId)];
        var rows = new List<EvidenceAppend>();
        foreach (var finding in findings)
        {
            var parsed = new EvidenceContent.Finding(body.SupplierId!, body.RecruiterId, body.AuditFirm!, finding);
            var content = EvidenceJson.Serialize(parsed);
            rows.AddRange(subjects.Select(subject =>
                new EvidenceAppend(subject, SubmitAuditHandler.FindingKey(finding.AuditId, finding.FindingId), EvidenceKinds.Finding, content, occurredAt, parsed)));
        }

        var auditId = body.AuditId!;
        return new PreparedSignal(auditId, rows,
            keys => $"Audit '{auditId}' was already submitted with different content for: {string.Join(", ", keys.Distinct())}.");
    }

    private static IReadOnlyList<AuditFinding>? Validate(AuditBody? body, DateOnly today, Validation validation)
    {
        if (!validation.Required("body", body))
        {
            return null;
        }

        validation.Id("auditId", body!.AuditId);
        validation.Id("supplierId", body.SupplierId);
        validation.OptionalId("recruiterId", body.RecruiterId);
        var standard = validation.Enum<AuditStandard>("standard", body.Standard, required: true);
        var auditType = validation.Enum<AuditType>("auditType", body.AuditType, required: true);
        validation.RequiredValue("startDate", body.StartDate);
        validation.RequiredValue("endDate", body.EndDate);
        validation.Date("startDate", body.StartDate);
        validation.Date("endDate", body.EndDate);
        validation.NotInFuture("startDate", body.StartDate, today);
        validation.NotInFuture("endDate", body.EndDate, today);
        if (body.StartDate is { } start && body.EndDate is { } end && end < start)
        {
            validation.Add("endDate", "must not be before startDate");
        }

        validation.Text("auditFirm", body.AuditFirm, 200, required: true);
        if (validation.Required("findings", body.Findings) && body.Findings!.Count == 0)
        {
            validation.Add("findings", "must hold at least one finding (a clean audit is a finding of severity 'observation')");
        }

        validation.MaxItems("findings", body.Findings, MaxFindings);
        var findings = new List<AuditFinding>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Math.Min(body.Findings?.Count ?? 0, MaxFindings); i++)
        {
            var field = $"findings[{i}]";
            var finding = body.Findings![i];
            if (!validation.Required(field, finding))
            {
                continue;
            }

            if (validation.Id($"{field}.findingId", finding.FindingId) && !seen.Add(finding.FindingId!))
            {
                validation.Add($"{field}.findingId", "appears twice in this audit");
            }

            var category = validation.Enum<FindingCategory>($"{field}.category", finding.Category, required: true);
            var severity = validation.Enum<Severity>($"{field}.severity", finding.Severity, required: true);
            var indicators = Indicators.Validate($"{field}.indicators", finding.Indicators, validation);
            if (validation.RequiredValue($"{field}.workersAffected", finding.WorkersAffected))
            {
                validation.Workers($"{field}.workersAffected", finding.WorkersAffected);
            }

            var evidence = validation.Enum<EvidenceStatus>($"{field}.evidenceStatus", finding.EvidenceStatus, required: false) ?? EvidenceStatus.Verified;
            var status = validation.Enum<FindingStatus>($"{field}.status", finding.Status, required: false) ?? FindingStatus.Open;
            validation.Date($"{field}.dueDate", finding.DueDate);
            validation.OptionalId($"{field}.caseRef", finding.CaseRef);
            if (validation.IsValid)
            {
                var accepted = new AuditFinding(
                    body.AuditId!, finding.FindingId!, standard!.Value, auditType!.Value, body.StartDate!.Value, body.EndDate!.Value,
                    category!.Value, severity!.Value, indicators, finding.WorkersAffected!.Value, evidence, status,
                    status == FindingStatus.Open ? null : body.EndDate, finding.DueDate, finding.CaseRef);

                // The engine's own check, last: what it would quarantine is refused here (the audit's dates are top-level fields).
                if (DomainLimits.CheckFields(accepted) is { } failure)
                {
                    validation.Add(failure.Field is "startDate" or "endDate" ? failure.Field : $"{field}.{failure.Field}", failure.Reason);
                    continue;
                }

                findings.Add(accepted);
            }
        }

        return validation.IsValid ? findings : null;
    }
}

public sealed class SubmitAuditHandler(EvidenceSubmitter submitter, ServiceClock clock) : IRequestHandler<SubmitAudit, CommandResult<SubmissionReceipt>>
{
    public async ValueTask<CommandResult<SubmissionReceipt>> Handle(SubmitAudit request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var signal = SubmitAuditValidator.Prepare(request.Body, clock.Today, validation);
        return signal is null
            ? CommandResult<SubmissionReceipt>.From(validation)
            : (await submitter.SubmitAsync(signal, cancellationToken)).ToCommandResult(signal);
    }

    public static string FindingKey(string auditId, string findingId) => IdempotencyKeys.Finding(auditId, findingId);
}

/// <summary>Indicator observations as findings and grievance allegations carry them.</summary>
public static class Indicators
{
    public const int MaxPerSignal = 30;

    public static IReadOnlyList<IndicatorObservation> Validate(string field, IReadOnlyList<IndicatorBody>? indicators, Validation validation)
    {
        validation.MaxItems(field, indicators, MaxPerSignal);
        var result = new List<IndicatorObservation>();
        for (var i = 0; i < Math.Min(indicators?.Count ?? 0, MaxPerSignal); i++)
        {
            var indicator = indicators![i];
            if (!validation.Required($"{field}[{i}]", indicator))
            {
                continue;
            }

            var code = validation.Enum<IndicatorCode>($"{field}[{i}].code", indicator.Code, required: true);
            var strength = validation.Enum<IndicatorStrength>($"{field}[{i}].strength", indicator.Strength, required: false);
            if (code is { } c)
            {
                result.Add(new IndicatorObservation(c, strength));
            }
        }

        return result;
    }
}
