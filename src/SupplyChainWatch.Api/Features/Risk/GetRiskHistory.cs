using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Grains;

namespace SupplyChainWatch.Api.Features.Risk;

/// <summary>
/// A subject's score over time, from the evidence log: a point per row recorded in [from, to] (both optional, to
/// defaults to now), each saying which signal or time effect moved it and by how many points. Paged by an opaque cursor
/// at <see cref="RiskHistoryLimits.MaxPoints"/> points.
/// </summary>
public sealed record GetRiskHistory(SubjectType SubjectType, string SubjectId, string? From, string? To, string? Cursor) : IRequest<CommandResult<RiskHistoryPage>>;

/// <summary>One page of history; follow <see cref="NextCursor"/> (with the same from and to) while it is set.</summary>
public sealed record RiskHistoryPage(string SubjectId, IReadOnlyList<RiskHistoryPoint> Points, string? NextCursor);

public sealed class GetRiskHistoryHandler(IGrainFactory grains, ServiceClock clock) : IRequestHandler<GetRiskHistory, CommandResult<RiskHistoryPage>>
{
    public async ValueTask<CommandResult<RiskHistoryPage>> Handle(GetRiskHistory request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        validation.Id(request.SubjectType == SubjectType.Supplier ? "supplierId" : "recruiterId", request.SubjectId);
        var from = validation.OptionalInstant("from", request.From);
        var to = validation.OptionalInstant("to", request.To);
        if (from is { } start && to is { } end && start > end)
        {
            validation.Add("from", "must not be after to");
        }

        var afterSeq = 0L;
        if (request.Cursor is { } cursor && !TryDecodeCursor(cursor, out afterSeq))
        {
            validation.Add("cursor", "is not a cursor this endpoint issued");
        }

        if (!validation.IsValid)
        {
            return CommandResult<RiskHistoryPage>.From(validation);
        }

        ISubjectGrain grain = request.SubjectType == SubjectType.Supplier
            ? grains.GetGrain<ISupplierGrain>(SubjectKeys.Supplier(request.SubjectId))
            : grains.GetGrain<IRecruiterGrain>(SubjectKeys.Recruiter(request.SubjectId));
        var history = await grain.GetRiskHistoryAsync(from ?? DateTimeOffset.MinValue, to ?? clock.Now, afterSeq);
        return history is { } found
            ? new CommandResult<RiskHistoryPage>.Ok(new RiskHistoryPage(found.SubjectId, found.Points, found.NextAfterSeq is { } next ? EncodeCursor(next) : null), Created: false)
            : new CommandResult<RiskHistoryPage>.NotFound($"No {Validation.KebabCase(request.SubjectType)} '{request.SubjectId}' is known.");
    }

    private static string EncodeCursor(long afterSeq) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("h:" + afterSeq.ToString(CultureInfo.InvariantCulture)));

    private static bool TryDecodeCursor(string cursor, out long afterSeq)
    {
        afterSeq = 0;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            return text.StartsWith("h:", StringComparison.Ordinal)
                && long.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out afterSeq);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
