namespace RunF.Serve.Configuration;

/// <summary>
/// One setting of `runf serve`: its flag (--exec-timeout) and, for the watchdog's own settings,
/// its environment variable (exec_timeout). Flags win over the environment.
/// </summary>
/// <param name="Name">The watchdog's name, used in messages (exec_timeout).</param>
/// <param name="FromEnvironment">Read from the environment variable Name as the watchdog does.</param>
/// <param name="IsSwitch">A flag that may stand alone (--combine-output means true).</param>
/// <param name="IsList">A flag that may be given again, each value kept (--bind, -e).</param>
/// <param name="Alias">A short flag as runf's (-e).</param>
public sealed record Setting(string Name, bool FromEnvironment, string ValueHint, string Help, bool IsSwitch = false, bool IsList = false, string? Alias = null)
{
    public string Flag => "--" + Name.Replace('_', '-');

    public bool Matches(string flag) => flag == Flag || flag == Alias;

    /// <summary>How a message names it: the flag, and the variable when there is one.</summary>
    public string Source => FromEnvironment ? $"{Flag} or ${Name}" : Flag;

    public static readonly Setting Fprocess = new("fprocess", true, "COMMAND", "the function: split on spaces, no shell (or give it after --)");
    public static readonly Setting Port = new("port", true, "N", "HTTP port (default 8080)");
    public static readonly Setting MetricsPort = new("metrics_port", true, "N", "Prometheus /metrics port (default 8081)");
    public static readonly Setting ReadTimeout = new("read_timeout", true, "DURATION", "time to read a request's headers, and longest wait for its body (default 10s)");
    public static readonly Setting WriteTimeout = new("write_timeout", true, "DURATION", "how long SIGTERM waits for in-flight requests (default 10s)");
    public static readonly Setting ExecTimeout = new("exec_timeout", true, "DURATION", "the function is killed after this long, 0 for no limit (default 10s)");
    public static readonly Setting MaxInflight = new("max_inflight", true, "N", "concurrent invocations before 429, 0 for no limit (default 0)");
    public static readonly Setting ContentType = new("content_type", true, "TYPE", "Content-Type of responses (default application/octet-stream, as the of-watchdog's)");
    public static readonly Setting CombineOutput = new("combine_output", true, "BOOL", "the function's stderr goes to the response too (default false)", IsSwitch: true);
    public static readonly Setting HealthcheckInterval = new("healthcheck_interval", true, "DURATION", "after SIGTERM, keep serving this long with readiness failing (default write_timeout)");
    public static readonly Setting Mode = new("mode", true, "MODE", "streaming (default), serializing, http, openwhisk, openwhisk-loop, fn or lambda");
    public static readonly Setting MaxResponseSize = new("max_response_size", true, "SIZE", "largest output buffered (serializing, openwhisk); past it the function is killed (default 64m)");
    public static readonly Setting Rootfs = new("rootfs", false, "DIR", "the function's root filesystem (default rootfs)");
    public static readonly Setting Memory = new("memory", false, "SIZE", "memory limit per invocation");
    public static readonly Setting PidsLimit = new("pids_limit", false, "N", "process limit per invocation");
    public static readonly Setting Cpus = new("cpus", false, "N", "CPU limit per invocation");
    public static readonly Setting User = new("user", false, "USER[:GROUP]", "the user every invocation runs as, as runf's --user (default: the image's User, else root)", Alias: "-u");
    public static readonly Setting Prewarm = new("prewarm", false, "N", "containers kept started ahead of requests (default 0)");
    public static readonly Setting Seccomp = new("seccomp", false, "PROFILE", "default (the default), unconfined or a profile file");
    public static readonly Setting AllowBind = new("allow_bind", false, "PORTS", "TCP ports the function may bind, e.g. 8080,9000-9009, or any (default none: a function publishes no service)");
    public static readonly Setting CgroupParent = new("cgroup_parent", false, "PATH", "cgroup under which each container's cgroup is made, as runf's (a delegated one for --memory etc. when unprivileged)");
    public static readonly Setting Bind = new("bind", false, "SRC:DST[:ro|rw]", "bind a host path into every container, read-only unless :rw (repeatable)", IsList: true);
    public static readonly Setting Tmpfs = new("tmpfs", false, "PATH[:SIZE]", "a writable tmpfs in every container (repeatable)", IsList: true);
    public static readonly Setting Env = new("env", false, "KEY=VALUE", "set a variable in the function's environment, or KEY to pass the agent's (repeatable; -e)", IsList: true, Alias: "-e");
    public static readonly Setting EnvFile = new("env_file", false, "FILE", "read KEY=VALUE lines into the function's environment (repeatable)", IsList: true);
    public static readonly Setting Listen = new("listen", false, "ADDRESS", "the address both ports listen on, e.g. 127.0.0.1 (default: every address)");
    public static readonly Setting LockFile = new("lock_file", false, "PATH", "written once ready, removed on shutdown (default /tmp/.lock)");

    // OpenWhisk's.
    public static readonly Setting MaxActionSize = new("max_action_size", false, "SIZE", "largest action code an OpenWhisk /init installs, a zip's files together (default 128m)");

    // The of-watchdog's mode=http and its log settings (docs/serve.md, "mode=http").
    public static readonly Setting UpstreamUrl = new("upstream_url", true, "URL", "mode=http: where the function's server listens (default http://127.0.0.1:8082; also $http_upstream_url)");
    public static readonly Setting BufferHttp = new("buffer_http", true, "BOOL", "mode=http: read a request's whole body, then forward it with Content-Length (default false; also $http_buffer_req_body)", IsSwitch: true);
    public static readonly Setting StopTimeout = new("stop_timeout", false, "DURATION", "mode=http and lambda: after the drain, how long the server (runtimes) have between SIGTERM and SIGKILL (default 10s)");
    public static readonly Setting PrefixLogs = new("prefix_logs", true, "BOOL", "prefix the function's log lines: [request id], or in mode=http the time and stream (default true)");
    public static readonly Setting LogBufferSize = new("log_buffer_size", true, "N", "longest line of the function's log, in characters, before it is split (default 65536; -1: 1 MiB)");
    public static readonly Setting InheritEnv = new("inherit_env", false, "BOOL", "the function gets runf serve's own environment, less its settings, as the watchdog passes its own (default true)", IsSwitch: true);

    // The init (runf's --no-init).
    public static readonly Setting NoInit = new("no_init", false, "BOOL", "the function is its container's PID 1, without runf-init to forward signals and reap (default false)", IsSwitch: true);

    // Fn's (docs/serve.md, "mode=fn").
    public static readonly Setting FnAppName = new("fn_app_name", false, "NAME", "mode=fn: the application's name, FN_APP_NAME (default app)");
    public static readonly Setting FnFnName = new("fn_fn_name", false, "NAME", "mode=fn: the function's name, FN_FN_NAME (default function)");
    public static readonly Setting FnAppId = new("fn_app_id", false, "ID", "mode=fn: the application's id, FN_APP_ID (default: its name)");
    public static readonly Setting FnFnId = new("fn_fn_id", false, "ID", "mode=fn: the function's id, FN_FN_ID, and its path /invoke/ID (default: its name)");

    /// <summary>Variables the of-watchdog also reads under another name; the main name wins where both are set.</summary>
    public static readonly IReadOnlyList<(Setting Setting, string Variable)> OtherNames =
    [
        (Fprocess, "function_process"), (UpstreamUrl, "http_upstream_url"), (BufferHttp, "http_buffer_req_body"),
    ];

    public static readonly IReadOnlyList<Setting> All =
    [
        Fprocess, Port, MetricsPort, ReadTimeout, WriteTimeout, ExecTimeout, MaxInflight, ContentType, CombineOutput,
        HealthcheckInterval, Mode, MaxResponseSize, Rootfs, User, Memory, PidsLimit, Cpus, Prewarm, Seccomp, AllowBind,
        CgroupParent, Bind, Tmpfs, Env, EnvFile, Listen, LockFile,
        MaxActionSize,
        UpstreamUrl, BufferHttp, StopTimeout, PrefixLogs, LogBufferSize, InheritEnv,
        NoInit,
        FnAppName, FnFnName, FnAppId, FnFnId,
    ];
}
