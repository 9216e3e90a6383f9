using SupplyChainWatch.Domain;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>
/// A subject grain's persisted state: a snapshot of its applied evidence with the high-water mark of the
/// evidence log (<see cref="AppliedSeq"/>). Rows newer than the mark are replayed on activation.
/// </summary>
[GenerateSerializer]
public sealed class SubjectSnapshot
{
    /// <summary>Subject sequence number of the last evidence-log row applied.</summary>
    [Id(0)]
    public long AppliedSeq { get; set; }

    /// <summary>The applied evidence as JSON (<see cref="SubjectDocument"/>).</summary>
    [Id(1)]
    public string? DocumentJson { get; set; }

    /// <summary>Snapshots written before <see cref="Basis"/> kept the whole evaluation; read once on activation, never written.</summary>
    [Id(2)]
    public RiskEvaluation? LastEvaluation { get; set; }

    /// <summary>What escalations were last derived from (score, band, indicated cases, hits), so a restart neither repeats nor misses a change.</summary>
    [Id(5)]
    public RiskBasis? Basis { get; set; }

    [Id(3)]
    public bool TimeChecksRegistered { get; set; }

    /// <summary>Counts re-evaluations caused by pushed changes that are not log rows (see escalation ids).</summary>
    [Id(4)]
    public long Revision { get; set; }
}
