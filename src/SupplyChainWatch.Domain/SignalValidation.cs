namespace SupplyChainWatch.Domain;

/// <summary>A field-level problem with a submitted signal; <see cref="Field"/> is the JSON path the API reports.</summary>
public sealed record ValidationError(string Field, string Message);

/// <summary>
/// Checks the API runs before a signal is accepted (the engine assumes they passed). Field names are the
/// camelCase JSON names of the submitted document.
/// </summary>
public static class SignalValidation
{
    public static IReadOnlyList<ValidationError> ValidateFeeReport(FeeReport report, CurrencyConverter converter)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(converter);
        var errors = new List<ValidationError>();
        Required(errors, "reportId", report.ReportId);
        Required(errors, "workerRef", report.WorkerRef);
        Country(errors, "originCountry", report.OriginCountry);
        Country(errors, "destinationCountry", report.DestinationCountry);

        for (var i = 0; i < report.Costs.Count; i++)
        {
            var cost = report.Costs[i];
            if (cost.Amount < 0)
            {
                errors.Add(new ValidationError($"costs[{i}].amount", "must not be negative"));
            }

            Currency(errors, $"costs[{i}].currency", cost.Currency, report, converter);
        }

        if (report.MonthlyWage.Amount <= 0)
        {
            errors.Add(new ValidationError("monthlyWage.amount", "must be greater than zero"));
        }

        Currency(errors, "monthlyWage.currency", report.MonthlyWage.Currency, report, converter);

        if (report.FxRatesToUsd is not null)
        {
            foreach (var (code, rate) in report.FxRatesToUsd)
            {
                if (!CurrencyConverter.IsCurrencyCode(code))
                {
                    errors.Add(new ValidationError($"fxRatesToUsd.{code}", "is not an ISO 4217 currency code"));
                }
                else if (rate <= 0)
                {
                    errors.Add(new ValidationError($"fxRatesToUsd.{code}", "must be greater than zero"));
                }
            }
        }

        if (report.Financing.RepaidByWageDeduction && !report.Financing.Loan)
        {
            errors.Add(new ValidationError("financing.repaidByWageDeduction", "requires financing.loan"));
        }

        if (report.Reimbursement.Status == ReimbursementStatus.Full && report.Reimbursement.On is null)
        {
            errors.Add(new ValidationError("reimbursement.on", "is required when reimbursement.status is full"));
        }

        return errors;
    }

    public static IReadOnlyList<ValidationError> ValidateFinding(AuditFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var errors = new List<ValidationError>();
        Required(errors, "auditId", finding.AuditId);
        Required(errors, "findingId", finding.FindingId);
        if (finding.EndDate < finding.StartDate)
        {
            errors.Add(new ValidationError("endDate", "must not be before startDate"));
        }

        if (finding.WorkersAffected < 0)
        {
            errors.Add(new ValidationError("workersAffected", "must not be negative"));
        }

        if (finding.Status == FindingStatus.VerifiedRemediated && finding.StatusOn is null)
        {
            errors.Add(new ValidationError("statusOn", "is required when status is verified-remediated"));
        }

        if (finding.StatusOn is { } on && on < finding.EndDate)
        {
            errors.Add(new ValidationError("statusOn", "must not be before the audit's endDate"));
        }

        return errors;
    }

    public static IReadOnlyList<ValidationError> ValidateGrievance(Grievance grievance)
    {
        ArgumentNullException.ThrowIfNull(grievance);
        var errors = new List<ValidationError>();
        Required(errors, "grievanceId", grievance.GrievanceId);
        if (grievance.WorkersAffected < 0)
        {
            errors.Add(new ValidationError("workersAffected", "must not be negative"));
        }

        if (grievance.Status == GrievanceStatus.Closed && grievance.ClosedOn is null)
        {
            errors.Add(new ValidationError("closedOn", "is required when status is closed"));
        }

        if (grievance.ClosedOn is { } closed && closed < DateOnly.FromDateTime(grievance.ReceivedAt.UtcDateTime))
        {
            errors.Add(new ValidationError("closedOn", "must not be before receivedAt"));
        }

        return errors;
    }

    /// <summary>Workforce shares are fractions 0–1 (migrant, agency, recruiter placements).</summary>
    public static IReadOnlyList<ValidationError> ValidateSupplierProfile(SupplierProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var errors = new List<ValidationError>();
        Share(errors, "migrantWorkerShare", profile.MigrantWorkerShare);
        Share(errors, "agencyWorkerShare", profile.AgencyWorkerShare);
        if (profile.Workforce is < 0)
        {
            errors.Add(new ValidationError("workforce", "must not be negative"));
        }

        if (profile.Country is { } country)
        {
            Country(errors, "country", country);
        }

        return errors;
    }

    public static IReadOnlyList<ValidationError> ValidateRecruiterLink(RecruiterLink link)
    {
        ArgumentNullException.ThrowIfNull(link);
        var errors = new List<ValidationError>();
        Required(errors, "recruiterId", link.RecruiterId);
        Share(errors, "workforceShare", link.WorkforceShare);
        return errors;
    }

    private static void Required(List<ValidationError> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new ValidationError(field, "is required"));
        }
    }

    private static void Country(List<ValidationError> errors, string field, string? value)
    {
        if (value is not { Length: 2 } || !char.IsAsciiLetter(value[0]) || !char.IsAsciiLetter(value[1]))
        {
            errors.Add(new ValidationError(field, "must be an ISO 3166-1 alpha-2 country code"));
        }
    }

    private static void Share(List<ValidationError> errors, string field, double value)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1)
        {
            errors.Add(new ValidationError(field, "must be between 0 and 1"));
        }
    }

    private static void Currency(List<ValidationError> errors, string field, string? code, FeeReport report, CurrencyConverter converter)
    {
        if (!CurrencyConverter.IsCurrencyCode(code))
        {
            errors.Add(new ValidationError(field, "must be an ISO 4217 currency code"));
        }
        else if (!converter.TryConvertToUsd(0m, code!, report.FxRatesToUsd, out _, out var missing))
        {
            errors.Add(new ValidationError(field, $"no exchange rate to USD for {missing}: give fxRatesToUsd.{missing} in the report"));
        }
    }
}
