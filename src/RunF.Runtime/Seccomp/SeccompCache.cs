using System.Security.Cryptography;
using System.Text;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// Compiled programs kept in the user's private state directory, keyed by a hash of the profile
/// (canonical JSON) and the architecture. Compiling the default profile with libseccomp costs a
/// few milliseconds (loading the library, building and optimizing the tree); reading the cached
/// program costs a few microseconds, and no library is loaded. The directory is 0700 and owned by
/// the user (StateDirectory checks it), so nobody else can plant a program there.
/// </summary>
public sealed class SeccompCache(string directory)
{
    /// <summary>Bump when the compiler's output for the same profile changes (attributes, bad-arch action).</summary>
    private const string Format = "runf-seccomp-2";

    public byte[] GetOrCompile(byte[] canonicalProfile, Func<byte[]> compile)
    {
        var path = PathFor(canonicalProfile);
        if (TryRead(path) is { } cached)
        {
            return cached;
        }
        var program = compile();
        Store(path, program);
        return program;
    }

    internal string PathFor(byte[] canonicalProfile)
    {
        var prefix = Encoding.UTF8.GetBytes($"{Format}\n{SeccompNames.Native:x}\n");
        var hash = SHA256.HashData([.. prefix, .. canonicalProfile]);
        return Path.Combine(directory, $"seccomp-{Convert.ToHexStringLower(hash, 0, 16)}.bpf");
    }

    private static byte[]? TryRead(string path)
    {
        try
        {
            var bytes = File.ReadAllBytes(path);
            return bytes.Length > 0 && bytes.Length % 8 == 0 ? bytes : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Written aside and renamed, so a concurrent run reads a whole program or none.</summary>
    private static void Store(string path, byte[] program)
    {
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllBytes(temp, program);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written only costs the next run a compile.
            File.Delete(temp);
        }
    }
}
