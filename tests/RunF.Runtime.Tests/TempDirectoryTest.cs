namespace RunF.Runtime.Tests;

/// <summary>A base for tests that need files: each test gets a fresh directory (Dir), removed after it.</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected string Dir { get; } = Directory.CreateTempSubdirectory("runf-test-").FullName;

    public void Dispose()
    {
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
