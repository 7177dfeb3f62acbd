using System.IO.Pipes;
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
        // runf-init makes the command not PID 1, which would ignore a SIGINT it has no handler for (as under docker run -t).
        using var terminal = Start(["-it", "sh", "-c", "echo ready; sleep 100"]);
        var before = terminal.InitialModes;
        terminal.WaitFor("ready");
        terminal.Type("\x03");
        Assert.Equal(130, terminal.WaitForExit(10_000));
        Assert.Equal(before, terminal.Modes());
    }

    /// <summary>
    /// The command leads its own process group, the terminal's foreground one, so that the
    /// terminal's Ctrl-C reaches it once: not also runf-init, which would pass it on again.
    /// </summary>
    [Fact]
    public void The_command_is_the_foreground_process_group_of_its_terminal_and_runf_init_is_not()
    {
        // /proc/PID/stat: field 5 is the process group, 8 the terminal's foreground group.
        using var terminal = Start(["-t", "sh", "-c", "read -r a b c d pgrp f g tpgid rest < /proc/$$/stat; echo \"self=$$ pgrp=$pgrp tpgid=$tpgid\""]);
        Assert.Equal(0, terminal.WaitForExit());
        Assert.Contains("self=2 pgrp=2 tpgid=2", terminal.Output);
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
        using var terminal = Start(["-it", "sh", "-c", "echo ready; sleep 100"]);
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

    /// <summary>`runf -t cmd | head -1`: once nobody reads runf's output the terminal is hung up, as a closed terminal window is.</summary>
    [Fact]
    public void When_runfs_output_is_closed_the_commands_terminal_hangs_up()
    {
        using var p = Runf.Start(env, ["-t", "sh", "-c", "while :; do echo y; done"]);
        p.StandardInput.Close();
        Assert.Equal("y", p.StandardOutput.ReadLine()?.TrimEnd('\r'));
        p.StandardOutput.Close();
        Assert.True(p.WaitForExit(10_000), "runf went on after its stdout was closed");
        Assert.Equal(129, p.ExitCode); // the command's SIGHUP
    }

    /// <summary>The same with runf's stdin on a terminal: the resize relay's copy of the master must not keep it open.</summary>
    [Fact]
    public void When_runfs_output_is_closed_the_commands_terminal_hangs_up_with_a_terminal_on_stdin_too()
    {
        using var terminal = PseudoTerminal.Open(24, 80);
        using var output = new AnonymousPipeServerStream(PipeDirection.In, HandleInheritability.None);
        using (var writeEnd = output.ClientSafePipeHandle)
        {
            terminal.Start(env.Runf, ["-it", "sh", "-c", "while :; do echo y; done"], env.Dir, stdoutFd: (int)writeEnd.DangerousGetHandle());
        }
        output.DisposeLocalCopyOfClientHandle();
        using (var reader = new StreamReader(output, leaveOpen: true))
        {
            Assert.Equal("y", reader.ReadLine()?.TrimEnd('\r'));
        }
        output.Dispose();
        Assert.Equal(129, terminal.WaitForExit(10_000));
        Assert.Equal(terminal.InitialModes, terminal.Modes());
    }

    /// <summary>
    /// A process outside the container that holds its terminal (here through /proc/PID/fd/0, which
    /// the container's owner may open) keeps the master from reporting EIO: runf still ends about a
    /// second after the command, with its status.
    /// </summary>
    [Fact]
    public void A_terminal_held_open_outside_the_container_does_not_hold_runf()
    {
        using var p = Runf.Start(env, ["-t", "sh", "-c", "echo ready; read line; exit 5"]);
        Assert.Equal("ready", p.StandardOutput.ReadLine()?.TrimEnd('\r'));
        var container = Assert.Single(Runf.ChildrenOf(p.Id));
        var holderStart = Runf.Unprivileged("sh", ["-c", $"exec sleep 60 < /proc/{container}/fd/0"]);
        holderStart.RedirectStandardError = true;
        using var holder = System.Diagnostics.Process.Start(holderStart)!;
        try
        {
            Thread.Sleep(300);
            Assert.False(holder.HasExited, holder.HasExited ? holder.StandardError.ReadToEnd() : "");
            p.StandardInput.WriteLine("go");
            p.StandardInput.Close();
            Assert.True(p.WaitForExit(10_000), "runf waited for the terminal held outside");
            Assert.Equal(5, p.ExitCode);
        }
        finally
        {
            holder.Kill();
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
