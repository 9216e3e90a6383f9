using System.Globalization;
using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Api.Dashboard;

/// <summary>
/// The explanation as a list of terms whose points add up to the score: inherent risk, every evidence term, recruiter
/// propagation, overdue corrective actions, then the zero-tolerance floor's lift (or the rounding) to the whole score.
/// </summary>
public static class ExplanationTerms
{
    /// <summary>Terms the chart shows one by one; smaller ones are one bar.</summary>
    public const int ChartTerms = 12;

    public sealed record Term(string Short, string Name, string Detail, decimal Points);

    public static List<Term> Of(RiskEvaluation risk)
    {
        ArgumentNullException.ThrowIfNull(risk);
        var e = risk.Explanation;
        var terms = new List<Term>
        {
            new("inherent", "Inherent risk", string.Create(CultureInfo.InvariantCulture,
                $"country {e.Inherent.CountryRisk} + sector {e.Inherent.SectorRisk} + goods {e.Inherent.GoodsRisk}, weight {e.Inherent.Weight}"), e.Inherent.Points),
        };
        var n = 0;
        foreach (var term in e.Evidence.Terms)
        {
            n++;
            terms.Add(new Term("E" + n.ToString(CultureInfo.InvariantCulture), $"Evidence: {term.Code}", string.Create(CultureInfo.InvariantCulture,
                $"{term.SignalId} · {term.Kind}, {Display.Name(term.EvidenceStatus)}, {term.WorkersAffected} workers, decay {term.Decay:0.00}"), term.Points));
        }

        foreach (var term in e.Propagation.Terms)
        {
            terms.Add(new Term("recruiter", $"Recruiter {term.RecruiterId}", string.Create(CultureInfo.InvariantCulture,
                $"score {term.RecruiterScore:0} × share {term.WorkforceShare:0.00} × {e.Propagation.Factor}{(e.Propagation.Capped ? " (capped)" : "")}"), term.Points));
        }

        if (e.Propagation.Terms.Count == 0 && e.Propagation.Points != 0)
        {
            terms.Add(new Term("recruiters", "Recruiter propagation", "", e.Propagation.Points));
        }

        if (e.Management.Points != 0 || e.Management.OverdueCorrectiveActions.Count > 0)
        {
            terms.Add(new Term("actions", "Overdue corrective actions", string.Join(", ", e.Management.OverdueCorrectiveActions), e.Management.Points));
        }

        // What the listed points leave to the score: the floor's lift (when it raised the score), or the rounding of the total
        // to a whole score.
        var rest = risk.Score - terms.Sum(t => t.Points);
        if (e.Floor.Applied && risk.Score > e.ScoreBeforeFloor)
        {
            terms.Add(new Term("floor", "Zero-tolerance floor", e.Floor.Reason ?? string.Join(", ", e.Floor.Triggers.Select(Display.Name)), rest));
        }
        else if (rest != 0)
        {
            terms.Add(new Term("rounding", "Rounding", "to the whole score", rest));
        }

        return terms;
    }

    public static List<Term> ForChart(List<Term> terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Count <= ChartTerms)
        {
            return terms;
        }

        var shown = terms.OrderByDescending(t => Math.Abs(t.Points)).Take(ChartTerms - 1).ToHashSet();
        var rest = terms.Where(t => !shown.Contains(t)).ToList();
        return [.. terms.Where(shown.Contains), new Term($"+{rest.Count}", $"{rest.Count} smaller terms", "", rest.Sum(t => t.Points))];
    }
}
