using RunF.Runtime.Tests;

namespace RunF.Interop.Tests;

/// <summary>errno to one line naming the operation and the path, in the caller's own exception type.</summary>
public sealed class CheckIoTests : TempDirectoryTest
{
    private sealed class ToolException(string message) : Exception(message), IIoException<ToolException>
    {
        public static ToolException FromIoError(string operation, string path, int errno) => new(IoError.Message(operation, path, errno));
    }

    [Fact]
    public void A_failed_open_is_one_line_with_the_operation_the_path_and_the_error()
    {
        var missing = Path.Combine(Dir, "missing");
        var e = Assert.Throws<ToolException>(() => CheckIo<ToolException>.Check(Libc.Open(missing, Libc.O_RDONLY | Libc.O_CLOEXEC), "open", missing));
        Assert.Equal($"cannot open {missing}: No such file or directory", e.Message);
    }

    [Fact]
    public void A_failed_call_keeps_its_errno_for_the_message()
    {
        File.WriteAllText(Path.Combine(Dir, "file"), "");
        var e = Assert.Throws<ToolException>(() => CheckIo<ToolException>.Check(Libc.MkDir(Path.Combine(Dir, "file"), 0x1c0), "create directory", "file"));
        Assert.Equal("cannot create directory file: File exists", e.Message);
    }

    [Fact]
    public void A_successful_call_passes_its_result_through()
    {
        using var fd = CheckIo<ToolException>.Check(Libc.Open(Dir, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC), "open", Dir);
        Assert.False(fd.IsInvalid);
        Assert.Equal(0, CheckIo<ToolException>.Check(Libc.MkDirAt(fd, "sub", 0x1c0), "create directory", "sub"));
        Assert.True(Directory.Exists(Path.Combine(Dir, "sub")));
    }
}
