namespace SupplyChainWatch.Grains.Storage;

public static class StorageNames
{
    /// <summary>The Orleans grain-storage provider every grain uses (ADO.NET over SQLite or PostgreSQL).</summary>
    public const string GrainState = "scw";
}
