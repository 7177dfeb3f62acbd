using RunF.Interop;
using static RunF.RootfsTools.Layers.TarFields;

namespace RunF.RootfsTools.Layers;

/// <summary>
/// Reads a layer's tar entry by entry with names as bytes: ustar (with its prefix field), GNU
/// long names and link names ('L', 'K'), PAX extended headers ('x'; 'g' global ones are read and,
/// as before, not applied), base-256 numbers. System.Formats.Tar decodes every name as UTF-8 and
/// replaces what is not with U+FFFD, so "caf\xe9" and "caf\xff" would both become "caf\uFFFD"
/// (README says more). Names and link targets are decoded with <see cref="PosixString"/>, which
/// keeps each byte; a PAX hdrcharset=BINARY changes nothing, since every value is taken as bytes.
/// GNU sparse files are reported as such, for the applier to refuse.
/// Malformed input throws InvalidDataException or EndOfStreamException.
/// </summary>
internal sealed class LayerTarReader(Stream tar)
{
    /// <summary>Extension data above this is not a name a layer needs, but a way to exhaust memory.</summary>
    private const int MaxExtensionBytes = 1 << 20;

    private readonly byte[] _block = new byte[BlockSize];
    private long _dataLeft;
    private int _padding;

    /// <summary>The next entry, after skipping what is left of the current one's data; null at the end of the archive.</summary>
    public LayerEntry? Next()
    {
        Skip(_dataLeft + _padding);
        _dataLeft = _padding = 0;
        string? longName = null, longLink = null;
        PaxHeader? pax = null;
        while (true)
        {
            if (!ReadBlock())
            {
                return null;
            }
            if (!ChecksumMatches(_block))
            {
                throw new InvalidDataException("a tar header's checksum does not match (not a tar, or corrupt)");
            }
            char type = (char)_block[TypeFlagOffset];
            long size = Number(_block, SizeOffset, NumberLength, "size");
            if (size < 0)
            {
                throw new InvalidDataException("a tar header has a negative size");
            }
            switch (type)
            {
                case 'L':
                    longName = Decode(ReadExtension(size, "GNU long name"));
                    continue;
                case 'K':
                    longLink = Decode(ReadExtension(size, "GNU long link name"));
                    continue;
                case 'x':
                    pax = PaxHeader.Parse(ReadExtension(size, "PAX header"));
                    continue;
                case 'g':
                    // Global records (mostly a comment from git archive) are not applied, as before.
                    PaxHeader.Parse(ReadExtension(size, "PAX global header"));
                    continue;
            }
            return Entry(type, size, longName, longLink, pax);
        }
    }

    private LayerEntry Entry(char type, long headerSize, string? longName, string? longLink, PaxHeader? pax)
    {
        string name = pax?.Path ?? longName ?? FullName();
        string link = pax?.LinkPath ?? longLink ?? Decode(Bytes(_block, LinkNameOffset, NameLength));
        long size = pax?.Size ?? headerSize;
        var kind = type switch
        {
            // A V7 file whose name ends with a slash is a directory, as old tars wrote them.
            '\0' when name.EndsWith('/') => EntryKind.Directory,
            '0' or '\0' or '7' => pax?.Sparse == true ? EntryKind.Sparse : EntryKind.File,
            '1' => EntryKind.HardLink,
            '2' => EntryKind.Symlink,
            '3' => EntryKind.CharacterDevice,
            '4' => EntryKind.BlockDevice,
            '5' => EntryKind.Directory,
            '6' => EntryKind.Fifo,
            'S' => EntryKind.Sparse,
            _ => EntryKind.Unsupported,
        };
        // As Go's archive/tar (docker, containerd, umoci): links, directories, devices and fifos
        // have no data, whatever their size field says.
        long data = kind is EntryKind.File or EntryKind.Sparse or EntryKind.Unsupported ? size : 0;
        _dataLeft = data;
        _padding = (int)((BlockSize - data % BlockSize) % BlockSize);
        return new LayerEntry
        {
            Kind = kind,
            TypeFlag = type,
            Name = name,
            LinkName = link,
            Mode = (uint)(Number(_block, ModeOffset, IdLength, "mode") & 0xFFF),
            Uid = pax?.Uid ?? Id(UidOffset, "uid"),
            Gid = pax?.Gid ?? Id(GidOffset, "gid"),
            ModificationTime = pax?.ModificationTime ?? UnixTime(Number(_block, MtimeOffset, NumberLength, "mtime")),
            Size = kind == EntryKind.File ? size : 0,
            Xattrs = pax?.Xattrs,
        };
    }

    // ustar splits a long name into prefix "/" name.
    private string FullName()
    {
        var name = Bytes(_block, NameOffset, NameLength);
        var prefix = IsUstar(_block) ? Bytes(_block, PrefixOffset, PrefixLength) : default;
        return prefix.IsEmpty ? Decode(name) : Decode([.. prefix, (byte)'/', .. name]);
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => bytes.IsEmpty ? "" : PosixString.Decode(bytes);

    private int Id(int offset, string what)
    {
        long id = Number(_block, offset, IdLength, what);
        return id is >= 0 and <= int.MaxValue ? (int)id : throw new InvalidDataException($"a tar header's {what} {id} is out of range");
    }

    /// <summary>Reads the current entry's data into buffer; 0 at its end.</summary>
    public int ReadData(Span<byte> buffer)
    {
        if (_dataLeft == 0 || buffer.IsEmpty)
        {
            return 0;
        }
        int n = tar.Read(buffer[..(int)Math.Min(buffer.Length, _dataLeft)]);
        if (n == 0)
        {
            throw new EndOfStreamException("the layer ends inside an entry's data (truncated)");
        }
        _dataLeft -= n;
        return n;
    }

    // false at the end of the archive: a zero block, or the end of the stream at a block boundary.
    private bool ReadBlock()
    {
        int n = tar.ReadAtLeast(_block, BlockSize, throwOnEndOfStream: false);
        if (n == 0)
        {
            return false;
        }
        if (n < BlockSize)
        {
            throw new EndOfStreamException("the layer ends inside a tar header (truncated)");
        }
        return _block.AsSpan().IndexOfAnyExcept((byte)0) >= 0;
    }

    private byte[] ReadExtension(long size, string what)
    {
        if (size > MaxExtensionBytes)
        {
            throw new InvalidDataException($"a {what} of {size} bytes is larger than any name ({MaxExtensionBytes} bytes at most)");
        }
        var data = new byte[size];
        tar.ReadExactly(data);
        Skip((BlockSize - size % BlockSize) % BlockSize);
        // GNU terminates its long names with a NUL.
        int nul = Array.IndexOf(data, (byte)0);
        return nul < 0 ? data : data[..nul];
    }

    private void Skip(long count)
    {
        Span<byte> scratch = stackalloc byte[BlockSize];
        while (count > 0)
        {
            int n = tar.Read(scratch[..(int)Math.Min(count, BlockSize)]);
            if (n == 0)
            {
                throw new EndOfStreamException("the layer ends inside an entry (truncated)");
            }
            count -= n;
        }
    }

    /// <summary>The records of a PAX extended header ("LEN KEY=VALUE\n") that the extraction uses.</summary>
    private sealed class PaxHeader
    {
        private const string XattrPrefix = "SCHILY.xattr.";

        public string? Path { get; private set; }
        public string? LinkPath { get; private set; }
        public long? Size { get; private set; }
        public int? Uid { get; private set; }
        public int? Gid { get; private set; }
        public DateTimeOffset? ModificationTime { get; private set; }
        public bool Sparse { get; private set; }
        public List<KeyValuePair<string, byte[]>>? Xattrs { get; private set; }

        public static PaxHeader Parse(ReadOnlySpan<byte> data)
        {
            var pax = new PaxHeader();
            while (!data.IsEmpty)
            {
                int space = data.IndexOf((byte)' ');
                if (space <= 0 || !int.TryParse(data[..space], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int length)
                    || length <= space + 1 || length > data.Length || data[length - 1] != '\n')
                {
                    throw new InvalidDataException("a PAX header record is malformed");
                }
                var record = data[(space + 1)..(length - 1)];
                int equals = record.IndexOf((byte)'=');
                if (equals <= 0)
                {
                    throw new InvalidDataException("a PAX header record has no key");
                }
                pax.Apply(PosixString.Decode(record[..equals]), record[(equals + 1)..]);
                data = data[length..];
            }
            return pax;
        }

        // Values are bytes: a path is decoded losslessly, whatever hdrcharset says.
        private void Apply(string key, ReadOnlySpan<byte> value)
        {
            switch (key)
            {
                case "path":
                    Path = Decode(value);
                    break;
                case "linkpath":
                    LinkPath = Decode(value);
                    break;
                case "size":
                    Size = TarFields.PaxNumber(value, key);
                    break;
                case "uid" or "gid":
                    long id = TarFields.PaxNumber(value, key);
                    int checkedId = id <= int.MaxValue ? (int)id : throw new InvalidDataException($"the PAX record {key}={id} is out of range");
                    if (key == "uid")
                    {
                        Uid = checkedId;
                    }
                    else
                    {
                        Gid = checkedId;
                    }
                    break;
                case "mtime":
                    ModificationTime = TarFields.PaxTime(value, key);
                    break;
                default:
                    if (key.StartsWith("GNU.sparse.", StringComparison.Ordinal))
                    {
                        Sparse = true;
                    }
                    else if (key.StartsWith(XattrPrefix, StringComparison.Ordinal) && key.Length > XattrPrefix.Length)
                    {
                        (Xattrs ??= []).Add(new(key[XattrPrefix.Length..], value.ToArray()));
                    }
                    break;
            }
        }
    }
}
