namespace RunF.RootfsTools.Layers;

/// <summary>What a layer entry is, from its tar type flag.</summary>
internal enum EntryKind : byte
{
    File,
    Directory,
    Symlink,
    HardLink,
    Fifo,
    CharacterDevice,
    BlockDevice,
    /// <summary>A GNU sparse file ('S', or PAX GNU.sparse.*): refused.</summary>
    Sparse,
    /// <summary>Any other type flag (GNU dumpdir 'D', volume labels...): refused.</summary>
    Unsupported,
}

/// <summary>
/// One layer entry as <see cref="LayerTarReader"/> read it, its extension headers (PAX, GNU long
/// names) already applied. Name and LinkName are the entry's bytes as <see cref="RunF.Interop.PosixString"/>
/// carries them: a byte that is not UTF-8 stays that byte on its way to the kernel.
/// </summary>
internal sealed class LayerEntry
{
    public EntryKind Kind { get; init; }

    /// <summary>The type flag as the header has it, for the error about an unsupported one.</summary>
    public char TypeFlag { get; init; }

    public required string Name { get; init; }
    public string LinkName { get; init; } = "";

    /// <summary>Permission bits with setuid, setgid and sticky (07777).</summary>
    public uint Mode { get; init; }
    public int Uid { get; init; }
    public int Gid { get; init; }
    public DateTimeOffset ModificationTime { get; init; }

    /// <summary>Bytes of data that follow the header (regular files).</summary>
    public long Size { get; init; }

    /// <summary>SCHILY.xattr.NAME records: the name, and the value as the bytes it is.</summary>
    public List<KeyValuePair<string, byte[]>>? Xattrs { get; init; }
}
