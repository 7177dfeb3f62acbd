using RunF.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>
/// TIOCSTI pushes keystrokes into a terminal's input queue: a container on the executor's
/// terminal could type commands into the executor's shell after it exits. The kernel allows it
/// on the caller's controlling terminal (dev.tty.legacy_tiocsti = 1 here) unless the container
/// runs in a session of its own, where it fails with EPERM.
/// </summary>
[Collection(AttackCollection.Name)]
public class TerminalAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "terminal")
{
    [Fact]
    public void TIOCSTI_on_the_inherited_terminal_fails_with_EPERM()
    {
        // script(1) gives runf a pty as its controlling terminal and stdin, as an interactive executor would.
        var command = $"{Env.Runf} --rootfs {World.Rootfs} probe tiocsti";
        var psi = Runf.Unprivileged("timeout", ["20", "script", "-qec", command, "/dev/null"]);
        psi.WorkingDirectory = Env.Dir;
        psi.RedirectStandardOutput = psi.RedirectStandardError = psi.RedirectStandardInput = true;
        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        // The report is the last line; a successful injection also echoes the '#' it pushed.
        var report = stdout.Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? $"no output, exit {p.ExitCode}";
        Outcome("ioctl(0, TIOCSTI) on the executor's pty", report.TrimStart('#'), "EPERM");
    }
}
