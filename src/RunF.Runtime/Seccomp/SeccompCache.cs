using System.Text;
using RunF.Interop;
using RunF.Runtime.IO;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// Compiled programs kept in the user's private state directory, keyed by a hash of what the
/// compiler is given (the resolved profile) and the architecture. Compiling with libseccomp means
/// loading the library, building and optimizing the tree; reading the cached program is one small
/// read, and no library is loaded (bench/README.md has both). The directory is 0700 and owned by
/// the user (StateDirectory checks it), so nobody else can plant a program there; that is also
/// why the key need not be a cryptographic hash: only the user's own profiles share the
/// directory, and loading SHA-256 (OpenSSL) would cost more than the whole lookup.
/// </summary>
public sealed class SeccompCache(string directory)
{
    /// <summary>Bump when the compiler's output for the same profile changes (attributes, bad-arch action).</summary>
    private const string Format = "runf-seccomp-2";

    /// <summary>The program at path (or, without one, at the hash of the resolved profile), compiled on a miss.</summary>
    public byte[] GetOrCompile(string? path, Lazy<ResolvedProfile> profile, Func<byte[]> compile)
    {
        path ??= PathFor(profile.Value);
        if (TryRead(path) is { } cached)
        {
            return cached;
        }
        var program = compile();
        Store(path, program);
        if (Path.GetFileName(path).StartsWith(BuiltInPrefix, StringComparison.Ordinal))
        {
            // Entries of earlier runf builds are never read again.
            foreach (var stale in Directory.EnumerateFiles(directory, BuiltInPrefix + "*").Where(f => f != path))
            {
                File.Delete(stale);
            }
        }
        return program;
    }

    /// <summary>
    /// The entry of the default profile compiled into this runf binary, keyed by the binary's size
    /// and modification time: a new build (the only way the built-in profile changes) misses.
    /// </summary>
    private const string BuiltInPrefix = "seccomp-builtin-";

    public static string? PathForBuiltIn(string directory) =>
        Libc.Stat("/proc/self/exe") is { } exe
            ? Path.Combine(directory, $"{BuiltInPrefix}{Format}-{SeccompNames.Native}-{exe.Size:x}-{exe.MtimeNs:x}.bpf")
            : null;

    internal string PathFor(ResolvedProfile profile)
    {
        var text = new StringBuilder().Append(Format).Append(' ').Append(SeccompNames.Native).Append(' ').Append(profile.DefaultAction);
        text.Append(" arch ").AppendJoin(',', profile.Architectures);
        foreach (var rule in profile.Rules)
        {
            text.Append('\n').Append(rule.Action).Append(' ').AppendJoin(',', rule.Names);
            foreach (var a in rule.Args)
            {
                text.Append($" {a.Index}:{a.Op}:{a.A:x}:{a.B:x}");
            }
        }
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        // Two FNV-1a hashes with different offsets: 128 bits against accidental collisions.
        return Path.Combine(directory, $"seccomp-{Fnv1a(bytes, 0xcbf29ce484222325):x16}{Fnv1a(bytes, 0x84222325cbf29ce4):x16}.bpf");
    }

    private static ulong Fnv1a(ReadOnlySpan<byte> data, ulong hash)
    {
        foreach (var b in data)
        {
            hash = (hash ^ b) * 0x100000001b3;
        }
        return hash;
    }

    /// <summary>A whole program (a multiple of 8 bytes), or null. Plain read(2): no FileStream lock.</summary>
    private static byte[]? TryRead(string path) => WholeFile.Read(path) is { Length: > 0 } bytes && bytes.Length % 8 == 0 ? bytes : null;

    /// <summary>Written aside and renamed, so a concurrent run reads a whole program or none.</summary>
    private static void Store(string path, byte[] program)
    {
        // A cache that cannot be written only costs the next run a compile.
        _ = AtomicFile.Write(path, program);
    }
}
