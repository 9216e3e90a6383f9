using Orleans.Storage;

namespace SupplyChainWatch.Storage;

/// <summary>
/// SQLite mode only: wraps Orleans' ADO.NET grain storage and sends every write and clear through the database's FIFO write
/// gate. SQLite admits one writer at a time and Microsoft.Data.Sqlite's busy retry is unfair, so 32 concurrent grain writes
/// would otherwise starve some of them for seconds (up to the 30 s command timeout). Queued in order, each write waits only
/// for the writes ahead of it. Reads are not gated: in WAL mode readers do not block the writer.
/// </summary>
public sealed class SerializedGrainStorage(IGrainStorage inner, SemaphoreSlim writeGate) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await inner.WriteStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
        }
        finally
        {
            writeGate.Release();
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await inner.ClearStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
        }
        finally
        {
            writeGate.Release();
        }
    }

    /// <summary>The ADO.NET provider loads its query texts in its lifecycle stage; keep that working through the wrapper.</summary>
    public void Participate(ISiloLifecycle observer)
    {
        if (inner is ILifecycleParticipant<ISiloLifecycle> participant)
        {
            participant.Participate(observer);
        }
    }
}
