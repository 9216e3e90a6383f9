using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Tests.Infrastructure;

public static class EvidenceLogVerification
{
    /// <summary>Opens the embedded store directly (the service is stopped) and verifies every subject's hash chain.</summary>
    public static Task AssertChainsVerifyAsync(string databasePath) =>
        AssertChainsVerifyAsync(new StorageOptions { Provider = StorageOptions.SqliteProvider, ConnectionString = $"Data Source={databasePath}" });

    /// <summary>Opens the store directly and verifies every subject's hash chain.</summary>
    public static async Task AssertChainsVerifyAsync(StorageOptions storage)
    {
        await using var database = new StorageDatabase(storage);
        await using var log = new SqlEvidenceLog(database);
        var subjects = await log.ListSubjectsAsync();
        Assert.NotEmpty(subjects);
        foreach (var subject in subjects)
        {
            var verification = await log.VerifyChainAsync(subject);
            Assert.True(verification.Valid, $"hash chain of {subject} breaks at {verification.FirstBrokenSubjectSeq}");
            Assert.True(verification.RowsChecked > 0);
        }
    }
}
