namespace RunF.RootfsTools.Tests.Support;

/// <summary>
/// The images built by rootfs-tools/make-test-images.sh (umoci + skopeo), made once per test
/// run and shared by all tests.
/// </summary>
public sealed class TestImages : IDisposable
{
    private readonly Scratch _scratch = new();

    public TestImages()
    {
        Dir = _scratch["images"];
        Scratch.Run(System.IO.Path.Combine(RepoRoot, "rootfs-tools", "make-test-images.sh"), Dir);
        // Only the directories and the layouts (umoci writes index.json 0600, and the rootless
        // tests read the layouts): a recursive chmod would change the oracle trees under test.
        Scratch.Run("chmod", "a+rx", _scratch.Path, Dir);
        Scratch.Run("chmod", "-R", "a+rX", this["oci"], this["oci-zstd"]);
    }

    public string Dir { get; }

    public string this[string name] => System.IO.Path.Combine(Dir, name);

    public string Oracle(string tag) => System.IO.Path.Combine(Dir, "oracle", tag);

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "RunF.sln")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (RunF.sln) above the test binaries");
        }
    }

    public void Dispose() => _scratch.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ImagesCollection : ICollectionFixture<TestImages>
{
    public const string Name = "images";
}
