namespace SupplyChainWatch.Api.Tests.Infrastructure;

public static class TestPaths
{
    /// <summary>The repository root (the folder holding SupplyChainWatch.sln).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ConfigDirectory => Path.Combine(RepositoryRoot, "config");

    public static string NewTempDirectory()
    {
        var path = Path.Combine(Path.GetTempPath(), "scw-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SupplyChainWatch.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SupplyChainWatch.sln not found above the test binaries.");
    }
}
