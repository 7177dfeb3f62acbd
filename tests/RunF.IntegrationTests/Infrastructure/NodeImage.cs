using System.Collections.Concurrent;
using System.Diagnostics;

namespace RunF.IntegrationTests.Infrastructure;

/// <summary>
/// A Node.js function image with the npm packages a test names (rootfs-tools/make-node-image.sh:
/// the machine's node and the libraries it needs, the packages in /function/node_modules, an OCI
/// archive), built once per machine and package list and cached; and its extraction by
/// `runf rootfs extract` as the test user, the path a user's image takes. Extractions are fresh
/// directories the test user owns, with the test's function files written into /function.
/// A test class's fixture derives from it with its package list.
/// </summary>
public class NodeImage(params string[] packages)
{
    private static readonly string Script = Path.Combine(TestEnvironment.FindRepo(), "rootfs-tools", "make-node-image.sh");
    private static readonly ConcurrentDictionary<string, string?> Unavailability = new();

    private readonly Lazy<string> _dir = new(() => Build(packages));

    /// <summary>
    /// Why tests of an image with these packages are skipped: it is not cached and the npm
    /// registry cannot be reached to build it (the script's line); null when they run.
    /// </summary>
    public static string? UnavailableFor(params string[] packages) =>
        Unavailability.GetOrAdd(string.Join('\n', packages), _ => RunScript(["--check", .. packages]) is (77, _, var why) ? why.Trim() : null);

    /// <summary>The image's cache directory, built on first use.</summary>
    public string Dir => _dir.Value;

    /// <summary>The image as an OCI archive (skopeo oci-archive).</summary>
    public string Archive => Path.Combine(Dir, "node.oci.tar");

    /// <summary>
    /// Extracts the image with `runf rootfs extract` as the test user into a fresh directory it
    /// owns, writes each of files (a name under /function and its text) into the rootfs, and
    /// returns the rootfs's path.
    /// </summary>
    public string Extract(TestEnvironment env, string name, IReadOnlyDictionary<string, string>? files = null)
    {
        string parent = env.NewDir(name);
        string rootfs = Path.Combine(parent, "rootfs");
        if (TestEnvironment.IsRoot)
        {
            Shell.Run("chown", $"{TestEnvironment.TestUid}:{TestEnvironment.TestUid}", parent);
        }
        var result = Runf.Run(env, ["rootfs", "extract", Archive, "-o", rootfs], stdin: null, timeoutSeconds: 120);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"runf could not extract the Node.js image {Archive}: {result}");
        }
        foreach (var (file, text) in files ?? new Dictionary<string, string>())
        {
            string path = Path.Combine(rootfs, "function", file);
            File.WriteAllText(path, text);
            File.SetUnixFileMode(path, (UnixFileMode)0x1a4); // 0644
            if (TestEnvironment.IsRoot)
            {
                Shell.Run("chown", $"{TestEnvironment.TestUid}:{TestEnvironment.TestUid}", path);
            }
        }
        return rootfs;
    }

    private static string Build(string[] packages)
    {
        var (exit, stdout, stderr) = RunScript(packages);
        // Exit 77 here too (the registry went away since the tests were discovered) is a failure.
        return exit == 0 ? stdout.Trim() : throw new InvalidOperationException($"{Script} failed (exit {exit}): {stderr}");
    }

    private static (int Exit, string Stdout, string Stderr) RunScript(string[] args)
    {
        var psi = new ProcessStartInfo(Script, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}

/// <summary>A fact about a Node.js image with these npm packages, skipped (with the reason) only when <see cref="NodeImage.UnavailableFor"/> says why.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute(params string[] packages) => Skip = NodeImage.UnavailableFor(packages);
}
