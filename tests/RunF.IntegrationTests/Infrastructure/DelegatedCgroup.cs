namespace RunF.IntegrationTests.Infrastructure;

/// <summary>
/// A cgroup made by root and delegated (chowned) to the test user, as an executor's would be:
/// /NAME in cgroup v2, or in each v1 hierarchy of the limits runf sets. Dispose removes it.
/// </summary>
public sealed class DelegatedCgroup : IDisposable
{
    private static readonly string[] V1Controllers = ["memory", "pids", "cpu", "cpuacct"];

    public DelegatedCgroup()
    {
        Name = $"runf-test-{Guid.NewGuid():N}"[..20];
        Dirs = V2
            ? [Path.Combine("/sys/fs/cgroup", Name)]
            : [.. V1Controllers.Select(c => Path.Combine("/sys/fs/cgroup", c, Name)).Where(d => Directory.Exists(Path.GetDirectoryName(d)))];
        if (V2)
        {
            File.WriteAllText("/sys/fs/cgroup/cgroup.subtree_control", "+memory +pids +cpu");
        }
        foreach (var dir in Dirs)
        {
            Directory.CreateDirectory(dir);
            Shell.Run("chown", "-R", $"{TestEnvironment.TestUid}", dir);
        }
    }

    public static bool V2 => File.Exists("/sys/fs/cgroup/cgroup.controllers");

    public string Name { get; }

    /// <summary>As --cgroup-parent takes it.</summary>
    public string Parent => "/" + Name;

    /// <summary>Its directory in each hierarchy.</summary>
    public IReadOnlyList<string> Dirs { get; }

    /// <summary>The containers' cgroups in it now (runf-ID).</summary>
    public IReadOnlyList<string> Children() => [.. Dirs.SelectMany(dir => Directory.GetDirectories(dir, "runf-*"))];

    /// <summary>A container's cgroup is removed off the response's path: waits briefly until none is left.</summary>
    public async Task WaitForEmptyAsync()
    {
        for (var waited = 0; Children().Count > 0; waited += 50)
        {
            Assert.True(waited < 10_000, "container cgroups left behind: " + string.Join(", ", Children()));
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        foreach (var dir in Dirs)
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir);
            }
        }
    }
}
