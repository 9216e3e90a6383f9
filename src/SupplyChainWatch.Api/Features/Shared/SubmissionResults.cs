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
}
