using Microsoft.Win32.SafeHandles;
using RunF.Interop;
using RunF.RootfsTools.Safety;

namespace RunF.RootfsTools.Archive;

/// <summary>
/// The image archive (docker save, docker-archive, OCI archive...) or OCI layout directory as a
/// set of members read in place, so a layer is never copied out of it. Stdin, pipes and
/// compressed archives (gzip, zstd, bzip2, xz: `docker save | zstd`) are first spooled to a
/// temporary file: every producer writes manifest.json after the layers, so random access is
/// needed anyway.
/// </summary>
internal sealed class OuterArchive : IDisposable
{
    private const long MaxJsonBytes = 64L << 20;

    private readonly IArchiveMembers _members;
    private readonly string? _spoolPath;

    /// <summary>A regular file of the archive: Length bytes of File from Offset.</summary>
    internal sealed record Member(string Name, SafeFileHandle File, long Offset, long Length);

    private OuterArchive(string displayName, IArchiveMembers members, string? spoolPath)
    {
        DisplayName = displayName;
        _members = members;
        _spoolPath = spoolPath;
    }

    public string DisplayName { get; }

    /// <summary>Opens path ("-" for stdin); spoolDir holds the temporary copy when one is needed.</summary>
    public static OuterArchive Open(string path, string spoolDir, CancellationToken ct)
    {
        // Paths go through Libc, not System.IO: they are bytes, which need not be UTF-8.
        if (path != "-" && Libc.IsDirectory(path))
        {
            return new OuterArchive(path, LayoutMembers.Open(path), spoolPath: null);
        }
        string display = path == "-" ? "stdin" : path;
        string? spool = null;
        SafeFileHandle? file = null;
        try
        {
            if (path == "-")
            {
                spool = Spool(Console.OpenStandardInput, spoolDir, ct, display, compression: null);
            }
            else if (IsPipe(path))
            {
                // <(docker save x) and named pipes cannot be read by offset either.
                spool = Spool(() => new FileStream(OpenHandle(path), FileAccess.Read, 1), spoolDir, ct, display, compression: null);
            }
            file = OpenHandle(spool ?? path);
            var blob = new BlobStream(file, 0, RandomAccess.GetLength(file));
            if (Compression.Peek(blob) is { } kind)
            {
                string uncompressed = Spool(() => Compression.Decompress(blob, kind), spoolDir, ct, display, kind);
                file.Dispose();
                if (spool is not null)
                {
                    Libc.Unlink(spool);
                }
                spool = uncompressed;
                file = OpenHandle(spool);
            }
            var members = TarMembers.Index(file, display);
            return new OuterArchive(display, members, spool);
        }
        catch
        {
            file?.Dispose();
            if (spool is not null)
            {
                Libc.Unlink(spool);
            }
            throw;
        }
    }

    // Opened with open(2) rather than File.OpenHandle so the error text comes from errno: the
    // NativeAOT binary strips .NET's exception message resources.
    private static SafeFileHandle OpenHandle(string path)
    {
        return CheckIo.Check(Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC), "open archive", path).ToFileHandle();
    }

    private static bool IsPipe(string path)
    {
        return Libc.Stat(path)?.Type is { } type && type is not Libc.S_IFREG and not Libc.S_IFDIR;
    }

    /// <summary>Copies what open returns to a new file in dir; compression names what it decompresses, for its errors.</summary>
    private static string Spool(Func<Stream> open, string dir, CancellationToken ct, string display, string? compression)
    {
        string path = Path.Combine(dir, $".runf-archive-{Guid.NewGuid():N}.tar");
        try
        {
            var created = CheckIo.Check(Libc.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_CLOEXEC, Mode.Perm0600), "create", path);
            using var output = new FileStream(created.ToFileHandle(), FileAccess.Write, 1 << 20);
            using (var input = Decompressing(open, display, compression))
            {
                var buffer = new byte[1 << 20];
                while (true)
                {
                    int n = Decompressing(() => input.Read(buffer), display, compression);
                    if (n == 0)
                    {
                        break;
                    }
                    ct.ThrowIfCancellationRequested();
                    output.Write(buffer, 0, n);
                }
            }
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            Libc.Unlink(path);
            throw new RootfsException($"cannot spool the archive to {dir}: {e.Message.ToLowerInvariant().TrimEnd('.')}");
        }
        catch
        {
            Libc.Unlink(path);
            throw;
        }
        return path;
    }

    // Each decompressor throws exceptions of its own (InvalidDataException, ZstdException,
    // EndOfStreamException...), from its constructor too (bzip2 reads its first block there).
    private static T Decompressing<T>(Func<T> step, string display, string? compression)
    {
        try
        {
            return step();
        }
        catch (Exception e) when (compression is not null && e is not OperationCanceledException)
        {
            throw new RootfsException($"archive {display}: corrupt or truncated {compression} compression ({e.Message.ToLowerInvariant().TrimEnd('.')})", e);
        }
    }

    public bool Contains(string name) => Find(name) is not null;

    /// <summary>The regular-file member behind name, following in-archive symlinks and hardlinks; null if absent.</summary>
    public Member? Find(string name) => _members.Find(name);

    /// <summary>The member named by a manifest (relative to the archive root); errors name the manifest field.</summary>
    public Member Require(string name, string what)
    {
        if (ArchivePath.Resolve("", name) is null)
        {
            throw new RootfsException($"{what} \"{name}\" leaves the archive; the archive is malformed or hostile");
        }
        return Find(name) ?? throw new RootfsException($"{what} \"{name}\" is missing from archive {DisplayName}");
    }

    public Stream OpenMember(Member member) => new BlobStream(member.File, member.Offset, member.Length);

    public byte[] ReadAll(Member member)
    {
        if (member.Length > MaxJsonBytes)
        {
            throw new RootfsException($"archive member \"{member.Name}\" is too large for a manifest ({member.Length} bytes)");
        }
        var bytes = new byte[member.Length];
        using var stream = OpenMember(member);
        stream.ReadExactly(bytes);
        return bytes;
    }

    public void Dispose()
    {
        _members.Dispose();
        if (_spoolPath is not null)
        {
            Libc.Unlink(_spoolPath);
        }
    }
}
