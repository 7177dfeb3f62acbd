using System.Globalization;

namespace RunF.IntegrationTests.Infrastructure;

/// <summary>
/// The executor's accounts the --user tests need, made once and idempotently as root: the test
/// user (uid 40000) with a passwd entry and subordinate ids, which newuidmap requires, and a second
/// user (uid 40001) with an entry and no subordinate ids, for the error that names the fix.
/// </summary>
public static class TestAccounts
{
    /// <summary>Without subordinate ids: a system account, which useradd gives none.</summary>
    public const uint NoSubordinateUid = 40001;

    private const string NoSubordinateName = "runf-nosub";

    /// <summary>A range far from shadow's default 100000 (a developer's own user may hold that one).</summary>
    private const uint RangeStart = 500_000_000, RangeCount = 65536;

    private static readonly Lazy<(string Name, uint Count)> Accounts = new(Ensure);

    /// <summary>The test user's name.</summary>
    public static string Name => Accounts.Value.Name;

    /// <summary>How many subordinate uids (and gids) the test user has: ids 1 to this are mapped inside.</summary>
    public static uint SubordinateCount => Accounts.Value.Count;

    private static (string, uint) Ensure()
    {
        Assert.True(TestEnvironment.IsRoot, "the --user tests need root to give the test user a passwd entry and subordinate ids");
        Assert.True(File.Exists("/usr/bin/newuidmap") && File.Exists("/usr/bin/newgidmap"), "the --user tests need newuidmap and newgidmap: apt install uidmap (test.sh does)");
        var name = NameOf(TestEnvironment.TestUid) ?? Create(TestEnvironment.TestUid, "runf-test", system: false);
        var uids = RangeOf("/etc/subuid", name, TestEnvironment.TestUid);
        var gids = RangeOf("/etc/subgid", name, TestEnvironment.TestUid);
        if (uids is null || gids is null)
        {
            var range = $"{RangeStart}-{RangeStart + RangeCount - 1}";
            Shell.Run("usermod", [.. (uids is null ? (string[])["--add-subuids", range] : []), .. (gids is null ? (string[])["--add-subgids", range] : []), name]);
            uids ??= RangeCount;
            gids ??= RangeCount;
        }
        var other = NameOf(NoSubordinateUid) ?? Create(NoSubordinateUid, NoSubordinateName, system: true);
        Assert.True(RangeOf("/etc/subuid", other, NoSubordinateUid) is null, $"{other} (uid {NoSubordinateUid}) must have no subordinate uids for the test of the error");
        return (name, Math.Min(uids.Value, gids.Value));
    }

    private static string Create(uint uid, string name, bool system)
    {
        if (!File.ReadAllLines("/etc/group").Any(l => l.Split(':') is [_, _, var gid, ..] && gid == uid.ToString(CultureInfo.InvariantCulture)))
        {
            Shell.Run("groupadd", [.. (system ? (string[])["--system"] : []), "--gid", uid.ToString(CultureInfo.InvariantCulture), name]);
        }
        Shell.Run("useradd", [.. (system ? (string[])["--system"] : []), "--uid", uid.ToString(CultureInfo.InvariantCulture), "--gid", uid.ToString(CultureInfo.InvariantCulture),
            "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", name]);
        return name;
    }

    private static string? NameOf(uint uid)
    {
        try
        {
            return Shell.Run("getent", "passwd", uid.ToString(CultureInfo.InvariantCulture)).Split(':')[0];
        }
        catch (InvalidOperationException)
        {
            return null; // getent exits 2: no such entry
        }
    }

    /// <summary>The count of the first range of name (or uid), as runf and newuidmap read the file.</summary>
    private static uint? RangeOf(string file, string name, uint uid)
    {
        var lines = File.Exists(file) ? File.ReadAllLines(file) : [];
        var fields = lines.Select(l => l.Split(':')).Where(f => f.Length == 3).ToList();
        var mine = fields.FirstOrDefault(f => f[0] == name) ?? fields.FirstOrDefault(f => f[0] == uid.ToString(CultureInfo.InvariantCulture));
        return mine is null ? null : uint.Parse(mine[2], CultureInfo.InvariantCulture);
    }
}
