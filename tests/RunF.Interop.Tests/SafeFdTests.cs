using RunF.Runtime.Tests;

namespace RunF.Interop.Tests;

/// <summary>Descriptors closed by scope, borrowed ones never, and handed over to .NET's SafeFileHandle once.</summary>
public sealed class SafeFdTests : TempDirectoryTest
{
    private static bool IsOpen(nint fd) => Path.Exists($"/proc/self/fd/{fd}");

    [Fact]
    public void Dispose_closes_the_descriptor()
    {
        var fd = Libc.Open(Dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        var number = fd.DangerousGetHandle();
        Assert.True(IsOpen(number));
        fd.Dispose();
        Assert.False(IsOpen(number));
    }

    [Fact]
    public void A_borrowed_descriptor_stays_open()
    {
        using var owner = Libc.Open(Dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        SafeFd.Borrow((int)owner.DangerousGetHandle()).Dispose();
        Assert.True(IsOpen(owner.DangerousGetHandle()));
    }

    [Fact]
    public unsafe void A_handed_over_descriptor_is_closed_by_its_new_owner_only()
    {
        var path = Path.Combine(Dir, "f");
        File.WriteAllText(path, "data");
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        var number = fd.DangerousGetHandle();
        var file = fd.ToFileHandle();
        fd.Dispose();
        Assert.True(IsOpen(number));
        Assert.Equal(4, RandomAccess.GetLength(file));
        file.Dispose();
        Assert.False(IsOpen(number));
    }

    /// <summary>open returns a C int: read as a pointer-sized handle, its -1 would look valid.</summary>
    [Theory]
    [InlineData("open")]
    [InlineData("openat")]
    [InlineData("openat2")]
    public void A_failed_open_is_invalid_and_leaves_errno(string call)
    {
        using var dir = Libc.Open(Dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        using var fd = call switch
        {
            "open" => Libc.Open(Path.Combine(Dir, "missing"), Libc.O_RDONLY | Libc.O_CLOEXEC),
            "openat" => Libc.OpenAt(dir, "missing", Libc.O_RDONLY | Libc.O_CLOEXEC),
            _ => Libc.OpenAt2(dir, "missing", Libc.O_RDONLY | Libc.O_CLOEXEC, Libc.RESOLVE_IN_ROOT),
        };
        Assert.True(fd.IsInvalid);
        Assert.Equal(Errno.ENOENT, Errno.Last);
    }
}
