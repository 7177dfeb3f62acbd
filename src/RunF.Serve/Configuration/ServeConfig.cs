namespace RunF.Serve.Configuration;

/// <summary>How the function is served: streamed, buffered, a long-running HTTP server behind a proxy, or behind OpenWhisk's /init and /run.</summary>
public enum ServeMode
{
    Streaming,
    Serializing,

    /// <summary>The of-watchdog's http mode: a long-running server the requests are forwarded to.</summary>
    Http,

    /// <summary>OpenWhisk's action proxy (actionproxy.py): a process per activation.</summary>
    OpenWhisk,

    /// <summary>OpenWhisk's actionloop proxy: one long-lived process, an activation per line.</summary>
    OpenWhiskLoop,

    /// <summary>Fn's hot functions: long-lived FDK processes, each call HTTP over their unix socket.</summary>
    Fn,

    /// <summary>AWS Lambda's runtime API, as its runtime interface emulator serves it: long-lived runtimes, an invocation at a time each.</summary>
    Lambda,
}

/// <summary>The validated configuration of `runf serve`, from the watchdog's variables and the flags.</summary>
public sealed record ServeConfig
{
    public required IReadOnlyList<string> Command { get; init; }
    public int Port { get; init; } = 8080;
    public int MetricsPort { get; init; } = 8081;
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Zero: no limit.</summary>
    public TimeSpan ExecTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a SIGTERMed server keeps serving while failing readiness; zero: stop at once.</summary>
    public TimeSpan HealthcheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Zero: unlimited.</summary>
    public int MaxInflight { get; init; }
    public string? ContentType { get; init; }
    public bool CombineOutput { get; init; }
    public ServeMode Mode { get; init; } = ServeMode.Streaming;

    /// <summary>The most output a buffering mode holds: past it the function is killed.</summary>
    public long MaxResponseSize { get; init; } = 64L << 20;
    public string Rootfs { get; init; } = "rootfs";

    /// <summary>--user, as runf's: null for the image's User, else root.</summary>
    public string? User { get; init; }
    public string? Memory { get; init; }
    public long? PidsLimit { get; init; }
    public string? Cpus { get; init; }
    public int Prewarm { get; init; }
    public string Seccomp { get; init; } = "default";

    /// <summary>--allow-bind as TcpBindPolicy reads it: none unless the operator opens ports.</summary>
    public string AllowBind { get; init; } = "none";
    public string LockFile { get; init; } = "/tmp/.lock";

    /// <summary>As runf's options of the same names, for every container.</summary>
    public string? CgroupParent { get; init; }
    public IReadOnlyList<string> Binds { get; init; } = [];
    public IReadOnlyList<string> Tmpfs { get; init; } = [];
    public IReadOnlyList<string> Env { get; init; } = [];
    public IReadOnlyList<string> EnvFiles { get; init; } = [];

    /// <summary>The address both ports listen on; null for every address.</summary>
    public System.Net.IPAddress? Listen { get; init; }

    // The of-watchdog's mode=http and its log settings.

    /// <summary>mode=http: where the function's server listens; each request's path and query follow its path.</summary>
    public Uri UpstreamUrl { get; init; } = new("http://127.0.0.1:8082");

    /// <summary>mode=http: a request's body is read whole (up to max_response_size), then forwarded with Content-Length.</summary>
    public bool BufferHttp { get; init; }

    /// <summary>mode=http: after the drain, the time between SIGTERM and SIGKILL for the function's server.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The function's log lines carry a prefix: the request id, or in mode=http the time and the stream.</summary>
    public bool PrefixLogs { get; init; } = true;

    /// <summary>The longest log line of the function, in characters; a longer one is split.</summary>
    public int LogBufferSize { get; init; } = 64 * 1024;

    /// <summary>The function gets the agent's environment, less runf serve's settings (FunctionEnvironment).</summary>
    public bool InheritEnv { get; init; } = true;

    /// <summary>runf-init is every container's PID 1 (--no-init: the function is).</summary>
    public bool Init { get; init; } = true;

    // OpenWhisk (mode=openwhisk, openwhisk-loop).

    public bool IsOpenWhisk => Mode is ServeMode.OpenWhisk or ServeMode.OpenWhiskLoop;

    /// <summary>The largest action /init installs: its code, or its zip's files together.</summary>
    public long MaxActionSize { get; init; } = 128L << 20;

    /// <summary>The action /init installed, which Command then runs; null before (or without code: fprocess is the action).</summary>
    public InstalledAction? Action { get; init; }

    // Fn (mode=fn): the names and ids its FDK sees (FN_APP_NAME...); the function's id is also its /invoke/{id} path.

    public string FnAppName { get; init; } = "app";
    public string FnFnName { get; init; } = "function";
    public string FnAppId { get; init; } = "app";
    public string FnFnId { get; init; } = "function";
}

/// <summary>
/// What an OpenWhisk /init brought: the action's code in HostDirectory (private to the agent),
/// bound read-only at /action, where /action/exec is the command and /action the working
/// directory (null when no code came: fprocess is the action); Env is value.env as KEY=VALUE
/// pairs, added to the action's environment.
/// </summary>
public sealed record InstalledAction(string? HostDirectory, IReadOnlyList<string> Env)
{
    public const string MountPoint = "/action";
    public const string Executable = MountPoint + "/exec";
}
