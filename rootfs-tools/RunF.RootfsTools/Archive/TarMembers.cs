using System.Formats.Tar;
using Microsoft.Win32.SafeHandles;

namespace RunF.RootfsTools.Archive;

/// <summary>
/// The members of a tar archive file (docker save, docker-archive, oci-archive...), indexed
/// once: a member is then read in place by its offset, never copied out of the archive.
/// In-archive symlinks and hardlinks (skopeo's layer.tar links) are followed, within the archive.
/// </summary>
internal sealed class TarMembers : IArchiveMembers
{
    private const int MaxLinkHops = 16;

    private readonly SafeFileHandle _file;
    private readonly Dictionary<string, Entry> _entries;

    private sealed record Entry(string Name, TarEntryType Type, long Offset, long Length, string LinkName);

    private TarMembers(SafeFileHandle file, Dictionary<string, Entry> entries)
    {
        _file = file;
        _entries = entries;
    }

    /// <summary>Indexes the tar in file, which the result owns from then on.</summary>
    public static TarMembers Index(SafeFileHandle file, string display)
    {
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        long fileLength = RandomAccess.GetLength(file);
        try
        {
            using var reader = new TarReader(new BlobStream(file, 0, fileLength), leaveOpen: false);
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
                entries[name] = new Entry(name, entry.EntryType, offset, entry.Length, entry.LinkName);
            }
        }
        // TarReader's errors on malformed headers (a base-256 number too big for a long is an OverflowException: found by fuzzing).
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException or OverflowException)
        {
            throw new RootfsException($"archive {display} is not a valid tar archive or is truncated ({e.Message.ToLowerInvariant().TrimEnd('.')}); " +
                "runf reads docker save and OCI archives (uncompressed, gzip, zstd, bzip2 or xz) and OCI layout directories");
        }
        if (entries.Count == 0)
        {
            throw new RootfsException($"archive {display} is empty or not a tar archive");
        }
        return new TarMembers(file, entries);
    }

    public OuterArchive.Member? Find(string name)
    {
        string? current = ArchivePath.Resolve("", name);
        for (int hop = 0; hop < MaxLinkHops && current is not null; hop++)
        {
            if (!_entries.TryGetValue(current, out var entry))
            {
                return null;
            }
            switch (entry.Type)
            {
                case TarEntryType.SymbolicLink:
                    current = ArchivePath.Resolve(ArchivePath.DirectoryOf(entry.Name), entry.LinkName)
                        ?? throw new RootfsException($"archive member \"{entry.Name}\" links to \"{entry.LinkName}\", which leaves the archive");
                    continue;
                case TarEntryType.HardLink:
                    current = ArchivePath.Resolve("", entry.LinkName)
                        ?? throw new RootfsException($"archive member \"{entry.Name}\" links to \"{entry.LinkName}\", which leaves the archive");
                    continue;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    return new OuterArchive.Member(entry.Name, _file, entry.Offset, entry.Length);
                default:
                    return null;
            }
        }
        return null;
    }

    public void Dispose() => _file.Dispose();
}
