using System.Buffers.Binary;
using System.Text;
using RunF.RootfsTools;

namespace RunF.Runtime.IO;

/// <summary>
/// Why execve said ENOEXEC ("exec format error") for a command of the rootfs, read from the
/// file's first bytes: the architecture its ELF header names (e_machine), or, for a "#!"
/// script, its interpreter's. Read only after the failure: a start that succeeds pays nothing.
/// </summary>
internal static class ExecutableFormat
{
    private const int HeadLength = 256;
    private const int ElfMachineOffset = 18;

    /// <summary>
    /// The explanation and fix for the first of candidates that exists (the one execve tried, as
    /// execvp), or null when it cannot be read.
    /// </summary>
    public static string? Explain(string rootfs, IReadOnlyList<string> candidates)
    {
        foreach (var path in candidates)
        {
            if (RootfsFiles.HeadInRoot(rootfs, path, HeadLength) is { } head)
            {
                return Explain(rootfs, path, head, interpreterOf: null);
            }
        }
        return null;
    }

    private static string? Explain(string rootfs, string path, byte[] head, string? interpreterOf)
    {
        string subject = interpreterOf is null ? path : $"{path}, the interpreter of {interpreterOf},";
        if (head.AsSpan().StartsWith("\u007fELF"u8) && head.Length > ElfMachineOffset + 1)
        {
            bool is64Bit = head[4] == 2, littleEndian = head[5] != 2;
            var machineBytes = head.AsSpan(ElfMachineOffset, 2);
            ushort machine = littleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(machineBytes) : BinaryPrimitives.ReadUInt16BigEndian(machineBytes);
            string host = Platform.Host.Architecture;
            string arch = Platform.ElfArchitecture(machine, is64Bit, littleEndian) ?? $"machine {machine} (ELF e_machine)";
            if (arch == host)
            {
                return $"{subject} is an ELF binary for {host}, as this host is, that the kernel refuses: is it truncated or corrupt?";
            }
            return $"{subject} is a binary for {arch} and this host is {host}: use the image for {host} " +
                $"(runf rootfs extract --platform linux/{host} when the archive has several, or fetch it with skopeo copy --override-arch {host})";
        }
        if (head.AsSpan().StartsWith("#!"u8) && interpreterOf is null && Interpreter(head) is { } interpreter)
        {
            return RootfsFiles.HeadInRoot(rootfs, interpreter, HeadLength) is { } interpreterHead
                ? Explain(rootfs, interpreter, interpreterHead, interpreterOf: path)
                : null;
        }
        return $"{subject} is neither an ELF binary nor a script starting with #!";
    }

    // "#!/bin/sh -e\n" → "/bin/sh", as the kernel's binfmt_script splits it.
    private static string? Interpreter(byte[] head)
    {
        var line = head.AsSpan(2);
        int end = line.IndexOf((byte)'\n');
        line = (end < 0 ? line : line[..end]).Trim(" \t"u8);
        int space = line.IndexOfAny(" \t"u8);
        var name = space < 0 ? line : line[..space];
        return name.IsEmpty ? null : Encoding.UTF8.GetString(name);
    }
}
