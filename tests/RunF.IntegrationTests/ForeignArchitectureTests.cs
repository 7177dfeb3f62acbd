using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>
/// Issue 17: a command built for another architecture fails with "Exec format error" and no
/// hint. runf reads the binary's ELF header (after the failure) and names both architectures
/// and the fix, in one line, exit 126.
/// </summary>
[Collection(RunfCollection.Name)]
public sealed class ForeignArchitectureTests(TestEnvironment env)
{
    private static readonly string Host = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.Arm64 ? "arm64" : "amd64";

    private string RootfsWith(params (string Path, byte[] Content)[] files)
    {
        var rootfs = env.CopyRootfs("foreign");
        foreach (var (path, content) in files)
        {
            string full = Path.Combine(rootfs, path);
            File.WriteAllBytes(full, content);
            File.SetUnixFileMode(full, (UnixFileMode)0x1ED);
        }
        return rootfs;
    }

    private static string OneLine(RunResult r, int exitCode)
    {
        Assert.True(r.ExitCode == exitCode, r.ToString());
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("runf: ", line);
        return line;
    }

    [Theory]
    [InlineData("/bin/foreign")]
    [InlineData("foreign")]
    public void A_binary_for_another_architecture_names_both(string command)
    {
        var rootfs = RootfsWith(("bin/foreign", ForeignElf.Bytes()));

        var line = OneLine(Runf.Run(env, "--rootfs", rootfs, command), 126);

        Assert.Contains($"exec \"{command}\": Exec format error: /bin/foreign is a binary for {ForeignElf.Architecture} and this host is {Host}", line);
        Assert.Contains($"--platform linux/{Host}", line);
        Assert.Contains($"skopeo copy --override-arch {Host}", line);
    }

    [Fact]
    public void A_script_whose_interpreter_is_foreign_names_the_interpreter()
    {
        var rootfs = RootfsWith(("bin/foreign", ForeignElf.Bytes()), ("bin/script", "#!/bin/foreign -x\necho hi\n"u8.ToArray()));

        var line = OneLine(Runf.Run(env, "--rootfs", rootfs, "/bin/script"), 126);

        Assert.Contains($"/bin/foreign, the interpreter of /bin/script, is a binary for {ForeignElf.Architecture} and this host is {Host}", line);
    }

    [Fact]
    public void A_file_that_is_no_program_says_so()
    {
        var rootfs = RootfsWith(("bin/notes", "just text\n"u8.ToArray()));

        var line = OneLine(Runf.Run(env, "--rootfs", rootfs, "/bin/notes"), 126);

        Assert.Contains("exec \"/bin/notes\": Exec format error: /bin/notes is neither an ELF binary nor a script starting with #!", line);
    }
}
