using Mediator;
using SupplyChainWatch.Api.Features.Audits;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Grains.Intake;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.RecruitmentFees;

/// <summary>One recruitment fee or related cost.</summary>
/// <param name="Type">What the cost was for. <example>placement-fee</example></param>
/// <param name="Amount">Amount, not negative. <example>90000</example></param>
/// <param name="Currency">ISO 4217 currency. <example>NPR</example></param>
/// <param name="PaidBy">worker, family, employer or recruiter. <example>worker</example></param>
public sealed record FeeCostBody(string? Type, decimal? Amount, string? Currency, string? PaidBy);

/// <summary>An amount in a currency.</summary>
/// <param name="Amount">Amount. <example>1500</example></param>
/// <param name="Currency">ISO 4217 currency. <example>MYR</example></param>
public sealed record MoneyBody(decimal? Amount, string? Currency);

/// <summary>How the worker financed the costs.</summary>
/// <param name="Loan">The worker borrowed to pay.</param>
/// <param name="RepaidByWageDeduction">The loan is repaid through wage deductions.</param>
/// <param name="MayNotLeaveUntilRepaid">The worker may not leave until the loan is repaid (debt bondage).</param>
public sealed record FinancingBody(bool? Loan, bool? RepaidByWageDeduction, bool? MayNotLeaveUntilRepaid);

/// <summary>What the worker was paid back.</summary>
/// <param name="Status">none, partial or full.</param>
/// <param name="Amount">Amount reimbursed, in the wage currency.</param>
/// <param name="On">Date of the (last) reimbursement.</param>
public sealed record ReimbursementBody(string? Status, decimal? Amount, DateOnly? On);

/// <summary>What one worker paid to be recruited (SDG 10.7.1), from surveys, receipts, payroll or disclosures.</summary>
/// <param name="ReportId">The monitor's id; the idempotency key. <example>FEE-2026-000913</example></param>
/// <param name="RecruiterId">The recruiter. <example>fast-jobs</example></param>
/// <param name="SupplierId">Where the worker was placed, if known. <example>sunrise-garments-2</example></param>
/// <param name="WorkerRef">Pseudonymous worker reference, never a name. <example>w-5f2a</example></param>
/// <param name="OriginCountry">ISO 3166-1 alpha-2. <example>NP</example></param>
/// <param name="DestinationCountry">ISO 3166-1 alpha-2. <example>MY</example></param>
/// <param name="RecruitedOn">Recruitment date. <example>2026-03-01</example></param>
/// <param name="Costs">Recruitment fees and related costs.</param>
/// <param name="MonthlyWage">Actual monthly wage at destination.</param>
/// <param name="FxRatesToUsd">USD per unit of each currency, overriding the configured rates. <example>{"NPR": 0.0075, "MYR": 0.21}</example></param>
/// <param name="Financing">How the worker paid.</param>
/// <param name="Reimbursement">What was paid back.</param>
/// <param name="EvidenceStatus">reported (default), verified, corroborated, alleged or self-assessed.</param>
public sealed record FeeReportBody(
    string? ReportId,
    string? RecruiterId,
    string? SupplierId,
    string? WorkerRef,
    string? OriginCountry,
    string? DestinationCountry,
    DateOnly? RecruitedOn,
    IReadOnlyList<FeeCostBody>? Costs,
    MoneyBody? MonthlyWage,
    IReadOnlyDictionary<string, decimal>? FxRatesToUsd,
    FinancingBody? Financing,
    ReimbursementBody? Reimbursement,
    string? EvidenceStatus);

public sealed record SubmitFeeReport(FeeReportBody? Body) : IRequest<CommandResult<SubmissionReceipt>>;

public static class SubmitFeeReportValidator
{
    public const int MaxCosts = DomainLimits.MaxCosts;

    /// <summary>Validates a fee report and builds its evidence rows: for the single endpoint and the import.</summary>
    public static PreparedSignal? Prepare(FeeReportBody? body, DateOnly today, CurrencyConverter currencies, Validation validation)
    {
        var report = Validate(body, today, currencies, validation);
        if (report is null)
        {
            return null;
        }

        var parsed = new EvidenceContent.FeeReport(body!.RecruiterId!, body.SupplierId, report);
        var content = EvidenceJson.Serialize(parsed);
        var key = IdempotencyKeys.FeeReport(report.ReportId);
        var occurredAt = new DateTimeOffset(report.RecruitedOn.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var rows = new List<EvidenceAppend> { new(SubjectKeys.Recruiter(body.RecruiterId!), key, EvidenceKinds.FeeReport, content, occurredAt, parsed) };
        if (body.SupplierId is not null)
        {
            // Points count for the recruiter only; the supplier gets the report for its forced-labour cases.
            rows.Add(new EvidenceAppend(SubjectKeys.Supplier(body.SupplierId), key, EvidenceKinds.FeeReport, content, occurredAt, parsed));
        }

        return new PreparedSignal(report.ReportId, rows, _ => $"Fee report '{report.ReportId}' was already submitted with different content.");
    }

    private static FeeReport? Validate(FeeReportBody? body, DateOnly today, CurrencyConverter currencies, Validation validation)
    {
        if (!validation.Required("body", body))
        {
            return null;
        }

        validation.Id("reportId", body!.ReportId);
        validation.Id("recruiterId", body.RecruiterId);
        validation.OptionalId("supplierId", body.SupplierId);
        validation.Id("workerRef", body.WorkerRef);
        validation.Country("originCountry", body.OriginCountry, required: true);
        validation.Country("destinationCountry", body.DestinationCountry, required: true);
        validation.RequiredValue("recruitedOn", body.RecruitedOn);
        validation.Date("recruitedOn", body.RecruitedOn);
        validation.NotInFuture("recruitedOn", body.RecruitedOn, today);

        if (body.FxRatesToUsd is not null)
        {
            validation.MaxItems("fxRatesToUsd", body.FxRatesToUsd.Keys.ToList(), 50);
            foreach (var (currency, rate) in body.FxRatesToUsd)
            {
                validation.Currency($"fxRatesToUsd.{currency}", currency);
                if (!DomainLimits.IsFxRate(rate))
                {
                    validation.Add($"fxRatesToUsd.{currency}", DomainLimits.FxRateRule);
                }
            }
        }

        var costs = new List<FeeCost>();
        validation.Required("costs", body.Costs);
        validation.MaxItems("costs", body.Costs, MaxCosts);
        for (var i = 0; i < Math.Min(body.Costs?.Count ?? 0, MaxCosts); i++)
        {
            var field = $"costs[{i}]";
            var cost = body.Costs![i];
            if (!validation.Required(field, cost))
            {
                continue;
            }

            validation.Text($"{field}.type", cost.Type, 100, required: true);
            if (validation.RequiredValue($"{field}.amount", cost.Amount) && !DomainLimits.IsAmount(cost.Amount!.Value))
            {
                validation.Add($"{field}.amount", DomainLimits.AmountRule);
            }

            validation.Currency($"{field}.currency", cost.Currency);
            ConvertibleCurrency($"{field}.currency", cost.Currency, body.FxRatesToUsd, currencies, validation);
            var paidBy = validation.Enum<PaidBy>($"{field}.paidBy", cost.PaidBy, required: true);
            if (validation.IsValid)
            {
                costs.Add(new FeeCost(cost.Type!, cost.Amount!.Value, cost.Currency!, paidBy!.Value));
            }
        }

        if (validation.Required("monthlyWage", body.MonthlyWage))
        {
            if (validation.RequiredValue("monthlyWage.amount", body.MonthlyWage!.Amount) && (body.MonthlyWage.Amount <= 0 || body.MonthlyWage.Amount > DomainLimits.MaxAmount))
            {
                validation.Add("monthlyWage.amount", "must be positive and at most " + DomainLimits.MaxAmount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            validation.Currency("monthlyWage.currency", body.MonthlyWage.Currency);
            ConvertibleCurrency("monthlyWage.currency", body.MonthlyWage.Currency, body.FxRatesToUsd, currencies, validation);
        }

        if (validation.Required("financing", body.Financing))
        {
            validation.RequiredValue("financing.loan", body.Financing!.Loan);
            validation.RequiredValue("financing.repaidByWageDeduction", body.Financing.RepaidByWageDeduction);
            validation.RequiredValue("financing.mayNotLeaveUntilRepaid", body.Financing.MayNotLeaveUntilRepaid);
        }

        var reimbursement = new FeeReimbursement(ReimbursementStatus.None, null, null);
        if (body.Reimbursement is { } r)
        {
            var status = validation.Enum<ReimbursementStatus>("reimbursement.status", r.Status, required: true);
            if (r.Amount is { } reimbursed && !DomainLimits.IsAmount(reimbursed))
            {
                validation.Add("reimbursement.amount", DomainLimits.AmountRule);
            }

            validation.Date("reimbursement.on", r.On);
            validation.NotInFuture("reimbursement.on", r.On, today);
            if (status is ReimbursementStatus.Partial or ReimbursementStatus.Full)
            {
                validation.RequiredValue("reimbursement.on", r.On);
            }

            if (r.On is { } on && body.RecruitedOn is { } recruitedOn && on < recruitedOn)
            {
                validation.Add("reimbursement.on", "must not be before recruitedOn");
            }

            reimbursement = new FeeReimbursement(status ?? ReimbursementStatus.None, r.Amount, r.On);
        }

        var evidence = validation.Enum<EvidenceStatus>("evidenceStatus", body.EvidenceStatus, required: false) ?? EvidenceStatus.Reported;
        if (!validation.IsValid)
        {
            return null;
        }

        var report = new FeeReport(
            body.ReportId!, body.WorkerRef!, body.OriginCountry!, body.DestinationCountry!, body.RecruitedOn!.Value, costs,
            new Money(body.MonthlyWage!.Amount!.Value, body.MonthlyWage.Currency!), body.FxRatesToUsd,
            new FeeFinancing(body.Financing!.Loan!.Value, body.Financing.RepaidByWageDeduction!.Value, body.Financing.MayNotLeaveUntilRepaid!.Value),
            reimbursement, evidence);

        // The engine's own arithmetic, here: a report it could not compute later (an overflow) is refused now, naming the field.
        if (FeeArithmetic.TryCompute(report, currencies, out var failure) is null && failure is not null)
        {
            validation.Add(failure.Field, failure.Reason);
            return null;
        }

        return report;
    }

    private static void ConvertibleCurrency(string field, string? currency, IReadOnlyDictionary<string, decimal>? reportRates, CurrencyConverter currencies, Validation validation)
    {
        if (CurrencyConverter.IsCurrencyCode(currency) && !currencies.TryConvertToUsd(1m, currency!, reportRates, out _, out var missing))
        {
            validation.Add(field, $"no exchange rate to USD for '{missing}': give one in fxRatesToUsd");
        }
    }
}

public sealed class SubmitFeeReportHandler(EvidenceSubmitter submitter, CurrencyConverter currencies, ServiceClock clock)
    : IRequestHandler<SubmitFeeReport, CommandResult<SubmissionReceipt>>
{
    public async ValueTask<CommandResult<SubmissionReceipt>> Handle(SubmitFeeReport request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        var signal = SubmitFeeReportValidator.Prepare(request.Body, clock.Today, currencies, validation);
        return signal is null
            ? CommandResult<SubmissionReceipt>.From(validation)
            : (await submitter.SubmitAsync(signal, cancellationToken)).ToCommandResult(signal);
    }
}
