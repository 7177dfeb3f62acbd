using System.IO.Compression;
using System.Text;
using RunF.Interop;
using RunF.Runtime.Spec;

namespace RunF.Serve.OpenWhisk;

/// <summary>
/// Unpacks an action's zip into its code directory, taking the zip for hostile input. Every name
/// is created beneath the directory through descriptors opened with O_NOFOLLOW, one component at
/// a time: an entry that is absolute or climbs with "..", or whose path goes through a symlink
/// or a file, is refused, never followed. A symlink is installed only if what it names stays
/// inside (the kernel checks it with RESOLVE_BENEATH, chains of links included). The bytes
/// written are counted as they are inflated, whatever the headers claim, and stop at the limit;
/// so do the number of entries and their depth. Files get 0644, or 0755 when the zip marks them
/// executable; no set-id bit, device or FIFO is ever made.
/// </summary>
internal static class ActionZip
{
    public const int MaxEntries = 65_536;
    public const int MaxDepth = 128;
    private const int MaxName = 4096, MaxLinkTarget = 4096;
    private const uint Mode0644 = 0x1a4, Mode0755 = 0x1ed, AnyExecute = 0x49;

    /// <summary>A zip's first bytes, as the Go proxy recognises one.</summary>
    public static bool IsZip(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 3 && bytes[0] == 'P' && bytes[1] == 'K' && bytes[2] is 3 or 5 or 7 && bytes[3] is 4 or 6 or 8;

    /// <summary>Unpacks zip into code (an empty directory); ActionCodeException names the first entry refused.</summary>
    public static void Extract(byte[] zip, SafeFd code, long maxBytes)
    {
        try
        {
            using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
            if (archive.Entries.Count > MaxEntries)
            {
                throw new ActionCodeException($"the action's zip has {archive.Entries.Count} entries, more than the {MaxEntries} runf serve installs");
            }
            var budget = new Budget(maxBytes);
            var links = new List<string>();
            foreach (var entry in archive.Entries)
            {
                ExtractEntry(entry, code, budget, links);
            }
            foreach (var link in links)
            {
                CheckInside(code, link);
            }
        }
        catch (InvalidDataException e)
        {
            throw new ActionCodeException($"the action's zip cannot be read: {e.Message}");
        }
    }

    private static void ExtractEntry(ZipArchiveEntry entry, SafeFd code, Budget budget, List<string> links)
    {
        var parts = PartsOf(entry.FullName);
        if (parts.Count == 0)
        {
            return;
        }
        // The high 16 bits are a Unix mode when the zip was made on Unix; 0 otherwise.
        var mode = (uint)entry.ExternalAttributes >> 16;
        var isDirectory = entry.FullName.EndsWith('/') || (mode & Libc.S_IFMT) == Libc.S_IFDIR;
        using var parent = Directories(code, parts, isDirectory ? parts.Count : parts.Count - 1, entry.FullName);
        if (isDirectory)
        {
            return;
        }
        var name = parts[^1];
        switch (mode & Libc.S_IFMT)
        {
            case 0 or Libc.S_IFREG:
                WriteFile(entry, parent, name, (mode & AnyExecute) != 0 ? Mode0755 : Mode0644, budget);
                break;
            case Libc.S_IFLNK:
                var target = ReadLinkTarget(entry, budget);
                if (Libc.SymlinkAt(target, parent, name) != 0)
                {
                    throw Refused(entry.FullName, Errno.Last == Errno.EEXIST ? "it is in the zip twice" : Errno.Describe(Errno.Last));
                }
                links.Add(string.Join('/', parts));
                break;
            default:
                throw Refused(entry.FullName, "only files, directories and symlinks are installed (it is a device, FIFO or socket)");
        }
    }

    /// <summary>The entry's path as components: "." and empty ones dropped; absolute paths, "..", NUL and excess depth refused.</summary>
    private static List<string> PartsOf(string fullName)
    {
        if (fullName.StartsWith('/'))
        {
            throw Refused(fullName, "its path is absolute");
        }
        if (fullName.Contains('\0') || Encoding.UTF8.GetByteCount(fullName) > MaxName)
        {
            throw Refused(fullName, $"its name holds a NUL or is longer than {MaxName} bytes");
        }
        var parts = fullName.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (parts.Contains(".."))
        {
            throw Refused(fullName, "its path climbs out with \"..\"");
        }
        return parts.Count <= MaxDepth ? parts : throw Refused(fullName, $"it is nested deeper than {MaxDepth} directories");
    }

    /// <summary>Makes (or opens) the first count components as directories, never through a symlink; the last one open.</summary>
    private static SafeFd Directories(SafeFd code, List<string> parts, int count, string entryName)
    {
        var dir = SafeFd.Borrow((int)code.DangerousGetHandle());
        for (var i = 0; i < count; i++)
        {
            if (Libc.MkDirAt(dir, parts[i], Mode0755) != 0 && Errno.Last != Errno.EEXIST)
            {
                var errno = Errno.Last;
                dir.Dispose();
                throw Refused(entryName, $"cannot create directory {string.Join('/', parts.Take(i + 1))}: {Errno.Describe(errno)}");
            }
            var next = Libc.OpenAt(dir, parts[i], Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
            dir.Dispose();
            if (next.IsInvalid)
            {
                var errno = Errno.Last;
                throw Refused(entryName, errno is Errno.ELOOP or Errno.ENOTDIR
                    ? $"its path goes through {string.Join('/', parts.Take(i + 1))}, which is a symlink or a file"
                    : Errno.Describe(errno));
            }
            dir = next;
        }
        return dir;
    }

    private static void WriteFile(ZipArchiveEntry entry, SafeFd parent, string name, uint mode, Budget budget)
    {
        using var file = Libc.OpenAt(parent, name, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, mode);
        if (file.IsInvalid)
        {
            throw Refused(entry.FullName, Errno.Last == Errno.EEXIST ? "it is in the zip twice" : Errno.Describe(Errno.Last));
        }
        using var content = entry.Open();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = content.Read(buffer)) > 0)
        {
            budget.Spend(n);
            if (Libc.WriteAll(file, buffer.AsSpan(0, n)) is not 0 and var errno)
            {
                throw Refused(entry.FullName, $"cannot write it: {Errno.Describe(errno)}");
            }
        }
        // The mode asked for passes through the umask; the container's user may not be the agent's.
        Libc.FChmod(file, mode);
    }

    private static string ReadLinkTarget(ZipArchiveEntry entry, Budget budget)
    {
        using var content = entry.Open();
        var bytes = new byte[MaxLinkTarget + 1];
        var length = content.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        budget.Spend(length);
        var target = Encoding.UTF8.GetString(bytes, 0, length);
        return length == 0 || length > MaxLinkTarget || target.Contains('\0') ? throw Refused(entry.FullName, $"a symlink's target must be 1 to {MaxLinkTarget} bytes, without NUL")
            : target.StartsWith('/') ? throw Refused(entry.FullName, $"it is a symlink to the absolute path {target}, outside the action")
            : target;
    }

    /// <summary>
    /// A link that leads out of the action's directory, even through other links, is refused.
    /// Dangling ones stay: they lead nowhere in the container either, and nothing is added later.
    /// </summary>
    private static void CheckInside(SafeFd code, string link)
    {
        using var resolved = Libc.OpenAt2(code, link, Libc.O_PATH | Libc.O_CLOEXEC, Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_MAGICLINKS);
        if (resolved.IsInvalid && Errno.Last is not (Errno.ENOENT or Errno.ENOTDIR))
        {
            throw Refused(link, Errno.Last == Errno.EXDEV ? "it is a symlink that leads outside the action" : $"it is a symlink that cannot be resolved: {Errno.Describe(Errno.Last)}");
        }
    }

    private static ActionCodeException Refused(string entry, string why) => new($"the action's zip entry \"{entry}\" is refused: {why}");

    /// <summary>The bytes the installed files may take together.</summary>
    private sealed class Budget(long max)
    {
        private long _spent;

        public void Spend(long bytes)
        {
            _spent += bytes;
            if (_spent > max)
            {
                throw new ActionCodeException($"the action's files take more than max_action_size ({ByteSize.Format(max)}): raise --max-action-size, or make the action smaller");
            }
        }
    }
}
