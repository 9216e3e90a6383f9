using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SupplyChainWatch.Domain;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>Settings of the subject grains.</summary>
public sealed class SubjectGrainOptions
{
    public const string Section = "Subjects";

    /// <summary>How often a subject re-evaluates itself for decay and deadlines (Orleans reminders: one minute at least).</summary>
    public TimeSpan TimeCheckPeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A risk read re-evaluates in memory when the last evaluation is older than this (decay moves slowly).</summary>
    public TimeSpan ReevaluateReadsAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A snapshot is written once this many evidence rows were applied since the last one, or half as many as the last
    /// snapshot held if that is more. Snapshots only save replay time (the evidence log is durable first), and each one
    /// serialises the subject's whole document: a fixed interval would make a signal's share of that cost grow with the
    /// subject's history, a proportional one keeps it constant (and the replay on activation at most a third of it).
    /// </summary>
    public int SnapshotEveryRows { get; set; } = 64;

    /// <summary>
    /// ...or this long after the first row not yet in a snapshot, and always on deactivation. Long, because a subject that
    /// hears of a signal every few seconds would otherwise write its whole document every few signals: at 5 s the
    /// benchmark's ingest spent a third of the embedded store's writes on snapshots.
    /// </summary>
    public TimeSpan SnapshotAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Risk answers (full explanations, with their serialised bytes beside them) a silo keeps for repeated reads; the
    /// least recently used beyond this many are dropped and built again when next asked for.
    /// </summary>
    public int CachedAnswers { get; set; } = 1024;

    /// <summary>How often a silo looks for subjects whose log is ahead of their derived views (see <see cref="DerivedSweep"/>).</summary>
    public TimeSpan SweepEvery { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>What every subject grain needs, injected once so grain constructors stay short.</summary>
public sealed class SubjectServices(
    RiskEngine engine,
    IEvidenceLog evidenceLog,
    IReadModelStore readModel,
    IEscalationStore escalations,
    ServiceClock clock,
    IOptions<SubjectGrainOptions> options,
    ILoggerFactory loggerFactory,
    QuarantineRegistry quarantine,
    SubjectFailures failures,
    RiskAnswerCache answers,
    DerivedWriter derived,
    IDerivedStore derivedStore)
{
    public SubjectFailures Failures { get; } = failures;

    public DerivedWriter Derived { get; } = derived;

    public IDerivedStore DerivedStore { get; } = derivedStore;

    public RiskAnswerCache Answers { get; } = answers;

    public QuarantineRegistry Quarantine { get; } = quarantine;

    public RiskEngine Engine { get; } = engine;

    public IEvidenceLog EvidenceLog { get; } = evidenceLog;

    public IReadModelStore ReadModel { get; } = readModel;

    public IEscalationStore Escalations { get; } = escalations;

    public ServiceClock Clock { get; } = clock;

    public SubjectGrainOptions Options { get; } = options.Value;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
}
