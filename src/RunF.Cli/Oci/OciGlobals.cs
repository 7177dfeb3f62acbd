using System.Text;
using RunF.Runtime.IO;
using RunF.Runtime.Oci;

namespace RunF.Cli.Oci;

/// <summary>
/// The global options engines put before runc's verbs (--root, --log, --log-format,
/// --systemd-cgroup, --debug), and the log they ask for: with --log FILE, warnings go to the file
/// and errors to the file and stderr (conmon and the containerd shim read the file's "msg"), as
/// runc's logrus lines ({"level","msg","time"} with --log-format json).
/// </summary>
public sealed class OciGlobals
{
    public string? Root { get; private set; }
    public string? LogFile { get; private set; }
    public bool Json { get; private set; }
    public bool SystemdCgroup { get; private set; }

    /// <summary>The options that may come before the verb; each takes a value unless listed in Switches.</summary>
    private static readonly string[] WithValue = ["--root", "--log", "--log-format", "--criu", "--rootless"];
    private static readonly string[] Switches = ["--systemd-cgroup", "--debug"];

    /// <summary>Reads the global options at the start of args; returns the index of the verb.</summary>
    public static int Parse(string[] args, OciGlobals? into)
    {
        var i = 0;
        while (i < args.Length)
        {
            var arg = args[i];
            var eq = arg.IndexOf('=');
            var name = eq > 0 ? arg[..eq] : arg;
            if (Switches.Contains(name))
            {
                into?.Set(name, "true");
                i++;
            }
            else if (WithValue.Contains(name) && (eq > 0 || i + 1 < args.Length))
            {
                into?.Set(name, eq > 0 ? arg[(eq + 1)..] : args[i + 1]);
                i += eq > 0 ? 1 : 2;
            }
            else
            {
                break;
            }
        }
        return i;
    }

    private void Set(string name, string value)
    {
        switch (name)
        {
            case "--root": Root = value; break;
            case "--log": LogFile = value; break;
            case "--log-format":
                Json = value switch
                {
                    "json" => true,
                    "text" => false,
                    _ => throw new Runtime.Errors.RunfException($"invalid --log-format \"{value}\": expected text or json"),
                };
                break;
            case "--systemd-cgroup": SystemdCgroup = value != "false"; break;
            case "--rootless" when value is not ("auto" or "true" or "false"):
                throw new Runtime.Errors.RunfException($"invalid --rootless \"{value}\": expected true, false or auto");
        }
        // --debug and --rootless (runf decides from its uid and user namespace) change nothing; --criu is for checkpoint, which runf refuses as a verb.
    }

    public OciRuntime Runtime()
    {
        if (SystemdCgroup)
        {
            throw new Runtime.Errors.RunfException("--systemd-cgroup is not supported by runf: it manages cgroupfs paths only (podman: --cgroup-manager=cgroupfs; containerd: SystemdCgroup = false)");
        }
        return new OciRuntime(OciStateStore.Open(Root), Warn);
    }

    public void Warn(string message)
    {
        if (LogFile is null)
        {
            Console.Error.WriteLine($"runf: warning: {message}");
            return;
        }
        Append("warning", message);
    }

    /// <summary>An error line into --log (stderr has it already, from Failures).</summary>
    public void Error(string message)
    {
        if (LogFile is not null)
        {
            Append("error", message);
        }
    }

    private void Append(string level, string message)
    {
        var now = DateTimeOffset.UtcNow.ToString("O");
        var line = Json
            ? Encoding.UTF8.GetString(JsonText.Write(json =>
            {
                json.WriteStartObject();
                json.WriteString("level", level);
                json.WriteString("msg", message);
                json.WriteString("time", now);
                json.WriteEndObject();
            }))
            : $"time=\"{now}\" level={level} msg=\"{message.Replace("\"", "\\\"")}\"";
        try
        {
            File.AppendAllText(LogFile!, line + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"runf: cannot write --log {LogFile}: {e.Message}");
        }
    }
}
