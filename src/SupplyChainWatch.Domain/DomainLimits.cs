using System.Globalization;

namespace SupplyChainWatch.Domain;

/// <summary>
/// The bounds of every number and date a signal may carry: the API validates against them and the engine and the
/// subject grains refuse (quarantine) anything outside them, so a value accepted once can never fail an evaluation later.
/// Wide enough for any real report, narrow enough that the decimal arithmetic of <see cref="FeeArithmetic"/> cannot overflow.
/// </summary>
public static class DomainLimits
{
    /// <summary>Largest amount of one cost, wage or reimbursement, in its own currency (10^12).</summary>
    public const decimal MaxAmount = 1_000_000_000_000m;

    /// <summary>Smallest exchange rate (US dollars per unit) accepted; rates must be above zero and at least this.</summary>
    public const decimal MinFxRate = 0.000000001m;

    /// <summary>Largest exchange rate (US dollars per unit) accepted (10^6).</summary>
    public const decimal MaxFxRate = 1_000_000m;

    /// <summary>Most workers one finding or grievance may say are affected (10^7).</summary>
    public const int MaxWorkersAffected = 10_000_000;

    /// <summary>Largest workforce a supplier profile may state.</summary>
    public const int MaxWorkforce = 100_000_000;

    /// <summary>Most costs one fee report may list.</summary>
    public const int MaxCosts = 50;

    /// <summary>Earliest date of any signal: earlier ones are typing mistakes, not history.</summary>
    public static readonly DateOnly MinDate = new(1990, 1, 1);

    /// <summary>Latest date of any signal (due dates may lie ahead; nothing lies beyond this).</summary>
    public static readonly DateOnly MaxDate = new(2100, 12, 31);

    public static bool IsAmount(decimal value) => value >= 0 && value <= MaxAmount;

    public static bool IsFxRate(decimal value) => value >= MinFxRate && value <= MaxFxRate;

    public static bool IsWorkers(int value) => value >= 0 && value <= MaxWorkersAffected;

    public static bool IsShare(double value) => !double.IsNaN(value) && value >= 0 && value <= 1;

    public static bool IsDate(DateOnly value) => value >= MinDate && value <= MaxDate;

    public static bool IsInstant(DateTimeOffset value) => IsDate(DateOnly.FromDateTime(value.UtcDateTime));

    public static string AmountRule { get; } = string.Create(CultureInfo.InvariantCulture, $"must be between 0 and {MaxAmount}");

    public static string FxRateRule { get; } = string.Create(CultureInfo.InvariantCulture, $"must be a rate (USD per unit) between {MinFxRate:0.#########} and {MaxFxRate}");

    public static string WorkersRule { get; } = string.Create(CultureInfo.InvariantCulture, $"must be between 0 and {MaxWorkersAffected}");

    public static string DateRule { get; } = string.Create(CultureInfo.InvariantCulture, $"must be between {MinDate:yyyy-MM-dd} and {MaxDate:yyyy-MM-dd}");

    /// <summary>Share of a workforce: 0 to 1 (a supplier's migrant and agency shares, a recruiter's share of a supplier).</summary>
    public static string ShareRule { get; } = "must be between 0 and 1";

    public static string WorkforceRule { get; } = string.Create(CultureInfo.InvariantCulture, $"must be between 0 and {MaxWorkforce}");

    public static bool IsWorkforce(int value) => value >= 0 && value <= MaxWorkforce;

    /// <summary>Why a finding is outside the limits, or null when the engine can use it.</summary>
    public static string? Check(AuditFinding finding) => CheckFields(finding) is { } f ? f.Field + " " + f.Reason : null;

    /// <summary>Why a grievance is outside the limits, or null when the engine can use it.</summary>
    public static string? Check(Grievance grievance) => CheckFields(grievance) is { } f ? f.Field + " " + f.Reason : null;

    /// <summary>
    /// The first field of a finding outside the limits (in the API's spelling: <c>startDate</c> and <c>endDate</c> are the
    /// audit's, the others the finding's), or null. The validator refuses exactly this; the engine quarantines exactly this.
    /// </summary>
    public static LimitFailure? CheckFields(AuditFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return !IsWorkers(finding.WorkersAffected) ? new LimitFailure("workersAffected", WorkersRule)
            : !IsDate(finding.StartDate) ? new LimitFailure("startDate", DateRule)
            : !IsDate(finding.EndDate) ? new LimitFailure("endDate", DateRule)
            : finding.StatusOn is { } s && !IsDate(s) ? new LimitFailure("on", DateRule)
            : finding.DueDate is { } d && !IsDate(d) ? new LimitFailure("dueDate", DateRule)
            : null;
    }

    /// <summary>The first field of a grievance outside the limits (API spelling), or null.</summary>
    public static LimitFailure? CheckFields(Grievance grievance)
    {
        ArgumentNullException.ThrowIfNull(grievance);
        return !IsWorkers(grievance.WorkersAffected) ? new LimitFailure("workersAffected", WorkersRule)
            : !IsInstant(grievance.ReceivedAt) ? new LimitFailure("receivedAt", DateRule)
            : grievance.AcknowledgedOn is { } a && !IsDate(a) ? new LimitFailure("on", DateRule)
            : grievance.ClosedOn is { } c && !IsDate(c) ? new LimitFailure("on", DateRule)
            : null;
    }

    /// <summary>The first field of a supplier profile outside the limits (API spelling), or null.</summary>
    public static LimitFailure? CheckFields(SupplierProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.Workforce is { } w && !IsWorkforce(w) ? new LimitFailure("workforce", WorkforceRule)
            : !IsShare(profile.MigrantWorkerShare) ? new LimitFailure("migrantWorkerShare", ShareRule)
            : !IsShare(profile.AgencyWorkerShare) ? new LimitFailure("agencyWorkerShare", ShareRule)
            : null;
    }

    /// <summary>Why a recruiter's share of a supplier's workforce is outside the limits (field <c>workforceShare</c>), or null.</summary>
    public static LimitFailure? CheckShare(double workforceShare) => IsShare(workforceShare) ? null : new LimitFailure("workforceShare", ShareRule);
}

/// <summary>A signal outside <see cref="DomainLimits"/> or beyond the engine's arithmetic: the field at fault (in the API's spelling) and why.</summary>
public sealed record LimitFailure(string Field, string Reason);

/// <summary>What one fee report comes to in US dollars: what the worker (or family) paid and the cost ratio to the monthly wage.</summary>
public sealed record FeeFigures(decimal WorkerPaidUsd, decimal WageUsd, double? CostRatio);

/// <summary>
/// The one place fee-report arithmetic happens, used by the validator (to refuse what cannot be computed) and by the
/// engine (to quarantine what slipped through before). Decimal arithmetic throws <see cref="OverflowException"/> rather
/// than wrapping; it is caught here, per report, so no report can take the evaluation of its subject down.
/// </summary>
public static class FeeArithmetic
{
    /// <summary>The first field of a fee report outside <see cref="DomainLimits"/>, or null when all are inside.</summary>
    public static LimitFailure? CheckLimits(FeeReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Costs.Count > DomainLimits.MaxCosts)
        {
            return new LimitFailure("costs", string.Create(CultureInfo.InvariantCulture, $"must have at most {DomainLimits.MaxCosts} items"));
        }

        for (var i = 0; i < report.Costs.Count; i++)
        {
            if (!DomainLimits.IsAmount(report.Costs[i].Amount))
            {
                return new LimitFailure(string.Create(CultureInfo.InvariantCulture, $"costs[{i}].amount"), DomainLimits.AmountRule);
            }
        }

        if (report.FxRatesToUsd is { } rates)
        {
            foreach (var (currency, rate) in rates)
            {
                if (!DomainLimits.IsFxRate(rate))
                {
                    return new LimitFailure($"fxRatesToUsd.{currency}", DomainLimits.FxRateRule);
                }
            }
        }

        if (!DomainLimits.IsDate(report.RecruitedOn))
        {
            return new LimitFailure("recruitedOn", DomainLimits.DateRule);
        }

        if (report.Reimbursement.On is { } on && !DomainLimits.IsDate(on))
        {
            return new LimitFailure("reimbursement.on", DomainLimits.DateRule);
        }

        if (report.Reimbursement.Amount is { } reimbursed && !DomainLimits.IsAmount(reimbursed))
        {
            return new LimitFailure("reimbursement.amount", DomainLimits.AmountRule);
        }

        return DomainLimits.IsAmount(report.MonthlyWage.Amount) ? null : new LimitFailure("monthlyWage.amount", DomainLimits.AmountRule);
    }

    /// <summary>The report's figures in US dollars, or null with the <paramref name="failure"/> (limits, a missing rate, an overflow).</summary>
    public static FeeFigures? TryCompute(FeeReport report, CurrencyConverter converter, out LimitFailure? failure)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(converter);
        failure = CheckLimits(report);
        if (failure is not null)
        {
            return null;
        }

        var paid = 0m;
        for (var i = 0; i < report.Costs.Count; i++)
        {
            var cost = report.Costs[i];
            var field = string.Create(CultureInfo.InvariantCulture, $"costs[{i}].amount");
            if (cost.PaidBy is not (PaidBy.Worker or PaidBy.Family) || cost.Amount == 0)
            {
                continue;
            }

            if (!TryUsd(converter, cost.Amount, cost.Currency, report.FxRatesToUsd, out var usd, field, out failure))
            {
                return null;
            }

            try
            {
                paid += usd;
            }
            catch (OverflowException)
            {
                failure = new LimitFailure("costs", "the total paid in US dollars is too large to compute");
                return null;
            }
        }

        if (!TryUsd(converter, report.MonthlyWage.Amount, report.MonthlyWage.Currency, report.FxRatesToUsd, out var wage, "monthlyWage.amount", out failure))
        {
            return null;
        }

        double? ratio = null;
        if (wage > 0)
        {
            try
            {
                ratio = (double)(paid / wage);
            }
            catch (OverflowException)
            {
                failure = new LimitFailure("monthlyWage.amount", "the cost ratio (paid / monthly wage, in US dollars) is too large to compute: the wage is too small");
                return null;
            }
        }

        failure = null;
        return new FeeFigures(paid, wage, ratio);
    }

    private static bool TryUsd(CurrencyConverter converter, decimal amount, string currency, IReadOnlyDictionary<string, decimal>? rates, out decimal usd, string field,
        out LimitFailure? failure)
    {
        try
        {
            if (converter.TryConvertToUsd(amount, currency, rates, out usd, out var missing))
            {
                failure = null;
                return true;
            }

            failure = new LimitFailure(field, $"no exchange rate to USD for '{missing}'");
            return false;
        }
        catch (OverflowException)
        {
            usd = 0;
            failure = new LimitFailure(field, "amount × exchange rate is too large to compute");
            return false;
        }
    }
}
