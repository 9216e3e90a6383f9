using System.Text.Json;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>
/// Everything a subject grain has applied from the evidence log, in the shape the risk engine takes.
/// It is the grain's snapshot (serialised as JSON) and is rebuilt row by row for "as of" queries.
/// </summary>
public abstract class SubjectDocument
{
    public Dictionary<string, AuditFinding> Findings { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, Grievance> Grievances { get; init; } = new(StringComparer.Ordinal);

    public Dictionary<string, FeeReport> FeeReports { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Each grievance's consent (<see cref="ConsentRules"/> decides what it lets each audience see).</summary>
    public Dictionary<string, GrievanceConsent> GrievanceConsents { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The subject sequence of each grievance's row: ids of events about a restricted grievance name it instead of the grievance.</summary>
    public Dictionary<string, long> GrievanceSeqs { get; init; } = new(StringComparer.Ordinal);

    /// <summary>A snapshot written before consents were kept: the grain rebuilds it from the log.</summary>
    public bool LacksConsents => Grievances.Keys.Any(id => !GrievanceConsents.ContainsKey(id) || !GrievanceSeqs.ContainsKey(id));

    /// <summary>Fills in the consent and row of grievances a snapshot from before they were kept lacks; nothing else changes.</summary>
    public void BackfillConsents(IEnumerable<EvidenceEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var entry in entries.Where(e => e.Kind == EvidenceKinds.Grievance))
        {
            try
            {
                var row = EvidenceJson.Deserialize<EvidenceContent.Grievance>(entry.ContentJson);
                GrievanceConsents.TryAdd(row.Detail.GrievanceId, new GrievanceConsent(row.Consent.ShareWithBrand, row.Consent.ShareWithNgo, row.Consent.ShareWithLawEnforcement));
                GrievanceSeqs.TryAdd(row.Detail.GrievanceId, entry.SubjectSeq);
            }
            catch (Exception exception) when (IsUnreadable(exception))
            {
                // Quarantined when applied; an unknown consent withholds.
            }
        }
    }

    /// <summary>Every grievance the document holds, with its consent (null when unknown, which withholds).</summary>
    public IReadOnlyDictionary<string, GrievanceConsent?> Consents() =>
        Grievances.Keys.ToDictionary(id => id, id => GrievanceConsents.TryGetValue(id, out var consent) ? consent : null, StringComparer.Ordinal);

    public int SignalCount { get; set; }

    /// <summary>Rows of the log this document could not read, by <c>seq:{subjectSeq}</c>: kept in the log, left out of the score.</summary>
    public Dictionary<string, QuarantinedSignal> Quarantined { get; init; } = new(StringComparer.Ordinal);

    public abstract bool HasProfile { get; }

    /// <summary>
    /// The key of the finding (audit/finding), grievance, fee report, or linked counterpart the last applied row set or
    /// changed; null when it changed none (a profile, a status change of an unknown signal, a quarantined row). The grain
    /// hands that one record on to its compact state.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? LastTouched { get; protected set; }

    // Findings and grievances whose rows (the signal or a status change) were applied since TakeChangedSignals: only
    // these can have met a deadline an overdue event was raised for, so withdrawals look at them and not the history.
    // Not part of the snapshot (not public): rows newer than a snapshot are replayed, and refill them, on activation.
    private readonly HashSet<string> _changedFindings = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changedGrievances = new(StringComparer.Ordinal);

    /// <summary>The findings and grievances touched since the last call, then forgets them.</summary>
    public (IReadOnlyList<AuditFinding> Findings, IReadOnlyList<Grievance> Grievances) TakeChangedSignals()
    {
        var changed = (
            (IReadOnlyList<AuditFinding>)[.. _changedFindings.Select(key => Findings.GetValueOrDefault(key)).OfType<AuditFinding>()],
            (IReadOnlyList<Grievance>)[.. _changedGrievances.Select(id => Grievances.GetValueOrDefault(id)).OfType<Grievance>()]);
        _changedFindings.Clear();
        _changedGrievances.Clear();
        return changed;
    }

    /// <summary>
    /// Applies one evidence-log row. A row that cannot be read (bad JSON, a missing part, an unknown kind) is quarantined
    /// rather than thrown: the log is append-only, so a throwing row would fail every activation of the subject for ever.
    /// </summary>
    public void Apply(EvidenceEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        LastTouched = null;
        try
        {
            ApplyRow(entry);
        }
        catch (Exception exception) when (IsUnreadable(exception))
        {
            var signalId = "seq:" + entry.SubjectSeq.ToString(System.Globalization.CultureInfo.InvariantCulture);
            // The exception's type only: its message may quote the row's content.
            Quarantined[signalId] = new QuarantinedSignal(signalId, $"{entry.Kind} row could not be read ({exception.GetType().Name})");
            GrainMetrics.RecordQuarantined(entry.Kind);
        }
    }

    /// <summary>The exceptions of a row that cannot be read (rather than of a fault): such a row is quarantined.</summary>
    public static bool IsUnreadable(Exception exception) =>
        exception is JsonException or NotSupportedException or InvalidOperationException or NullReferenceException or ArgumentException;

    private void ApplyRow(EvidenceEntry entry)
    {
        switch (entry.Kind)
        {
            case EvidenceKinds.Finding:
                var finding = entry.ContentAs<EvidenceContent.Finding>().Detail;
                Findings[FindingKey(finding.AuditId, finding.FindingId)] = finding;
                _changedFindings.Add(FindingKey(finding.AuditId, finding.FindingId));
                LastTouched = FindingKey(finding.AuditId, finding.FindingId);
                SignalCount++;
                break;
            case EvidenceKinds.FindingStatus:
                var findingStatus = entry.ContentAs<EvidenceContent.FindingStatusChange>();
                var key = FindingKey(findingStatus.AuditId, findingStatus.FindingId);
                if (Findings.TryGetValue(key, out var existing))
                {
                    Findings[key] = existing with { Status = findingStatus.Status, StatusOn = findingStatus.On };
                    _changedFindings.Add(key);
                    LastTouched = key;
                }

                break;
            case EvidenceKinds.Grievance:
                var grievanceRow = entry.ContentAs<EvidenceContent.Grievance>();
                var grievance = grievanceRow.Detail;
                Grievances[grievance.GrievanceId] = grievance;
                GrievanceConsents[grievance.GrievanceId] = new GrievanceConsent(grievanceRow.Consent.ShareWithBrand, grievanceRow.Consent.ShareWithNgo, grievanceRow.Consent.ShareWithLawEnforcement);
                GrievanceSeqs[grievance.GrievanceId] = entry.SubjectSeq;
                _changedGrievances.Add(grievance.GrievanceId);
                LastTouched = grievance.GrievanceId;
                SignalCount++;
                break;
            case EvidenceKinds.GrievanceStatus:
                var grievanceStatus = entry.ContentAs<EvidenceContent.GrievanceStatusChange>();
                if (Grievances.TryGetValue(grievanceStatus.GrievanceId, out var current))
                {
                    Grievances[grievanceStatus.GrievanceId] = ApplyGrievanceStatus(current, grievanceStatus);
                    _changedGrievances.Add(grievanceStatus.GrievanceId);
                    LastTouched = grievanceStatus.GrievanceId;
                }

                break;
            case EvidenceKinds.FeeReport:
                var report = entry.ContentAs<EvidenceContent.FeeReport>().Detail;
                FeeReports[report.ReportId] = report;
                LastTouched = report.ReportId;
                SignalCount++;
                break;
            default:
                ApplySubjectSpecific(entry);
                break;
        }
    }

    protected abstract void ApplySubjectSpecific(EvidenceEntry entry);

    /// <summary>
    /// Whether a row counts for a "dated by" view on <paramref name="day"/>: status changes and fee reports by the dates
    /// they carry. Findings and grievances are applied and then trimmed by <see cref="KeepDatedBy"/> (their own status
    /// dates are part of them); profiles and links carry no date and always count.
    /// </summary>
    public static bool IsDatedBy(EvidenceEntry entry, DateOnly day)
    {
        try
        {
            return IsDatedByRow(entry, day);
        }
        catch (Exception exception) when (IsUnreadable(exception))
        {
            return true; // Applied, and so quarantined by Apply.
        }
    }

    private static bool IsDatedByRow(EvidenceEntry entry, DateOnly day) => entry.Kind switch
    {
        EvidenceKinds.FindingStatus => DatedEvidence.StatusChangeHappened(entry.ContentAs<EvidenceContent.FindingStatusChange>().On, day),
        EvidenceKinds.GrievanceStatus => DatedEvidence.StatusChangeHappened(entry.ContentAs<EvidenceContent.GrievanceStatusChange>().On, day),
        EvidenceKinds.FeeReport => DatedEvidence.FeeReportExists(entry.ContentAs<EvidenceContent.FeeReport>().Detail, day),
        _ => true,
    };

    /// <summary>Drops findings and grievances dated after <paramref name="at"/> and undoes their status changes dated after it.</summary>
    public void KeepDatedBy(DateTimeOffset at)
    {
        var day = DatedEvidence.DayOf(at);
        foreach (var (key, finding) in Findings.ToList())
        {
            if (DatedEvidence.Finding(finding, day) is { } dated)
            {
                Findings[key] = dated;
            }
            else
            {
                Findings.Remove(key);
                SignalCount--;
            }
        }

        foreach (var (key, grievance) in Grievances.ToList())
        {
            if (DatedEvidence.Grievance(grievance, at) is { } dated)
            {
                Grievances[key] = dated;
            }
            else
            {
                Grievances.Remove(key);
                SignalCount--;
            }
        }
    }

    public static string FindingKey(string auditId, string findingId) => auditId + "/" + findingId;

    private static Grievance ApplyGrievanceStatus(Grievance grievance, EvidenceContent.GrievanceStatusChange change) => change.Status switch
    {
        GrievanceStatus.Acknowledged => grievance with
        {
            Status = GrievanceStatus.Acknowledged,
            AcknowledgedOn = grievance.AcknowledgedOn ?? change.On,
        },
        GrievanceStatus.Investigating => grievance with
        {
            Status = GrievanceStatus.Investigating,
            // Investigating implies the grievance was seen: it stops the acknowledgement clock too.
            AcknowledgedOn = grievance.AcknowledgedOn ?? change.On,
        },
        GrievanceStatus.Resolved or GrievanceStatus.Closed => grievance with
        {
            Status = change.Status,
            AcknowledgedOn = grievance.AcknowledgedOn ?? change.On,
            ClosedOn = change.On,
            Outcome = change.Outcome ?? grievance.Outcome,
            Verified = change.Verified ?? grievance.Verified,
        },
        _ => grievance with { Status = change.Status },
    };
}

public sealed class SupplierDocument : SubjectDocument
{
    public SupplierProfile? Profile { get; set; }

    /// <summary>Recruiters placing workers here: share of the workforce and the recruiter's latest score.</summary>
    public Dictionary<string, SupplierRecruiterLink> Recruiters { get; init; } = new(StringComparer.Ordinal);

    public override bool HasProfile => Profile is not null;

    protected override void ApplySubjectSpecific(EvidenceEntry entry)
    {
        switch (entry.Kind)
        {
            case EvidenceKinds.Profile:
                Profile = EvidenceJson.Deserialize<SupplierProfile>(entry.ContentJson);
                break;
            case EvidenceKinds.Link:
                var link = entry.ContentAs<EvidenceContent.Link>();
                var score = Recruiters.TryGetValue(link.RecruiterId, out var known) ? known.RecruiterScore : 0;
                Recruiters[link.RecruiterId] = new SupplierRecruiterLink(link.WorkforceShare, score);
                LastTouched = link.RecruiterId;
                break;
            default:
                throw new InvalidOperationException($"A supplier cannot apply evidence of kind '{entry.Kind}'.");
        }
    }

    public SupplierEvidence ToEvidence() => new(
        Profile,
        [.. Findings.Values],
        [.. Grievances.Values],
        [.. FeeReports.Values],
        [.. Recruiters.Select(r => new RecruiterLink(r.Key, r.Value.WorkforceShare, r.Value.RecruiterScore))]);
}

public sealed record SupplierRecruiterLink(double WorkforceShare, double RecruiterScore);

public sealed class RecruiterDocument : SubjectDocument
{
    public RecruiterProfile? Profile { get; set; }

    /// <summary>Suppliers the recruiter places workers with: share placed there and the supplier's sector.</summary>
    public Dictionary<string, RecruiterSupplierLink> Suppliers { get; init; } = new(StringComparer.Ordinal);

    public override bool HasProfile => Profile is not null;

    protected override void ApplySubjectSpecific(EvidenceEntry entry)
    {
        switch (entry.Kind)
        {
            case EvidenceKinds.Profile:
                Profile = EvidenceJson.Deserialize<RecruiterProfile>(entry.ContentJson);
                break;
            case EvidenceKinds.Link:
                var link = entry.ContentAs<EvidenceContent.Link>();
                Suppliers[link.SupplierId] = new RecruiterSupplierLink(link.WorkforceShare, link.SupplierSector);
                LastTouched = link.SupplierId;
                break;
            default:
                throw new InvalidOperationException($"A recruiter cannot apply evidence of kind '{entry.Kind}'.");
        }
    }

    public RecruiterEvidence ToEvidence() => new(
        Profile,
        [.. Findings.Values],
        [.. Grievances.Values],
        [.. FeeReports.Values],
        [.. Suppliers.Values.Select(s => s.SupplierSector)]);
}

public sealed record RecruiterSupplierLink(double WorkforceShare, Sector? SupplierSector);
