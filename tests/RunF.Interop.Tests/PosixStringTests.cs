using System.Text;
using RunF.Runtime.Tests;

namespace RunF.Interop.Tests;

/// <summary>Bytes through strings without loss, and through the marshaller to the kernel and back.</summary>
public sealed class PosixStringTests : TempDirectoryTest
{
    [Fact]
    public void Every_byte_string_survives_decode_and_encode()
    {
        var random = new Random(17);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            var text = PosixString.Decode(bytes);
            Assert.Equal(bytes, PosixString.Encode(text));
            Assert.Equal(bytes.Length, PosixString.GetByteCount(text));
        }
    }

    [Fact]
    public void Valid_utf8_decodes_as_dotnet_does_and_invalid_bytes_become_escapes()
    {
        Assert.Equal("héllo 😀", PosixString.Decode("héllo 😀"u8));
        Assert.Equal("a\uDCFF\uDCFEb", PosixString.Decode([0x61, 0xff, 0xfe, 0x62]));
        // A truncated sequence: each byte of it is escaped, the valid byte after it is kept.
        Assert.Equal("\uDCE2\uDC82x", PosixString.Decode([0xe2, 0x82, 0x78]));
        Assert.False(PosixString.HasEscapes("héllo"));
        Assert.True(PosixString.HasEscapes("a\uDCFF"));
    }

    [Fact]
    public void A_character_whose_low_surrogate_looks_like_an_escape_is_encoded_whole()
    {
        // U+10080 is the pair D800 DC80: DC80 ends a valid pair here, it is no escaped byte.
        const string text = "\uD800\uDC80";
        Assert.Equal(Encoding.UTF8.GetBytes(text), PosixString.Encode(text));
        Assert.Equal(text, PosixString.Decode(Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void A_name_that_is_not_utf8_reaches_the_kernel_as_its_bytes()
    {
        byte[] name = [0x72, 0xff, 0x72];
        byte[] other = [0x72, 0xef, 0xbf, 0xbd, 0x72]; // what .NET's UTF-8 marshalling would make of it
        Assert.Equal(0, Libc.MkDir(Path.Combine(Dir, PosixString.Decode(name)), 0x1ed));

        using var dir = Libc.Open(Dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        var entries = new List<(string Name, byte Type)>();
        Assert.Equal(0, DirectoryEntries.Read(dir, entries));
        Assert.Equal(name, PosixString.Encode(Assert.Single(entries).Name));
        Assert.True(Libc.IsDirectory(Path.Combine(Dir, PosixString.Decode(name))));
        Assert.Null(Libc.Stat(Path.Combine(Dir, PosixString.Decode(other))));
        Assert.Equal(Path.Combine(Dir, PosixString.Decode(name)), Libc.RealPath(Path.Combine(Dir, PosixString.Decode(name))));
        // .NET's Directory.Delete cannot name it either.
        Assert.Equal(0, Libc.RmDir(Path.Combine(Dir, PosixString.Decode(name))));
    }

    [Fact]
    public void A_long_path_goes_through_the_heap_buffer()
    {
        var name = PosixString.Decode([.. Enumerable.Repeat((byte)0xfe, 200)]);
        var path = Path.Combine(Dir, name, name);
        Assert.True(PosixString.GetByteCount(path) > 256);
        Assert.Equal(0, Libc.MkDir(Path.Combine(Dir, name), 0x1ed));
        Assert.Equal(0, Libc.MkDir(path, 0x1ed));
        Assert.True(Libc.IsDirectory(path));
        Assert.Equal(0, Libc.RmDir(path));
        Assert.Equal(0, Libc.RmDir(Path.Combine(Dir, name)));
    }

    [Fact]
    public void Cmdline_items_split_at_nul_and_decode_as_bytes()
    {
        Assert.Equal(["runf", "a\uDCFF", ""], PosixArguments.Split([0x72, 0x75, 0x6e, 0x66, 0, 0x61, 0xff, 0, 0]));
    }
}
