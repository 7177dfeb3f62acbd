using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>
/// Arguments, environment values and paths are bytes: ones that are not UTF-8 reach the container
/// (and the host's file system) as they were given, never as U+FFFD. .NET's own argv, environment
/// and file APIs replace them, so each test passes them from bash ($'\xff') and reads them back as
/// hex with od, in the container or on the host.
/// </summary>
[Collection(RunfCollection.Name)]
public class NonUtf8BytesTests(TestEnvironment env)
{
    [Fact]
    public void An_argument_reaches_the_command_and_its_cmdline_as_bytes()
    {
        var output = Bash("""
            ./runf sh -c 'printf %s "$1" | od -An -tx1' _ $'a\xff\xfeb'
            ./runf cat /proc/self/cmdline $'\xe9t\xe9' | od -An -tx1 | tr -d '\n'; echo
            """);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("61 ff fe 62", lines[0].Trim());
        // cat's cmdline: "cat\0/proc/self/cmdline\0\xe9t\xe9\0".
        Assert.EndsWith("65 00 e9 74 e9 00", Squeeze(lines[1]));
    }

    [Fact]
    public void Environment_values_from_e_the_executor_and_an_env_file_are_bytes()
    {
        var dir = env.NewDir("envbytes");
        File.WriteAllBytes(Path.Combine(dir, "env"), [.. "FILEV=f"u8, 0xfd, (byte)'\n']);
        var output = Bash($"""
            export FROMHOST=$'h\xff'
            ./runf -e FROMHOST -e $'GIVEN=g\xfe' --env-file {dir}/env sh -c 'printf "%s|%s|%s" "$FROMHOST" "$GIVEN" "$FILEV" | od -An -tx1'
            """);
        Assert.Equal("68 ff 7c 67 fe 7c 66 fd", Squeeze(output));
    }

    [Fact]
    public void A_rootfs_and_a_bind_source_whose_names_are_not_utf8_are_found()
    {
        var output = Bash("""
            set -e
            cp -a rootfs "$d"/$'root\xff'
            mkdir "$d"/$'src\xfe' "$d"/$'src\xef\xbf\xbd'
            echo right > "$d"/$'src\xfe'/f
            echo wrong > "$d"/$'src\xef\xbf\xbd'/f
            ./runf --rootfs "$d"/$'root\xff' --bind "$d"/$'src\xfe':/mnt cat /mnt/f
            """);
        // Before: "rootfs .../root\uFFFD not found"; with that fixed, the bind took src\uFFFD, the other directory.
        Assert.Equal("right\n", output);
    }

    [Fact]
    public void A_report_path_that_is_not_utf8_is_the_file_written()
    {
        var output = Bash("""
            ./runf --report "$d"/$'report\xff.json' true && ls "$d" | od -An -tx1
            """);
        Assert.Equal("72 65 70 6f 72 74 ff 2e 6a 73 6f 6e 0a", Squeeze(output));
    }

    private static string Squeeze(string hex) => string.Join(' ', hex.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>
    /// Runs a bash script as the unprivileged test user in the test directory, with $d a fresh
    /// directory of its own (removed after); fails on a non-zero exit.
    /// </summary>
    private string Bash(string script)
    {
        var file = Path.Combine(env.NewDir("script"), "test.sh");
        File.WriteAllText(file, "d=$(mktemp -d /tmp/runf-bytes-XXXXXX) && trap 'rm -rf \"$d\"' EXIT\n" + script);
        using var p = Runf.Start(env, [file], program: "/bin/bash");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "the script did not finish in 60 s");
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}\nstdout: {stdout.Result}\nstderr: {stderr.Result}");
        return stdout.Result;
    }
}
