using System.Globalization;
using RunF.Runtime.Errors;
using RunF.Runtime.Spec;

namespace RunF.Serve.Configuration;

/// <summary>
/// Reads `runf serve [OPTIONS] [-- COMMAND [ARG...]]` and the watchdog's environment variables
/// into a ServeConfig. Every mistake is a RunfException naming the setting and the fix.
/// </summary>
public static class ServeArguments
{
    /// <summary>The configuration, or null when --help was asked for.</summary>
    public static ServeConfig? Parse(IReadOnlyList<string> args, Func<string, string?> environment) =>
        Parse(args, environment, Setting.All, out _);

    /// <summary>
    /// As Parse, for a program that takes settings of its own besides runf serve's (the benchmark
    /// baselines' --runner): accepted lists every setting it takes, given holds what was set.
    /// </summary>
    public static ServeConfig? Parse(IReadOnlyList<string> args, Func<string, string?> environment, IReadOnlyList<Setting> accepted, out IReadOnlyDictionary<Setting, string> given)
    {
        var values = new Dictionary<Setting, string>();
        var lists = new Dictionary<Setting, List<string>>();
        given = values;
        foreach (var setting in accepted.Where(s => s.FromEnvironment))
        {
            if (environment(setting.Name) is { Length: > 0 } value)
            {
                values[setting] = value;
            }
        }
        // The of-watchdog's other names (function_process...); the main name wins when both are set.
        foreach (var (setting, variable) in Setting.OtherNames)
        {
            if (accepted.Contains(setting) && !values.ContainsKey(setting) && environment(variable) is { Length: > 0 } value)
            {
                values[setting] = value;
            }
        }

        IReadOnlyList<string>? command = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                return null;
            }
            if (arg == "--" || !arg.StartsWith('-'))
            {
                command = [.. args.Skip(arg == "--" ? i + 1 : i)];
                break;
            }
            var equals = arg.IndexOf('=');
            var flag = equals < 0 ? arg : arg[..equals];
            var setting = accepted.FirstOrDefault(s => s.Matches(flag)) ?? throw UnknownOption(flag);
            if (setting.IsList)
            {
                var value = equals >= 0 ? arg[(equals + 1)..] : ++i < args.Count ? args[i] : throw new RunfException($"{flag} needs a value ({setting.ValueHint})");
                (lists.TryGetValue(setting, out var list) ? list : lists[setting] = []).Add(value);
                values[setting] = value; // given, for the rules between settings
            }
            else if (equals >= 0)
            {
                values[setting] = arg[(equals + 1)..];
            }
            else if (setting.IsSwitch)
            {
                // "--combine-output true" as the help shows it: a value, never the function.
                values[setting] = i + 1 < args.Count && args[i + 1] is "true" or "false" ? args[++i] : "true";
            }
            else if (++i < args.Count)
            {
                values[setting] = args[i];
            }
            else
            {
                throw new RunfException($"{flag} needs a value ({setting.ValueHint})");
            }
        }
        return Build(values, command) with
        {
            Binds = lists.GetValueOrDefault(Setting.Bind) ?? [],
            Tmpfs = lists.GetValueOrDefault(Setting.Tmpfs) ?? [],
            Env = lists.GetValueOrDefault(Setting.Env) ?? [],
            EnvFiles = lists.GetValueOrDefault(Setting.EnvFile) ?? [],
        };
    }

    private static RunfException UnknownOption(string flag) => new(flag == "--runner"
        ? "unknown option --runner: runf serve runs runf containers only; the process and bwrap baselines are runf-serve-baselines --runner process|bwrap (bench/RunF.Serve.Baselines)"
        : $"unknown option {flag} (see runf serve --help)");

    private static ServeConfig Build(Dictionary<Setting, string> values, IReadOnlyList<string>? trailingCommand)
    {
        string? Get(Setting s) => values.GetValueOrDefault(s);

        var command = trailingCommand is { Count: > 0 } ? trailingCommand : SplitCommand(Get(Setting.Fprocess));
        var writeTimeout = DurationOf(Setting.WriteTimeout, Get(Setting.WriteTimeout), TimeSpan.FromSeconds(10), allowZero: false);
        var config = new ServeConfig
        {
            Command = command,
            Port = PortOf(Setting.Port, Get(Setting.Port), 8080),
            MetricsPort = PortOf(Setting.MetricsPort, Get(Setting.MetricsPort), 8081),
            ReadTimeout = DurationOf(Setting.ReadTimeout, Get(Setting.ReadTimeout), TimeSpan.FromSeconds(10), allowZero: false),
            WriteTimeout = writeTimeout,
            ExecTimeout = DurationOf(Setting.ExecTimeout, Get(Setting.ExecTimeout), TimeSpan.FromSeconds(10), allowZero: true),
            HealthcheckInterval = DurationOf(Setting.HealthcheckInterval, Get(Setting.HealthcheckInterval), writeTimeout, allowZero: true),
            MaxInflight = (int)CountOf(Setting.MaxInflight, Get(Setting.MaxInflight), 0),
            ContentType = Get(Setting.ContentType),
            CombineOutput = BoolOf(Setting.CombineOutput, Get(Setting.CombineOutput)),
            MaxResponseSize = SizeOf(Setting.MaxResponseSize, Get(Setting.MaxResponseSize), 64L << 20),
            Mode = OneOf(Setting.Mode, Get(Setting.Mode), ServeMode.Streaming, ("streaming", ServeMode.Streaming), ("serializing", ServeMode.Serializing), ("http", ServeMode.Http), ("openwhisk", ServeMode.OpenWhisk), ("openwhisk-loop", ServeMode.OpenWhiskLoop), ("fn", ServeMode.Fn), ("lambda", ServeMode.Lambda)),
            // The of-watchdog's mode=http and log settings.
            UpstreamUrl = UpstreamUrlOf(Get(Setting.UpstreamUrl)),
            BufferHttp = BoolOf(Setting.BufferHttp, Get(Setting.BufferHttp)),
            StopTimeout = DurationOf(Setting.StopTimeout, Get(Setting.StopTimeout), TimeSpan.FromSeconds(10), allowZero: true),
            PrefixLogs = Get(Setting.PrefixLogs) is not { } prefix || BoolOf(Setting.PrefixLogs, prefix),
            LogBufferSize = LogBufferSizeOf(Get(Setting.LogBufferSize)),
            InheritEnv = Get(Setting.InheritEnv) is not { } inherit || BoolOf(Setting.InheritEnv, inherit),
            Init = !BoolOf(Setting.NoInit, Get(Setting.NoInit)),
            Rootfs = Get(Setting.Rootfs) ?? "rootfs",
            User = Get(Setting.User),
            Memory = Get(Setting.Memory),
            PidsLimit = Get(Setting.PidsLimit) is { } pids ? CountOf(Setting.PidsLimit, pids, 0) : null,
            Cpus = Get(Setting.Cpus),
            Prewarm = (int)CountOf(Setting.Prewarm, Get(Setting.Prewarm), 0),
            Seccomp = Get(Setting.Seccomp) ?? "default",
            AllowBind = Get(Setting.AllowBind) is { } ports ? TcpBindPolicy.Parse(ports, Setting.AllowBind.Flag).ToString() : "none",
            LockFile = Get(Setting.LockFile) ?? "/tmp/.lock",
            CgroupParent = Get(Setting.CgroupParent),
            Listen = Get(Setting.Listen) is { } listen
                ? System.Net.IPAddress.TryParse(listen, out var address) ? address : throw new RunfException($"invalid listen \"{listen}\" ({Setting.Listen.Source}): expected an IP address such as 127.0.0.1 or ::1")
                : null,
            MaxActionSize = SizeOf(Setting.MaxActionSize, Get(Setting.MaxActionSize), 128L << 20),
            FnAppName = FnNameOf(Setting.FnAppName, Get(Setting.FnAppName), "app"),
            FnFnName = FnNameOf(Setting.FnFnName, Get(Setting.FnFnName), "function"),
        };
        config = config with
        {
            FnAppId = FnNameOf(Setting.FnAppId, Get(Setting.FnAppId), config.FnAppName),
            FnFnId = FnNameOf(Setting.FnFnId, Get(Setting.FnFnId), config.FnFnName),
        };
        Check(config);
        return config;
    }

    /// <summary>Rules between settings, which no single value shows.</summary>
    private static void Check(ServeConfig config)
    {
        // OpenWhisk's /init brings the action; fprocess is only the blackbox one. A Lambda image
        // brings its Entrypoint and Cmd, or a bootstrap (LambdaCommand).
        if (config.Command.Count == 0 && !config.IsOpenWhisk && config.Mode != ServeMode.Lambda)
        {
            throw new RunfException("no function to run: set fprocess (e.g. fprocess=\"tr a-z A-Z\") or give the command after --");
        }
        if (config.Port == config.MetricsPort)
        {
            throw new RunfException($"port and metrics_port are both {config.Port}: give metrics_port another port (--metrics-port N)");
        }
        if (config.Mode == ServeMode.Http)
        {
            CheckHttpMode(config);
        }
        if (config.Mode == ServeMode.Lambda && config.MaxInflight > 0 && config.Prewarm > config.MaxInflight)
        {
            throw new RunfException($"--prewarm {config.Prewarm} is more than max_inflight {config.MaxInflight}: mode=lambda runs at most max_inflight runtimes; lower --prewarm or raise max_inflight");
        }
    }

    /// <summary>mode=http: the function's server needs a port of its own, and there is one container to warm.</summary>
    private static void CheckHttpMode(ServeConfig config)
    {
        var upstream = config.UpstreamUrl.Port;
        if (upstream == config.Port || upstream == config.MetricsPort)
        {
            var which = upstream == config.Port ? "port" : "metrics_port";
            throw new RunfException($"upstream_url {config.UpstreamUrl} uses port {upstream}, which is runf serve's {which}: the function's server needs a port of its own (e.g. upstream_url=http://127.0.0.1:8082)");
        }
        if (config.Prewarm > 0)
        {
            throw new RunfException("--prewarm does not apply to mode=http: one long-running container serves every request; remove it");
        }
    }

    /// <summary>mode=fn's names and ids: what an id in a URL path may hold (Fn's are ULIDs), so that /invoke/ID is one path segment.</summary>
    private static string FnNameOf(Setting setting, string? text, string fallback)
    {
        if (text is null)
        {
            return fallback;
        }
        return text.Length is > 0 and <= 255 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && text is not ("." or "..")
            ? text
            : throw new RunfException($"invalid {setting.Name} \"{text}\" ({setting.Source}): expected letters, digits, '-', '_' or '.' (at most 255), such as myapp or 01J9Z3M4K5");
    }

    /// <summary>http://HOST[:PORT][/PATH], as the of-watchdog forwards to it: the request's path and query follow PATH.</summary>
    private static Uri UpstreamUrlOf(string? text)
    {
        if (text is null)
        {
            return new Uri("http://127.0.0.1:8082");
        }
        if (Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp && url.Host.Length > 0
            && url.Query.Length == 0 && url.Fragment.Length == 0 && url.UserInfo.Length == 0)
        {
            return url;
        }
        throw new RunfException($"invalid upstream_url \"{text}\" ({Setting.UpstreamUrl.Source}): expected http://HOST:PORT, where the function's server listens, such as http://127.0.0.1:8082 (no https, query or user)");
    }

    /// <summary>The of-watchdog's log_buffer_size: -1 is its "no limit", here 1 MiB per line piece (a line without end must not hold unbounded memory).</summary>
    private static int LogBufferSizeOf(string? text)
    {
        const int Default = 64 * 1024, Unlimited = 1 << 20;
        if (text is null)
        {
            return Default;
        }
        if (text.Trim() == "-1")
        {
            return Unlimited;
        }
        var n = CountOf(Setting.LogBufferSize, text, Default);
        return n is >= 1 and <= Unlimited
            ? (int)n
            : throw new RunfException($"invalid log_buffer_size \"{text}\" ({Setting.LogBufferSize.Source}): expected a line length from 1 to {Unlimited}, or -1 for the longest");
    }

    /// <summary>As the watchdog splits fprocess: on runs of spaces, no quoting, no shell.</summary>
    public static IReadOnlyList<string> SplitCommand(string? fprocess) =>
        fprocess is null ? [] : fprocess.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Durations as the watchdog takes them ("10s", "500ms", "1m", bare numbers are seconds); "0" only where it means no limit.</summary>
    public static TimeSpan DurationOf(Setting setting, string? text, TimeSpan fallback, bool allowZero)
    {
        if (text is null)
        {
            return fallback;
        }
        if (allowZero && double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n == 0)
        {
            return TimeSpan.Zero;
        }
        try
        {
            return Duration.Parse(text, setting.Name);
        }
        catch (Exception e) when (e is RunfException or OverflowException)
        {
            // OverflowException: a number past what TimeSpan holds ("Infinity", a huge count of seconds).
            throw new RunfException($"invalid {setting.Name} \"{text}\" ({setting.Source}): expected a duration such as 10s, 500ms or 1m{(allowZero ? ", or 0 for no limit" : "")}");
        }
    }

    /// <summary>Sizes as docker writes them (64m, 512k, 1g); no "0 for no limit": an unbounded buffer is what the limit prevents.</summary>
    private static long SizeOf(Setting setting, string? text, long fallback)
    {
        if (text is null)
        {
            return fallback;
        }
        long size;
        try
        {
            size = ByteSize.Parse(text, setting.Name);
        }
        catch (Exception e) when (e is RunfException or OverflowException)
        {
            size = 0;
        }
        // "0.1" parses, and rounds down to no byte at all.
        return size > 0
            ? size
            : throw new RunfException($"invalid {setting.Name} \"{text}\" ({setting.Source}): expected a size such as 64m, 512k or 1g{(setting == Setting.MaxResponseSize ? " (streaming mode has no limit)" : "")}");
    }

    private static int PortOf(Setting setting, string? text, int fallback)
    {
        if (text is null)
        {
            return fallback;
        }
        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            ? port
            : throw new RunfException($"invalid {setting.Name} \"{text}\" ({setting.Source}): expected a port from 1 to 65535");
    }

    private static long CountOf(Setting setting, string? text, long fallback)
    {
        if (text is null)
        {
            return fallback;
        }
        return long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= int.MaxValue
            ? n
            : throw new RunfException($"invalid {setting.Name} \"{text}\" ({setting.Source}): expected a whole number, 0 or more");
    }

    private static bool BoolOf(Setting setting, string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null => false,
        "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new RunfException($"invalid {setting.Name} \"{text}\" ({setting.Source}): expected true or false"),
    };

    private static T OneOf<T>(Setting setting, string? text, T fallback, params (string Name, T Value)[] choices)
    {
        if (text is null)
        {
            return fallback;
        }
        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        throw new RunfException($"invalid {setting.Name} \"{text}\" ({setting.Source}): expected {string.Join(", ", choices.Select(c => c.Name))}");
    }

    public static string Help()
    {
        var lines = new List<string>
        {
            "Usage: runf serve [OPTIONS] [-- COMMAND [ARG...]]",
            "",
            "Serve a function over HTTP as the OpenFaaS watchdog does: each request runs COMMAND",
            "(or fprocess) once, request body on stdin, stdout as the response; with --mode http,",
            "COMMAND is an HTTP server started once, and each request is forwarded to upstream_url;",
            "with --mode lambda, COMMAND is an AWS Lambda runtime, given the runtime API, and",
            "invocations are POSTs to /2015-03-31/functions/function/invocations.",
            "Every option can also be set by the watchdog's environment variable of the same name",
            "where one is shown; flags win. Health: /_/health, /_/ready; metrics:",
            "http://HOST:METRICS_PORT/metrics.",
            "",
        };
        lines.AddRange(Options(Setting.All));
        return string.Join('\n', lines);
    }

    /// <summary>One help line per setting: its flag, what it does, its variable.</summary>
    public static IEnumerable<string> Options(IReadOnlyList<Setting> settings) =>
        settings.Select(s => $"{$"  {(s.Alias is { } a ? a + ", " : "")}{s.Flag} {s.ValueHint}",-36}{s.Help}{(s.FromEnvironment ? $" [${s.Name}]" : "")}");
}
