using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Contracts;

/// <summary>One evidence-log row as the submitter sees it: proof of what was recorded, and where in the chain.</summary>
/// <param name="SubjectId">The supplier or recruiter id.</param>
/// <param name="SubjectType"><c>supplier</c> or <c>recruiter</c>.</param>
/// <param name="IdempotencyKey">The key the row is stored under.</param>
/// <param name="SubjectSeq">Position in the subject's hash chain.</param>
/// <param name="RowHash">SHA-256 of the row, chained to the previous row of the subject.</param>
public sealed record EvidenceReceipt(string SubjectId, string SubjectType, string IdempotencyKey, long SubjectSeq, string RowHash);

/// <summary>What was recorded: one evidence row per finding and subject.</summary>
/// <param name="Id">The submitted id.</param>
/// <param name="Evidence">Evidence-log rows, identical when the submission is repeated.</param>
/// <param name="CreatedSubjects">
/// Subjects (sup:{supplierId} or rec:{recruiterId}) that this submission created because nothing, not even a profile, was
/// recorded about them before; empty when none (a repeat answers as the first submission did). Findings may arrive
/// before master data, so an unknown id is accepted: this is where a mistyped id shows.
/// </param>
public sealed record SubmissionReceipt(string Id, IReadOnlyList<EvidenceReceipt> Evidence, IReadOnlyList<string> CreatedSubjects);

/// <summary>What the intake answered to a status change.</summary>
public abstract record StatusChangeAnswer
{
    /// <summary>Recorded (or, for the same change again, recorded before): the rows as stored.</summary>
    public sealed record Recorded(SubmissionReceipt Receipt) : StatusChangeAnswer;

    /// <summary>No finding or grievance of that id is recorded.</summary>
    public sealed record NotFound(string Detail) : StatusChangeAnswer;

    /// <summary>The change is dated before what it changes began (the audit's end, the grievance's receipt): a fault of its <c>on</c>.</summary>
    public sealed record TooEarly(string Error) : StatusChangeAnswer;

    /// <summary>The lifecycle does not admit the change now (<see cref="StatusTransitions"/>); the detail names the current status and its date.</summary>
    public sealed record NotAllowed(string Detail) : StatusChangeAnswer;

    /// <summary>The same change (status and date) is already recorded with other details.</summary>
    public sealed record Conflicting(string Detail) : StatusChangeAnswer;
}

/// <summary>
/// The writes the API hands to the silo side: it validates a request once into these records and calls one method,
/// and the intake reads what it needs, applies the Domain rules and appends. Implemented in the silo's process
/// (<c>SupplyChainWatch.Grains.Intake.SignalIntake</c>).
/// </summary>
public interface ISignalIntake
{
    /// <summary>Records a finding's status change if <see cref="StatusTransitions.Finding"/> admits it.</summary>
    Task<StatusChangeAnswer> ChangeFindingStatusAsync(EvidenceContent.FindingStatusChange change, CancellationToken cancellationToken);

    /// <summary>Records a grievance's status change if <see cref="StatusTransitions.Grievance"/> admits it.</summary>
    Task<StatusChangeAnswer> ChangeGrievanceStatusAsync(EvidenceContent.GrievanceStatusChange change, CancellationToken cancellationToken);
}
