using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>
/// runf -t, driven from a real terminal (PseudoTerminal: a pty whose slave is runf's controlling
/// terminal and stdio): the command gets a terminal of the container's own devpts, typed keys and
/// window sizes reach it, and runf's terminal is as it was afterwards.
/// </summary>
[Collection(RunfCollection.Name)]
public class TerminalTests(TestEnvironment env)
{
    private PseudoTerminal Start(string[] args, ushort rows = 33, ushort columns = 101, bool stdinIsTerminal = true)
    {
        var terminal = PseudoTerminal.Open(rows, columns);
        terminal.Start(env.Runf, args, env.Dir, stdinIsTerminal);
        return terminal;
    }

    [Fact]
    public void The_command_gets_a_terminal_of_the_containers_own_devpts_at_runfs_size()
    {
        // A second pty held open, so that the host has more than one: the container must see none of them.
        using var other = PseudoTerminal.Open(24, 80);
        using var terminal = Start(["-t", "sh", "-c", "tty; test -t 0 -a -t 1 -a -t 2 && echo all-terminals; stty size; echo pts: $(ls /dev/pts)"]);
        Assert.Equal(0, terminal.WaitForExit());
        var lines = terminal.Output.Replace("\r", "").Split('\n');
        Assert.Equal(["/dev/pts/0", "all-terminals", "33 101", "pts: 0 ptmx"], lines[..4]);
        Assert.NotEqual("/dev/pts/0", terminal.SlavePath);
        Assert.True(Directory.GetFiles("/dev/pts").Length >= 3, "the host has its ptmx and at least the two ptys opened here");
    }

    [Fact]
    public void Typed_input_reaches_the_command_and_runfs_terminal_is_raw_meanwhile_and_restored_after()
    {
        using var terminal = Start(["-it", "sh", "-c", "echo ready; read line; echo \"got:$line\""]);
        var before = terminal.InitialModes;
        terminal.WaitFor("ready");
        Assert.NotEqual(before, terminal.Modes());
        terminal.Type("hello\r");
        terminal.WaitFor("got:hello");
        Assert.Equal(0, terminal.WaitForExit());
        Assert.Equal(before, terminal.Modes());
    }

    [Fact]
    public void Ctrl_C_interrupts_the_foreground_command_and_runf_exits_130()
    {
        // With --init the command is not PID 1, which would ignore a SIGINT it has no handler for (as under docker run -t).
        using var terminal = Start(["-it", "--init", "sh", "-c", "echo ready; sleep 100"]);
        var before = terminal.InitialModes;
        terminal.WaitFor("ready");
        terminal.Type("\x03");
        Assert.Equal(130, terminal.WaitForExit(10_000));
        Assert.Equal(before, terminal.Modes());
    }

    [Fact]
    public void A_resize_of_runfs_terminal_reaches_the_command()
    {
        using var terminal = Start(["-it", "sh", "-c", "trap 'stty size' WINCH; trap 'exit 3' INT; echo ready; while :; do sleep 0.1; done"]);
        terminal.WaitFor("ready");
        terminal.Resize(40, 120);
        terminal.WaitFor("40 120");
        terminal.Type("\x03");
        Assert.Equal(3, terminal.WaitForExit());
    }

    /// <summary>SIGTERM is forwarded and ends the container, then runf; SIGALRM ends runf itself, in the middle of the relay.</summary>
    [Theory]
    [InlineData(15, 143)]
    [InlineData(14, 142)]
    public void A_signal_that_ends_the_run_leaves_runfs_terminal_restored(int signal, int exitCode)
    {
        using var terminal = Start(["-it", "--init", "sh", "-c", "echo ready; sleep 100"]);
        var before = terminal.InitialModes;
        terminal.WaitFor("ready");
        Assert.NotEqual(before, terminal.Modes());
        Runf.Signal(terminal.Pid, signal);
        Assert.Equal(exitCode, terminal.WaitForExit());
        Assert.Equal(before, terminal.Modes());
    }

    [Fact]
    public void Without_a_terminal_on_stdin_t_still_gives_one_and_stdout_and_stderr_come_through_it()
    {
        var r = Runf.Run(env, ["-t", "sh", "-c", "tty; echo out; echo err >&2; read line; echo \"got:$line\"; cat; echo end"], stdin: "in\nmore\n");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        var output = r.Stdout.Replace("\r", "");
        foreach (var line in (string[])["/dev/pts/0", "out", "err", "got:in", "more", "end"])
        {
            Assert.Contains(line + "\n", output);
        }
    }

    [Fact]
    public void Interactive_with_tty_needs_a_terminal_on_stdin_as_docker_run_it_does()
    {
        var r = Runf.Run(env, ["-it", "true"], stdin: "");
        Assert.Equal(125, r.ExitCode);
        Assert.Equal("runf: the input device is not a TTY: -it needs runf's stdin to be a terminal (drop -i, and -t still gives the command one)\n", r.Stderr);
    }

    [Fact]
    public void Dry_run_shows_the_terminal_step_only_with_t()
    {
        const string Step = "open a terminal in /dev/pts as stdin, stdout and stderr  [size unknown, controlling terminal]";
        Assert.Contains(Step, Runf.Run(env, "--dry-run", "-t", "true").Stdout);
        Assert.DoesNotContain("open a terminal", Runf.Run(env, "--dry-run", "true").Stdout);
    }
}
