using RunF.Interop;
using RunF.Runtime.Errors;
using Serilog;
using Serilog.Events;

namespace RunF.Runtime.Spec;

/// <summary>
/// Validates a run request and applies the defaults, producing the container spec. Pure: the
/// caller resolves the rootfs, picks the hostname, loads the seccomp filter and supplies the
/// executor's environment and, for -t, the size of runf's terminal.
/// </summary>
public static class SpecFactory
{
    /// <summary>HOST_NAME_MAX: sethostname(2) refuses longer names.</summary>
    private const int MaxHostname = 64;

    public static ContainerSpec Create(RunRequest request, string rootfs, string hostname, ImageDefaults? image,
        Seccomp.SeccompFilter? seccomp, Identity.ContainerIdentity identity, Func<string, string?> hostEnv, TerminalSize hostTerminal = default)
    {
        var args = Args(request.Command, request.Entrypoint, image);
        var workingDir = request.WorkingDir ?? NonEmpty(image?.WorkingDir) ?? "/";
        if (!workingDir.StartsWith('/'))
        {
            throw new RunfException($"invalid working directory \"{workingDir}\": it must be an absolute path in the container");
        }
        if (request.Hostname is { Length: > MaxHostname } name)
        {
            throw new RunfException($"invalid --hostname \"{name}\": {name.Length} characters, the kernel takes at most {MaxHostname}");
        }
        var capabilities = Capabilities.Resolve(request.CapAdd, request.CapDrop);
        return new ContainerSpec
        {
            Rootfs = rootfs,
            Args = args,
            Env = Environment(hostname, image, request, identity.User?.Home ?? "/root", hostEnv),
            Hostname = request.Hostname ?? hostname,
            WorkingDir = workingDir,
            Capabilities = capabilities,
            Rlimits = Rlimits.Merge(request.Ulimits.Select(Rlimits.Parse)),
            ShareDns = !request.NoDns,
            Init = request.Init,
            Terminal = request.Tty ? hostTerminal : null,
            ProtectSystemPaths = ProtectSystemPaths(request.SecurityOpts),
            Mounts = Mounts(request),
            TcpBind = TcpBindPolicy.Parse(request.NetBind, "--net-bind"),
            Ids = identity.Ids,
            User = identity.User,
            UserCapabilities = identity.User is { Uid: not 0 } ? Capabilities.Added(request.CapAdd, capabilities) : null,
            SeccompFilter = seccomp?.Program,
            SeccompRules = seccomp?.Rules ?? [],
        };
    }

    /// <summary>
    /// Docker's rule: the image's Entrypoint, then the command given or else the image's Cmd; an
    /// --entrypoint replaces the image's Entrypoint and drops its Cmd.
    /// </summary>
    private static IReadOnlyList<string> Args(IReadOnlyList<string> command, string? entrypoint, ImageDefaults? image)
    {
        var args = entrypoint is not null
            ? (entrypoint.Length > 0 ? [entrypoint] : Enumerable.Empty<string>()).Concat(command).ToList()
            : (image?.Entrypoint ?? []).Concat(command.Count > 0 ? command : image?.Cmd ?? []).ToList();
        if (args.Count == 0 || args[0].Length == 0)
        {
            throw new RunfException("no command given: usage: runf [OPTIONS] COMMAND [ARG...]");
        }
        return args;
    }

    /// <summary>Defaults (HOME the user's), then the image's Env, then the caller's inherited variables, then --env-file, then -e: later values win.</summary>
    private static IReadOnlyList<string> Environment(string hostname, ImageDefaults? image, RunRequest request, string home, Func<string, string?> hostEnv)
    {
        var env = new List<KeyValuePair<string, string>>();
        void Set(string entry, string origin, bool operators = true)
        {
            var eq = entry.IndexOf('=');
            var key = eq < 0 ? entry : entry[..eq];
            if (key.Length == 0)
            {
                throw new RunfException($"invalid environment variable \"{entry}\" in {origin}: expected KEY=VALUE");
            }
            if (eq < 0 && !operators)
            {
                // An image must not name the executor's variables it wants (its credentials):
                // only the operator's own -e KEY and env files read the executor's environment.
                if (Log.IsEnabled(LogEventLevel.Warning))
                {
                    Log.Warning("ignoring {Entry} in {Origin}: an image cannot take the executor's value of a variable (pass -e {Entry} to give it)", entry, origin, entry);
                }
                return;
            }
            var value = eq >= 0 ? entry[(eq + 1)..] : hostEnv(key);
            if (value is null)
            {
                return; // "-e KEY" passes KEY only when the executor has it, as docker run does
            }
            env.RemoveAll(kv => kv.Key == key);
            env.Add(new(key, value));
        }
        foreach (var entry in (string[])[$"PATH={ContainerDefaults.Path}", $"HOSTNAME={request.Hostname ?? hostname}", "TERM=xterm", $"HOME={home}"])
        {
            Set(entry, "defaults");
        }
        foreach (var entry in image?.Env ?? [])
        {
            Set(entry, "the image config", operators: false);
        }
        foreach (var entry in request.InheritedEnv)
        {
            Set(entry, "the inherited environment");
        }
        foreach (var file in request.EnvFiles)
        {
            foreach (var entry in ReadEnvFile(file))
            {
                Set(entry, file);
            }
        }
        foreach (var entry in request.Env)
        {
            Set(entry, "-e");
        }
        return [.. env.Select(kv => $"{kv.Key}={kv.Value}")];
    }

    private static IEnumerable<string> ReadEnvFile(string file)
    {
        // Read as bytes: a value that is not UTF-8 reaches the container as it is in the file.
        if (Libc.IsDirectory(file))
        {
            throw new RunfException($"cannot read env file {file}: it is a directory: name a file of KEY=VALUE lines");
        }
        var bytes = WholeFile.Read(file) ?? throw new RunfException($"cannot read env file {file}: {Errno.Describe(Errno.Last)}");
        var lines = PosixString.Decode(bytes).Split('\n');
        return lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
    }

    private static IReadOnlyList<MountSpec> Mounts(RunRequest request)
    {
        var mounts = new List<MountSpec>();
        if (!request.NoTmp)
        {
            mounts.Add(new TmpfsMountSpec("/tmp", ContainerDefaults.TmpSizeBytes));
        }
        foreach (var tmpfs in request.Tmpfs)
        {
            var colon = tmpfs.IndexOf(':');
            var path = Destination(colon < 0 ? tmpfs : tmpfs[..colon], "--tmpfs", tmpfs);
            var size = colon < 0 ? ContainerDefaults.TmpSizeBytes : ByteSize.Parse(tmpfs[(colon + 1)..].Replace("size=", ""), "--tmpfs size");
            mounts.RemoveAll(m => m.Destination == path);
            mounts.Add(new TmpfsMountSpec(path, size));
        }
        mounts.AddRange(request.Binds.Select(ParseBind));
        return mounts;
    }

    /// <summary>SRC:DST[:ro|rw], read-only unless rw is given.</summary>
    private static BindMountSpec ParseBind(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || (parts.Length == 3 && parts[2] is not ("ro" or "rw")))
        {
            throw new RunfException($"invalid --bind \"{text}\": expected SRC:DST[:ro|rw]");
        }
        var source = Path.GetFullPath(parts[0]);
        var status = Libc.Stat(source) ?? throw new RunfException($"invalid --bind \"{text}\": source {source} does not exist");
        return new BindMountSpec(source, Destination(parts[1], "--bind", text), parts.Length == 3 && parts[2] == "rw", status.Type == Libc.S_IFDIR);
    }

    private static string Destination(string path, string option, string text)
    {
        var normal = path.TrimEnd('/');
        if (!path.StartsWith('/') || normal.Length == 0 || normal.Split('/').Contains(".."))
        {
            throw new RunfException($"invalid {option} \"{text}\": the destination must be an absolute path below / without ..");
        }
        return normal;
    }

    /// <summary>docker run's --security-opt, of which runf has the one an executor needs.</summary>
    private static bool ProtectSystemPaths(IReadOnlyList<string> options)
    {
        var protect = true;
        foreach (var option in options)
        {
            protect = option switch
            {
                "systempaths=unconfined" => false,
                "systempaths=default" => true,
                _ when option.StartsWith("seccomp=", StringComparison.Ordinal) =>
                    throw new RunfException($"unsupported --security-opt \"{option}\": runf takes the profile as --seccomp {option["seccomp=".Length..]}"),
                _ when option.StartsWith("no-new-privileges", StringComparison.Ordinal) =>
                    throw new RunfException($"unsupported --security-opt \"{option}\": runf always sets no_new_privs: drop it"),
                _ => throw new RunfException($"unsupported --security-opt \"{option}\": runf knows systempaths=unconfined (for an executor that runs runf inside)"),
            };
        }
        return protect;
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
