using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using RunF.Interop;

namespace RunF.Interop.Tests;

/// <summary>
/// Every constant RunF.Interop binds, against the value this machine's C headers give for the
/// running architecture (header-constants.c, compiled here with gcc): a flag copied from another
/// architecture's table, or a typo, fails here rather than as a wrong system call.
/// </summary>
public sealed class InteropConstantsTests
{
    private static readonly Lazy<Dictionary<string, long>> Headers = new(ReadHeaders);

    public static TheoryData<string, long> Bound()
    {
        var data = new TheoryData<string, long>();
        foreach (var type in new[] { typeof(Libc), typeof(Errno) })
        {
            // C names (EPERM, O_PATH, SYS_openat2) are the headers'; PascalCase ones (offsets, sizes) are RunF's own.
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
            {
                if (field.IsLiteral && (field.Name.Contains('_') || field.Name.ToUpperInvariant() == field.Name))
                {
                    data.Add(field.Name, Convert.ToInt64(field.GetRawConstantValue()));
                }
            }
        }
        data.Add(nameof(Libc.O_DIRECTORY), Libc.O_DIRECTORY);
        data.Add(nameof(Libc.O_NOFOLLOW), Libc.O_NOFOLLOW);
        return data;
    }

    [Theory]
    [MemberData(nameof(Bound))]
    public void Matches_the_headers_of_this_architecture(string name, long value)
    {
        Assert.True(Headers.Value.TryGetValue(name, out var expected), $"{name} is missing from header-constants.c: add it there");
        Assert.Equal(expected, value);
    }

    [Fact]
    public void Every_constant_of_the_headers_is_bound() =>
        Assert.Equal(Headers.Value.Keys.Order(), Bound().Select(row => (string)row[0]).Order());

    /// <summary>
    /// The architecture that is not this one: arm64's values as its uapi header writes them
    /// (arch/arm64/include/uapi/asm/fcntl.h: O_DIRECTORY 040000, O_NOFOLLOW 0100000, in octal),
    /// and x86-64's from asm-generic/fcntl.h (00200000 and 00400000).
    /// </summary>
    [Theory]
    [InlineData(Architecture.Arm64, 0x4000, 0x8000)]
    [InlineData(Architecture.X64, 0x10000, 0x20000)]
    public void Open_flags_follow_the_architecture(Architecture architecture, int directory, int noFollow) =>
        Assert.Equal((directory, noFollow), Libc.OpenFlagsOf(architecture));

    private static Dictionary<string, long> ReadHeaders()
    {
        var dir = Directory.CreateTempSubdirectory("runf-interop-").FullName;
        try
        {
            var program = Path.Combine(dir, "header-constants");
            Run("gcc", "-Wall", "-Werror", "-o", program, Path.Combine(AppContext.BaseDirectory, "header-constants.c"));
            return Run(program).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => parts[0], parts => long.Parse(parts[1]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error}");
        return output;
    }
}
