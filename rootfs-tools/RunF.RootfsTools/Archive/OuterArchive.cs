using System.Formats.Tar;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;
using RunF.Interop;

namespace RunF.RootfsTools.Archive;

/// <summary>
/// The image archive (docker save, docker-archive, OCI archive...) as an index of its members,
/// read once. Member data is then read in place by offset, so a layer is never copied out of
/// the archive. Stdin and gzip-compressed archives are first spooled to a temporary file:
/// every producer writes manifest.json after the layers, so random access is needed anyway.
/// </summary>
internal sealed class OuterArchive : IDisposable
{
    private const int MaxLinkHops = 16;
    private const long MaxJsonBytes = 64L << 20;

    private readonly Dictionary<string, Member> _members;
    private readonly string? _spoolPath;

    internal sealed record Member(string Name, TarEntryType Type, long Offset, long Length, string LinkName);

    private OuterArchive(string displayName, SafeFileHandle file, Dictionary<string, Member> members, string? spoolPath)
    {
        DisplayName = displayName;
        File = file;
        _members = members;
        _spoolPath = spoolPath;
    }

    public string DisplayName { get; }
    public SafeFileHandle File { get; }

    /// <summary>Opens path ("-" for stdin); spoolDir holds the temporary copy when one is needed.</summary>
    public static OuterArchive Open(string path, string spoolDir, CancellationToken ct)
    {
        string display = path == "-" ? "stdin" : path;
        string? spool = null;
        SafeFileHandle? file = null;
        try
        {
            if (path == "-")
            {
                spool = Spool(Console.OpenStandardInput(), spoolDir, ct);
            }
            else if (Directory.Exists(path))
            {
                throw new RootfsException($"archive {path} is a directory; give the archive file (docker save -o FILE)");
            }
            else if (IsPipe(path))
            {
                // <(docker save x) and named pipes cannot be read by offset either.
                spool = Spool(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1), spoolDir, ct);
            }
            file = OpenHandle(spool ?? path);
            if (IsGzip(file))
            {
                string unzipped = Spool(new GZipStream(new BlobStream(file, 0, RandomAccess.GetLength(file)), CompressionMode.Decompress), spoolDir, ct, display);
                file.Dispose();
                if (spool is not null)
                {
                    System.IO.File.Delete(spool);
                }
                spool = unzipped;
                file = OpenHandle(spool);
            }
            var members = Index(new BlobStream(file, 0, RandomAccess.GetLength(file)), display);
            return new OuterArchive(display, file, members, spool);
        }
        catch
        {
            file?.Dispose();
            if (spool is not null)
            {
                System.IO.File.Delete(spool);
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

    private static bool IsGzip(SafeFileHandle file)
    {
        Span<byte> magic = stackalloc byte[2];
        int n = RandomAccess.Read(file, magic, 0);
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static string Spool(Stream input, string dir, CancellationToken ct, string? gzipName = null)
    {
        string path = Path.Combine(dir, $".runf-archive-{Guid.NewGuid():N}.tar");
        try
        {
            using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            using (input)
            {
                var buffer = new byte[1 << 20];
                int n;
                while ((n = input.Read(buffer)) > 0)
                {
                    ct.ThrowIfCancellationRequested();
                    output.Write(buffer, 0, n);
                }
            }
        }
        catch (InvalidDataException e)
        {
            System.IO.File.Delete(path);
            throw new RootfsException($"archive {gzipName}: corrupt gzip compression ({e.Message.ToLowerInvariant().TrimEnd('.')})");
        }
        catch (IOException e) when (e is not EndOfStreamException)
        {
            System.IO.File.Delete(path);
            throw new RootfsException($"cannot spool the archive to {dir}: {e.Message.ToLowerInvariant().TrimEnd('.')}");
        }
        catch
        {
            System.IO.File.Delete(path);
            throw;
        }
        return path;
    }

    private static Dictionary<string, Member> Index(Stream source, string display)
    {
        var members = new Dictionary<string, Member>(StringComparer.Ordinal);
        long fileLength = source.Length;
        try
        {
            using var reader = new TarReader(source, leaveOpen: true);
            TarEntry? entry;
            while ((entry = reader.GetNextEntry(copyData: false)) is not null)
            {
                string? name = ArchivePath.Resolve("", entry.Name);
                if (name is null || name.Length == 0)
                {
                    continue;
                }
                long offset = entry.DataOffset;
                if (offset < 0 || offset + entry.Length > fileLength)
                {
                    throw new RootfsException($"archive {display} is truncated: member \"{entry.Name}\" ends past the end of the file");
                }
                members[name] = new Member(name, entry.EntryType, offset, entry.Length, entry.LinkName);
            }
        }
        // TarReader's errors on malformed headers, as the layer applier catches them.
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or OverflowException)
        {
            throw new RootfsException($"archive {display} is not a valid tar archive or is truncated ({e.Message.ToLowerInvariant().TrimEnd('.')})");
        }
        if (members.Count == 0)
        {
            throw new RootfsException($"archive {display} is empty or not a tar archive");
        }
        return members;
    }

    public bool Contains(string name) => Find(name) is not null;

    /// <summary>The regular-file member behind name, following in-archive symlinks and hardlinks; null if absent.</summary>
    public Member? Find(string name)
    {
        string? current = ArchivePath.Resolve("", name);
        for (int hop = 0; hop < MaxLinkHops && current is not null; hop++)
        {
            if (!_members.TryGetValue(current, out var member))
            {
                return null;
            }
            switch (member.Type)
            {
                case TarEntryType.SymbolicLink:
                    current = ArchivePath.Resolve(ArchivePath.DirectoryOf(member.Name), member.LinkName)
                        ?? throw new RootfsException($"archive member \"{member.Name}\" links to \"{member.LinkName}\", which leaves the archive");
                    continue;
                case TarEntryType.HardLink:
                    current = ArchivePath.Resolve("", member.LinkName)
                        ?? throw new RootfsException($"archive member \"{member.Name}\" links to \"{member.LinkName}\", which leaves the archive");
                    continue;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    return member;
                default:
                    return null;
            }
        }
        return null;
    }

    /// <summary>The member named by a manifest (relative to the archive root); errors name the manifest field.</summary>
    public Member Require(string name, string what)
    {
        if (ArchivePath.Resolve("", name) is null)
        {
            throw new RootfsException($"{what} \"{name}\" leaves the archive; the archive is malformed or hostile");
        }
        return Find(name) ?? throw new RootfsException($"{what} \"{name}\" is missing from archive {DisplayName}");
    }

    public Stream OpenMember(Member member) => new BlobStream(File, member.Offset, member.Length);

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
        File.Dispose();
        if (_spoolPath is not null)
        {
            System.IO.File.Delete(_spoolPath);
        }
    }
}
