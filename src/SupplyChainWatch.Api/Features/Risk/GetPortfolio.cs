using Mediator;
using SupplyChainWatch.Api.Features.Shared;
using SupplyChainWatch.Contracts;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Grains;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Features.Risk;

/// <summary>
/// The portfolio at a glance, for the roles that read risk: subjects by band, suppliers by country and sector, and the
/// subjects whose score moved most over <see cref="MoversWindow"/> (from their score histories).
/// </summary>
public sealed record GetPortfolio : IRequest<PortfolioView>
{
    public static readonly TimeSpan MoversWindow = TimeSpan.FromDays(30);
}

/// <param name="SupplierBands">Suppliers per band, low to critical.</param>
/// <param name="RecruiterBands">Recruiters per band, low to critical.</param>
/// <param name="Cells">Suppliers per country and sector, with how many of them are high or critical.</param>
/// <param name="Movers">Largest score changes over the window, largest first.</param>
public sealed record PortfolioView(IReadOnlyList<BandCount> SupplierBands, IReadOnlyList<BandCount> RecruiterBands, IReadOnlyList<PortfolioCell> Cells, IReadOnlyList<Mover> Movers);

public sealed record BandCount(RiskBand Band, int Count);

public sealed record PortfolioCell(string Country, string Sector, int Suppliers, int HighOrCritical);

/// <param name="SubjectId">Subject key (<c>sup:…</c> or <c>rec:…</c>).</param>
/// <param name="Name">Profile name, if any.</param>
/// <param name="From">Score at the start of the window.</param>
/// <param name="To">Score now.</param>
/// <param name="Band">Band now.</param>
public sealed record Mover(string SubjectId, string? Name, int From, int To, RiskBand Band)
{
    public int Change => To - From;
}

public sealed class GetPortfolioHandler(SqlReadModelStore readModel, IGrainFactory grains, ServiceClock clock) : IRequestHandler<GetPortfolio, PortfolioView>
{
    /// <summary>Recently changed subjects of each type whose histories are read for the movers.</summary>
    public const int MoverCandidates = 25;

    public const int MoverCount = 10;

    public async ValueTask<PortfolioView> Handle(GetPortfolio request, CancellationToken cancellationToken)
    {
        var supplierType = Validation.KebabCase(SubjectType.Supplier);
        var recruiterType = Validation.KebabCase(SubjectType.Recruiter);
        var suppliers = await readModel.CountAsync(supplierType, cancellationToken);
        var recruiters = await readModel.CountAsync(recruiterType, cancellationToken);
        var cells = suppliers
            .GroupBy(c => (Country: c.Country ?? "unknown", Sector: c.Sector ?? "unknown"))
            .Select(g => new PortfolioCell(g.Key.Country, g.Key.Sector, g.Sum(c => c.Count), g.Where(c => IsHighOrCritical(c.Band)).Sum(c => c.Count)))
            .OrderBy(c => c.Country, StringComparer.Ordinal).ThenBy(c => c.Sector, StringComparer.Ordinal)
            .ToList();

        var now = clock.Now;
        var since = now - GetPortfolio.MoversWindow;
        // The read model holds bare ids; the grains and the pages use typed keys.
        var candidates = (await readModel.ChangedSinceAsync(supplierType, since, MoverCandidates, cancellationToken)).Select(c => (Key: SubjectKeys.Supplier(c.SubjectId), Row: c))
            .Concat((await readModel.ChangedSinceAsync(recruiterType, since, MoverCandidates, cancellationToken)).Select(c => (Key: SubjectKeys.Recruiter(c.SubjectId), Row: c)));
        var movers = new List<Mover>();
        foreach (var (key, row) in candidates)
        {
            // The first point of the window says what the score was before it: its score less its own change.
            var history = await grains.GetSubjectGrain(key).GetRiskHistoryAsync(since, now, 0);
            if (history is { Points: [var first, ..] } && first.Score - first.Delta != row.Score)
            {
                movers.Add(new Mover(key, row.Name, first.Score - first.Delta, row.Score, BandOf(row.Band)));
            }
        }

        return new PortfolioView(Bands(suppliers), Bands(recruiters), cells,
            [.. movers.OrderByDescending(m => Math.Abs(m.Change)).ThenBy(m => m.SubjectId, StringComparer.Ordinal).Take(MoverCount)]);
    }

    private static List<BandCount> Bands(IReadOnlyList<SubjectCount> counts) =>
        [.. Enum.GetValues<RiskBand>().Select(band => new BandCount(band, counts.Where(c => BandOf(c.Band) == band).Sum(c => c.Count)))];

    private static bool IsHighOrCritical(string band) => BandOf(band) >= RiskBand.High;

    private static RiskBand BandOf(string band) => Enum.GetValues<RiskBand>().First(b => Validation.KebabCase(b) == band);
}
