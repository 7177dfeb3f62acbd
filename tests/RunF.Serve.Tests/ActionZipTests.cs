using System.IO.Compression;
using System.Text;
using RunF.Interop;
using RunF.Serve.OpenWhisk;

namespace RunF.Serve.Tests;

/// <summary>
/// An OpenWhisk action's zip is hostile input: each attack is a zip that tries to write or point
/// outside the action's directory, or to fill the disk, and each must be refused with one line
/// and leave nothing outside. The code directory sits inside a "host" directory that stands for
/// everything the agent could reach.
/// </summary>
public sealed class ActionZipTests : IDisposable
{
    private const uint Regular = 0x8000, Directory = 0x4000, Symlink = 0xA000, Fifo = 0x1000;

    private readonly string _host = System.IO.Directory.CreateTempSubdirectory("runf-action-zip-").FullName;
    private readonly string _code;
    private readonly SafeFd _codeFd;

    public ActionZipTests()
    {
        _code = Path.Combine(_host, "code");
        System.IO.Directory.CreateDirectory(_code);
        _codeFd = Libc.Open(_code, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        File.WriteAllText(Path.Combine(_host, "secret"), "host file");
        System.IO.Directory.CreateDirectory(Path.Combine(_host, "elsewhere"));
    }

    public void Dispose()
    {
        _codeFd.Dispose();
        System.IO.Directory.Delete(_host, recursive: true);
    }

    private static byte[] Zip(params (string Name, string Content, uint Mode)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content, mode) in entries)
            {
                var entry = zip.CreateEntry(name);
                entry.ExternalAttributes = (int)(mode << 16);
                using var stream = entry.Open();
                stream.Write(Encoding.UTF8.GetBytes(content));
            }
        }
        return buffer.ToArray();
    }

    private void Install(byte[] zip, long max = 1 << 20) =>
        ActionInstaller.Install(_codeFd, Convert.ToBase64String(zip), binary: true, max);

    private string Refused(byte[] zip, long max = 1 << 20) => Assert.Throws<ActionCodeException>(() => Install(zip, max)).Message;

    /// <summary>The host directory holds only what the test put there and the code directory.</summary>
    private void AssertHostUntouched()
    {
        Assert.Equal(["code", "elsewhere", "secret"], System.IO.Directory.GetFileSystemEntries(_host).Select(Path.GetFileName).Order());
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(Path.Combine(_host, "elsewhere")));
        Assert.Equal("host file", File.ReadAllText(Path.Combine(_host, "secret")));
    }

    [Fact]
    public void An_action_zip_is_installed_with_its_exec_executable_and_links_inside_kept()
    {
        Install(Zip(("exec", "#!/bin/sh\ncat lib/data\n", Regular | 0x1a4), ("lib/data", "data", Regular | 0x1a4),
            ("lib/tool", "tool", Regular | 0x9ed), ("bin/", "", Directory | 0x1ed), ("bin/data", "../lib/data", Symlink | 0x1ff)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(Path.Combine(_code, "exec")));
        Assert.Equal("data", File.ReadAllText(Path.Combine(_code, "bin", "data")));
        Assert.Equal("../lib/data", new FileInfo(Path.Combine(_code, "bin", "data")).LinkTarget);
        // The zip's setuid bit (04755) is dropped: 0755.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute,
            File.GetUnixFileMode(Path.Combine(_code, "lib", "tool")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(Path.Combine(_code, "lib", "data")));
    }

    [Fact]
    public void Binary_code_that_is_not_a_zip_is_the_executable_itself()
    {
        ActionInstaller.Install(_codeFd, Convert.ToBase64String("#!/bin/sh\necho '{}'\n"u8.ToArray()), binary: true, 1 << 20);
        Assert.Equal("#!/bin/sh\necho '{}'\n", File.ReadAllText(Path.Combine(_code, "exec")));
        Assert.True(File.GetUnixFileMode(Path.Combine(_code, "exec")).HasFlag(UnixFileMode.OtherExecute));
    }

    [Fact]
    public void Text_code_is_the_executable_itself()
    {
        ActionInstaller.Install(_codeFd, "#!/bin/sh\necho '[]'\n", binary: false, 1 << 20);
        Assert.Equal("#!/bin/sh\necho '[]'\n", File.ReadAllText(Path.Combine(_code, "exec")));
        Assert.True(File.GetUnixFileMode(Path.Combine(_code, "exec")).HasFlag(UnixFileMode.OtherExecute));
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("../elsewhere/planted")]
    [InlineData("lib/../../elsewhere/planted")]
    [InlineData("/tmp/planted")]
    public void An_entry_that_climbs_out_or_is_absolute_is_refused(string name)
    {
        var message = Refused(Zip(("exec", "x", Regular | 0x1ed), (name, "pwned", Regular | 0x1a4)));
        Assert.StartsWith($"the action's zip entry \"{name}\" is refused: ", message);
        AssertHostUntouched();
        Assert.False(File.Exists("/tmp/planted"));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("..")]
    [InlineData("../secret")]
    [InlineData("lib/../../elsewhere")]
    public void A_symlink_that_leads_outside_is_refused(string target)
    {
        var message = Refused(Zip(("exec", "x", Regular | 0x1ed), ("lib/", "", Directory | 0x1ed), ("link", target, Symlink | 0x1ff)));
        Assert.Contains("\"link\" is refused", message);
        AssertHostUntouched();
    }

    [Fact]
    public void A_chain_of_links_each_inside_on_its_own_that_leads_outside_is_refused()
    {
        // dir/up -> .. is the code directory; dir/out -> up/.. reads as "dir" to a lexical check,
        // and is the code directory's parent (the host) to the kernel.
        var message = Refused(Zip(("exec", "x", Regular | 0x1ed), ("dir/up", "..", Symlink | 0x1ff), ("dir/out", "up/..", Symlink | 0x1ff)));
        Assert.Equal("the action's zip entry \"dir/out\" is refused: it is a symlink that leads outside the action", message);
        AssertHostUntouched();
    }

    [Fact]
    public void An_entry_written_through_a_symlink_is_refused_and_nothing_lands_where_the_link_points()
    {
        var message = Refused(Zip(("exec", "x", Regular | 0x1ed), ("out", "../elsewhere", Symlink | 0x1ff), ("out/planted", "pwned", Regular | 0x1a4)));
        Assert.Contains("\"out/planted\" is refused: its path goes through out, which is a symlink or a file", message);
        AssertHostUntouched();
    }

    [Fact]
    public void A_zip_bomb_stops_at_the_limit_whatever_its_headers_say()
    {
        var zip = Zip(("exec", "x", Regular | 0x1ed), ("zeros", new string('\0', 8 << 20), Regular | 0x1a4));
        Assert.True(zip.Length < 64 * 1024, "the test needs a small zip that inflates to 8 MiB");
        var message = Refused(zip, max: 1 << 20);
        Assert.Equal("the action's files take more than max_action_size (1 MiB): raise --max-action-size, or make the action smaller", message);
        Assert.True(new FileInfo(Path.Combine(_code, "zeros")).Length <= (1 << 20) + 64 * 1024, "more than the limit was written");
    }

    [Fact]
    public void Too_many_entries_or_too_deep_a_path_are_refused()
    {
        var many = Zip([.. Enumerable.Range(0, ActionZip.MaxEntries + 1).Select(i => ($"f{i}", "", Regular | 0x1a4))]);
        Assert.Contains("more than the 65536 runf serve installs", Refused(many, max: 16 << 20));
        var deep = string.Join('/', Enumerable.Repeat("d", ActionZip.MaxDepth + 1));
        Assert.Contains("nested deeper than 128 directories", Refused(Zip((deep, "x", Regular | 0x1a4))));
    }

    [Fact]
    public void Devices_fifos_and_duplicate_entries_are_refused()
    {
        Assert.Contains("only files, directories and symlinks are installed", Refused(Zip(("exec", "x", Regular | 0x1ed), ("pipe", "", Fifo | 0x1a4))));
        System.IO.Directory.Delete(_code, recursive: true);
        System.IO.Directory.CreateDirectory(_code);
        using var fresh = Libc.Open(_code, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        var twice = Zip(("exec", "x", Regular | 0x1ed), ("exec", "y", Regular | 0x1ed));
        Assert.Contains("it is in the zip twice", Assert.Throws<ActionCodeException>(() => ActionInstaller.Install(fresh, Convert.ToBase64String(twice), true, 1 << 20)).Message);
    }

    [Fact]
    public void The_exec_must_be_a_regular_file_at_the_top()
    {
        Assert.Equal("the action's zip has no exec file at its top: put the action's executable there, named exec",
            Refused(Zip(("bin/exec", "x", Regular | 0x1ed))));
        System.IO.Directory.Delete(_code, recursive: true);
        System.IO.Directory.CreateDirectory(_code);
        using var fresh = Libc.Open(_code, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
        var linked = Zip(("real", "x", Regular | 0x1ed), ("exec", "real", Symlink | 0x1ff));
        Assert.Equal("the action's exec is a symlink: it must be the executable itself",
            Assert.Throws<ActionCodeException>(() => ActionInstaller.Install(fresh, Convert.ToBase64String(linked), true, 1 << 20)).Message);
    }

    [Fact]
    public void Code_past_the_limit_or_not_base64_is_refused_before_anything_is_written()
    {
        Assert.StartsWith("the action's code is ", Assert.Throws<ActionCodeException>(() => ActionInstaller.Install(_codeFd, new string('x', 2000), false, 1000)).Message);
        Assert.Equal("value.code of the /init request is not base64, and value.binary is true",
            Assert.Throws<ActionCodeException>(() => ActionInstaller.Install(_codeFd, "not base64!", true, 1000)).Message);
        Assert.Empty(System.IO.Directory.GetFileSystemEntries(_code));
    }
}
