using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SupplyChainWatch.Grains.Live;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Grains.Subjects;

/// <summary>
/// The silo's writer of derived views. A subject grain hands it what a turn derived (escalations, withdrawals, the
/// read-model row, the new high-water mark) and answers without waiting; the store coalesces the writes of all grains into
/// batched transactions. A write that fails is retried a few times; one that still fails leaves the subject's mark behind
/// its log, so its next activation (or the next sweep, see <see cref="DerivedSweep"/>) derives it again. Deterministic
/// event ids make every such re-write harmless. The turn's live events are stored in the same transaction and published
/// on the cluster's live streams once it commits, so an SSE client never sees an event that a reconnect could not replay.
/// </summary>
public sealed class DerivedWriter(IDerivedStore store, IServiceProvider services, ILogger<DerivedWriter> logger)
{
    private const int Attempts = 5;

    private readonly Lock _lock = new();
    private long _pending;
    private TaskCompletionSource? _caughtUp;

    /// <summary>Writes not yet durable.</summary>
    public long Pending => Interlocked.Read(ref _pending);

    /// <summary>
    /// Queues one turn's consequences and live events; the task completes once they are durable (the live events are then
    /// published), and fails when they were given up.
    /// </summary>
    public Task WriteAsync(DerivedWrite write, IReadOnlyList<LiveEvent> liveEvents)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(liveEvents);
        Interlocked.Increment(ref _pending);
        if (liveEvents.Count > 0)
        {
            write = write with { LiveEvents = [.. liveEvents.Select(e => e.ToRecord())] };
        }

        return WriteWithRetriesAsync(write, liveEvents, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Completes when every write queued before the call (and any queued meanwhile) is durable: the barrier a caller uses
    /// to read derived views that follow signals it has had acknowledged.
    /// </summary>
    public Task CaughtUpAsync()
    {
        lock (_lock)
        {
            if (Interlocked.Read(ref _pending) == 0)
            {
                return Task.CompletedTask;
            }

            _caughtUp ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _caughtUp.Task;
        }
    }

    /// <summary>Hands stored live events to the silo's publisher (never waits, never fails the write).</summary>
    private void Publish(IReadOnlyList<LiveEvent> liveEvents, IReadOnlyList<long> seqs)
    {
        if (liveEvents.Count == 0 || seqs.Count != liveEvents.Count)
        {
            return;
        }

        if (services.GetService<LiveEventPublisher>() is { } publisher)
        {
            publisher.Publish([.. liveEvents.Select((e, i) => e with { Seq = seqs[i] })]);
        }
    }

    private async Task WriteWithRetriesAsync(DerivedWrite write, IReadOnlyList<LiveEvent> liveEvents, long acknowledgedAt)
    {
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var seqs = await store.WriteAsync(write).ConfigureAwait(false);
                    GrainMetrics.RecordDerivedLag(acknowledgedAt);
                    Publish(liveEvents, seqs);
                    return;
                }
#pragma warning disable CA1031 // Any failure: retried, then left to re-derivation from the mark (never lost: the log has it).
                catch (Exception exception) when (attempt < Attempts)
                {
                    logger.LogWarning(exception, "Derived write for {Subject} up to {Seq} failed (attempt {Attempt}); retrying", write.SubjectId, write.DerivedSeq, attempt);
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt * attempt)).ConfigureAwait(false);
                }
#pragma warning restore CA1031
                catch (Exception exception)
                {
                    logger.LogError(exception, "Derived write for {Subject} up to {Seq} failed; its mark stays behind and the subject is derived again on activation or sweep",
                        write.SubjectId, write.DerivedSeq);
                    throw; // The grain learns of it before its next snapshot and deactivates (see SubjectGrain.WriteSnapshotAsync).
                }
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                TaskCompletionSource? done;
                lock (_lock)
                {
                    done = Interlocked.Read(ref _pending) == 0 ? _caughtUp : null;
                    if (done is not null)
                    {
                        _caughtUp = null;
                    }
                }

                done?.TrySetResult();
            }
        }
    }
}
