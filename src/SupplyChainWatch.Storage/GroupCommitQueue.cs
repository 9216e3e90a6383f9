using System.Threading.Channels;

namespace SupplyChainWatch.Storage;

/// <summary>
/// Group commit: callers enqueue requests; one loop per queue takes everything pending (up to a cap) and hands it to
/// <c>processBatch</c>, which writes the batch in one transaction and completes each request only after the commit.
/// If a batch fails, its requests are retried one by one so a single bad request cannot fail its neighbours.
/// </summary>
internal sealed class GroupCommitQueue<T> : IAsyncDisposable
{
    // The store a request type belongs to (each store nests its request record): the batch-size metric's tag.
    private static readonly string StoreName = typeof(T).DeclaringType?.Name ?? typeof(T).Name;

    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<T>, Task> _processBatch;
    private readonly Action<T, Exception> _fail;
    private readonly int _maxBatch;
    private readonly TimeSpan _linger;
    private readonly Task _loop;

    /// <param name="processBatch">Writes one batch in one transaction.</param>
    /// <param name="fail">Hands a request its failure.</param>
    /// <param name="maxBatch">Most requests in one batch.</param>
    /// <param name="linger">
    /// How long to let requests gather once one is pending: zero for writes a caller is waiting on to answer a request;
    /// more for background writes whose every transaction takes a turn at the store that ingestion needs.
    /// </param>
    public GroupCommitQueue(Func<IReadOnlyList<T>, Task> processBatch, Action<T, Exception> fail, int maxBatch, TimeSpan linger = default)
    {
        _processBatch = processBatch;
        _fail = fail;
        _maxBatch = maxBatch;
        _linger = linger;
        _loop = Task.Run(RunAsync);
    }

    public void Enqueue(T item)
    {
        if (!_channel.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(GroupCommitQueue<T>), "The store is shutting down.");
        }
    }

    private async Task RunAsync()
    {
        var batch = new List<T>(_maxBatch);
        while (await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (_linger > TimeSpan.Zero)
            {
                await Task.Delay(_linger).ConfigureAwait(false);
            }

            batch.Clear();
            while (batch.Count < _maxBatch && _channel.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            StorageMetrics.RecordBatch(StoreName, batch.Count);
            try
            {
                await _processBatch(batch).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The loop must survive any failure; the failure is handed to the callers.
            catch (Exception batchFailure)
            {
                if (batch.Count == 1)
                {
                    _fail(batch[0], batchFailure);
                    continue;
                }

                foreach (var item in batch)
                {
                    try
                    {
                        await _processBatch([item]).ConfigureAwait(false);
                    }
                    catch (Exception itemFailure)
                    {
                        _fail(item, itemFailure);
                    }
                }
            }
#pragma warning restore CA1031
        }
    }

    /// <summary>Stops accepting requests and waits until everything already queued is written.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }
}
