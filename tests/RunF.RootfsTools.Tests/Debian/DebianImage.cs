using System.Formats.Tar;
using RunF.IntegrationTests.Infrastructure;
using RunF.RootfsTools.Tests.Support;

namespace RunF.RootfsTools.Tests.Debian;

/// <summary>
/// The Debian image of rootfs-tools/make-debian-image.sh, built once per machine and cached
/// (a cold build takes minutes), and what the tests derive from it once: umoci's tree and owners,
/// the device nodes the image holds, and runf's own extraction of the gzip OCI archive, which is
/// the reference for the zstd forms (umoci 0.4.7 cannot read zstd) and the rootfs the Python
/// function runs in.
/// </summary>
public sealed class DebianImage
{
    private static readonly string Script = Path.Combine(TestImages.RepoRoot, "rootfs-tools", "make-debian-image.sh");
    private static readonly Lazy<string?> Unavailability = new(() => Shell.Capture(Script, "--check") is (77, _, var why) ? why.Trim() : null);

    private readonly Lazy<string> _dir = new(Build);
    private readonly Lazy<SortedDictionary<string, string>> _oracle;
    private readonly Lazy<SortedDictionary<string, string>> _oracleOwners;
    private readonly Lazy<IReadOnlySet<string>> _devices;
    private readonly Lock _referenceLock = new();
    private string? _reference;
    private SortedDictionary<string, string>? _referenceSnapshot;

    public DebianImage()
    {
        _oracle = new(() => TreeSnapshot.Take(Oracle));
        _oracleOwners = new(() => Owners.FromUmoci(Oracle));
        _devices = new(() => LayerTars().SelectMany(DevicesIn).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>
    /// Why the Debian tests are skipped: the image is not cached and the Debian mirror cannot be
    /// reached to build it (the script's line, naming the mirror and the cache); null when they run.
    /// </summary>
    public static string? Unavailable => Unavailability.Value;

    /// <summary>The image's cache directory, built by the first test that needs it (none when all are skipped).</summary>
    public string Dir => _dir.Value;

    public string this[string name] => Path.Combine(Dir, name);

    /// <summary>`umoci unpack --rootless` of the gzip OCI layout.</summary>
    public string Oracle => Path.Combine(Dir, "oracle", "debian");

    public SortedDictionary<string, string> OracleSnapshot => _oracle.Value;

    public SortedDictionary<string, string> OracleOwners => _oracleOwners.Value;

    /// <summary>The character and block devices of the layers ("dev/null"): umoci writes an empty file for each, runf skips them.</summary>
    public IReadOnlySet<string> Devices => _devices.Value;

    /// <summary>The uncompressed layer tars, in order.</summary>
    public IEnumerable<string> LayerTars() => Enumerable.Range(1, 3).Select(n => Path.Combine(Dir, "layers", $"{n}.tar"));

    /// <summary>runf's extraction of the gzip OCI archive as the test user, made on first use.</summary>
    public string Reference(TestEnvironment env)
    {
        lock (_referenceLock)
        {
            if (_reference is null)
            {
                string output = Path.Combine(RunfExtract.OwnedDir(env, "debian-reference"), "rootfs");
                var result = RunfExtract.Run(env, this["debian.oci.tar"], output);
                _reference = result.ExitCode == 0 ? output : throw new InvalidOperationException($"runf could not extract the Debian image: {result}");
            }
            return _reference;
        }
    }

    public SortedDictionary<string, string> ReferenceSnapshot(TestEnvironment env)
    {
        string reference = Reference(env);
        lock (_referenceLock)
        {
            return _referenceSnapshot ??= TreeSnapshot.Take(reference);
        }
    }

    private static string Build()
    {
        var (exit, stdout, stderr) = Shell.Capture(Script);
        // Exit 77 here too (the mirror went away since the tests were discovered) is a failure.
        return exit == 0 ? stdout.Trim() : throw new InvalidOperationException($"{Script} failed (exit {exit}): {stderr}");
    }

    private static IEnumerable<string> DevicesIn(string layerTar)
    {
        using var reader = new TarReader(File.OpenRead(layerTar));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
            {
                yield return entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            }
        }
    }
}

/// <summary>A fact about the Debian image, skipped (with the reason) only when <see cref="DebianImage.Unavailable"/> says why.</summary>
public sealed class DebianFactAttribute : FactAttribute
{
    public DebianFactAttribute() => Skip = DebianImage.Unavailable;
}

/// <summary>A theory about the Debian image, skipped (with the reason) only when <see cref="DebianImage.Unavailable"/> says why.</summary>
public sealed class DebianTheoryAttribute : TheoryAttribute
{
    public DebianTheoryAttribute() => Skip = DebianImage.Unavailable;
}

[CollectionDefinition(Name)]
public sealed class DebianCollection : ICollectionFixture<DebianImage>, ICollectionFixture<TestEnvironment>
{
    public const string Name = "debian";
}
