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

    /// <summary>
    /// With -t the command's controlling terminal is a pty of the container's own devpts: a push
    /// (seccomp off, so that nothing but the terminal stops it) through stdin or /dev/tty lands in
    /// that pty, which the command reads itself, and never in the executor's terminal, where runf
    /// writes its output. The control is the same probe on the executor's terminal without runf:
    /// its '#' waits there for the executor's shell.
    /// </summary>
    [Theory]
    [InlineData("tiocsti", "ioctl(0, TIOCSTI)")]
    [InlineData("tiocsti-tty", "ioctl(open(/dev/tty), TIOCSTI)")]
    public void TIOCSTI_under_t_pushes_into_the_containers_own_terminal_only(string action, string attack)
    {
        int PushedIntoTheExecutorsTerminal(string program, string[] args, bool stdinIsTerminal, out string output, out int exit)
        {
            using var terminal = PseudoTerminal.Open(24, 80);
            terminal.MakeRaw(); // so that a single character counts as pending input
            terminal.Start(program, args, Env.Dir, stdinIsTerminal);
            exit = terminal.WaitForExit();
            output = terminal.Output.Replace("\r", "").Trim();
            return terminal.PendingInput();
        }

        var control = PushedIntoTheExecutorsTerminal(World.ProbeBinary, [action], stdinIsTerminal: true, out var controlReport, out _);
        Assert.True(controlReport == "ok" && control == 1, $"the probe run directly on the executor's terminal should push one byte into it: {controlReport}, {control} pending");

        var pushed = PushedIntoTheExecutorsTerminal(Env.Runf, ["--rootfs", World.Rootfs, "-t", "--seccomp", "unconfined", "probe", action],
            stdinIsTerminal: false, out var report, out var exitCode);
        Outcome($"{attack} under -t, seccomp off: bytes reaching the executor's terminal", $"{pushed} pending", "0 pending");
        // It went somewhere: the container's own terminal echoes the '#' the probe pushed into it.
        Assert.True(exitCode == 0 && report == "#ok", $"the push into the container's own terminal should succeed: exit {exitCode}, {report}");
    }
}
