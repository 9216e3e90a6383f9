using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains.Intake;

namespace SupplyChainWatch.Api.Features.Shared;

public static class SubmissionResults
{
    /// <summary>The answer of the single endpoints: 201 with the receipt (a repeat gets the same receipt), or 409.</summary>
    public static CommandResult<SubmissionReceipt> ToCommandResult(this Submission submission, PreparedSignal signal) => submission switch
    {
        Submission.Accepted accepted => new CommandResult<SubmissionReceipt>.Ok(new SubmissionReceipt(signal.Id, accepted.Evidence, accepted.CreatedSubjects), Created: true),
        Submission.Conflicting conflicting => new CommandResult<SubmissionReceipt>.Conflict(signal.DescribeConflict(conflicting.Keys)),
        _ => throw new InvalidOperationException("Unknown submission outcome."),
    };

    /// <summary>The answer of the status-change endpoints: 200 with the receipt, 404, 400 naming <c>on</c>, or 409 (a move the lifecycle refuses, or the same key with other content).</summary>
    public static CommandResult<SubmissionReceipt> ToCommandResult(this StatusChangeAnswer answer) => answer switch
    {
        StatusChangeAnswer.Recorded recorded => new CommandResult<SubmissionReceipt>.Ok(recorded.Receipt, Created: false),
        StatusChangeAnswer.NotFound notFound => new CommandResult<SubmissionReceipt>.NotFound(notFound.Detail),
        StatusChangeAnswer.TooEarly tooEarly => new CommandResult<SubmissionReceipt>.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["on"] = [tooEarly.Error] }),
        StatusChangeAnswer.NotAllowed notAllowed => new CommandResult<SubmissionReceipt>.StateConflict(notAllowed.Detail),
        StatusChangeAnswer.Conflicting conflicting => new CommandResult<SubmissionReceipt>.Conflict(conflicting.Detail),
        _ => throw new InvalidOperationException("Unknown status change answer."),
    };
}
