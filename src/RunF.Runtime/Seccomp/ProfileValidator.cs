using System.Text.Json;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// Checks a parsed profile and resolves its names to libseccomp values. Each problem is reported
/// with the path of the field at fault ("syscalls[3].action"), the way a user finds it in the file.
/// </summary>
public static class ProfileValidator
{
    private const int MaxArgs = 6;

    /// <summary>Resolves a profile for a container; context decides Docker's conditional rules (none for RunF's own profile).</summary>
    public static ResolvedProfile Resolve(SeccompProfile profile, SeccompContext? context = null)
    {
        RefuseUnknown(profile.Unknown, "");
        var defaultName = profile.DefaultAction ?? throw new ProfileException("defaultAction", "missing");
        var defaultAction = ActionOf(defaultName, ErrnoOf(profile.DefaultErrnoRet, profile.DefaultErrno, "defaultErrno"), "defaultAction");
        var architectures = profile.Architectures is { Count: > 0 } listed ? listed : FromArchMap(profile.ArchMap ?? []);
        return new ResolvedProfile(defaultAction, Architectures(architectures), Rules(profile.Syscalls ?? [], context ?? SeccompContext.Host([])));
    }

    /// <summary>Docker's archMap: the native architecture's entry, with its sub-architectures.</summary>
    private static IReadOnlyList<string> FromArchMap(IReadOnlyList<ArchMapEntry> archMap)
    {
        var native = SeccompNames.NameOfArch(SeccompNames.Native);
        for (var i = 0; i < archMap.Count; i++)
        {
            RefuseUnknown(archMap[i]?.Unknown, $"archMap[{i}].");
            if (archMap[i]?.Architecture == native)
            {
                return [native, .. archMap[i].SubArchitectures ?? []];
            }
        }
        return [];
    }

    /// <summary>errnoRet, or Podman's errno name; null for the default (EPERM).</summary>
    private static uint? ErrnoOf(uint? number, string? name, string field) =>
        number ?? (name is null ? null
            : SeccompNames.Errnos.TryGetValue(name, out var errno) ? errno
            : throw new ProfileException(field, $"unknown errno \"{name}\" (use errnoRet with its number)"));

    /// <summary>
    /// Docker's includes and excludes: a rule for capabilities the container lacks (or has, for
    /// excludes), for another architecture or a newer kernel does not apply. Applying it anyway
    /// would allow what the profile allows only with a capability.
    /// </summary>
    private static bool Applies(SyscallRule rule, SeccompContext context, string field)
    {
        if (rule.Includes is { } includes)
        {
            RefuseUnknown(includes.Unknown, field + ".includes.");
            if (includes.Arches is { Count: > 0 } arches && !arches.Contains(context.GoArch))
            {
                return false;
            }
            if (includes.Caps is { Count: > 0 } caps && !caps.All(context.Capabilities.Contains))
            {
                return false;
            }
            if (includes.MinKernel is { } min)
            {
                var version = SeccompContext.ParseKernel(min) ?? throw new ProfileException($"{field}.includes.minKernel", $"\"{min}\" is not a kernel version such as 4.8");
                if (context.Kernel < version)
                {
                    return false;
                }
            }
        }
        if (rule.Excludes is { } excludes)
        {
            RefuseUnknown(excludes.Unknown, field + ".excludes.");
            if (excludes.MinKernel is not null)
            {
                throw new ProfileException($"{field}.excludes.minKernel", "not supported (Docker has no such field either)");
            }
            if (excludes.Arches?.Contains(context.GoArch) == true || excludes.Caps?.Any(context.Capabilities.Contains) == true)
            {
                return false;
            }
        }
        return true;
    }

    private static IReadOnlyList<uint> Architectures(IReadOnlyList<string> names)
    {
        var native = SeccompNames.Native;
        var compatible = SeccompNames.CompatibleWith(native);
        var arches = new List<uint> { native };
        for (var i = 0; i < names.Count; i++)
        {
            if (!SeccompNames.Architectures.TryGetValue(names[i] ?? "", out var arch))
            {
                throw new ProfileException($"architectures[{i}]", $"unknown architecture \"{names[i]}\" (known: {string.Join(", ", SeccompNames.Architectures.Keys)})");
            }
            // Other machines' architectures can never reach this kernel: nothing to filter.
            if (compatible.Contains(arch) && !arches.Contains(arch))
            {
                arches.Add(arch);
            }
        }
        return arches;
    }

    private static IReadOnlyList<ResolvedRule> Rules(IReadOnlyList<SyscallRule> syscalls, SeccompContext context)
    {
        var rules = new List<ResolvedRule>();
        for (var i = 0; i < syscalls.Count; i++)
        {
            var field = $"syscalls[{i}]";
            var rule = syscalls[i] ?? throw new ProfileException(field, "null");
            RefuseUnknown(rule.Unknown, field + ".");
            if (!Applies(rule, context, field))
            {
                continue;
            }
            if ((rule.Names ?? (rule.Name is null ? null : [rule.Name])) is not { Count: > 0 } names)
            {
                throw new ProfileException($"{field}.names", "missing or empty");
            }
            for (var j = 0; j < names.Count; j++)
            {
                if (string.IsNullOrEmpty(names[j]))
                {
                    throw new ProfileException($"{field}.names[{j}]", "empty syscall name");
                }
            }
            var action = ActionOf(rule.Action ?? throw new ProfileException($"{field}.action", "missing"), ErrnoOf(rule.ErrnoRet, rule.Errno, $"{field}.errno"), $"{field}.action");
            rules.Add(new ResolvedRule(field, names, action, Args(rule.Args ?? [], field)));
        }
        return rules;
    }

    private static IReadOnlyList<ResolvedArg> Args(IReadOnlyList<ArgCondition> conditions, string field)
    {
        var args = new List<ResolvedArg>();
        for (var j = 0; j < conditions.Count; j++)
        {
            var at = $"{field}.args[{j}]";
            var c = conditions[j] ?? throw new ProfileException(at, "null");
            RefuseUnknown(c.Unknown, at + ".");
            if (c.Index >= MaxArgs)
            {
                throw new ProfileException($"{at}.index", $"{c.Index} is out of range (a syscall has arguments 0 to {MaxArgs - 1})");
            }
            // libseccomp ANDs the conditions of a rule but refuses two on the same argument.
            if (args.Any(a => a.Index == c.Index))
            {
                throw new ProfileException($"{at}.index", $"a second condition on argument {c.Index}: libseccomp takes one per argument in a rule (write two rules)");
            }
            if (c.Op is null || !SeccompNames.Operators.TryGetValue(c.Op, out var op))
            {
                throw new ProfileException($"{at}.op", c.Op is null ? "missing" : $"unknown operator \"{c.Op}\"");
            }
            args.Add(new ResolvedArg(c.Index, op, c.Value, c.ValueTwo));
        }
        return args;
    }

    private static uint ActionOf(string name, uint? errno, string field) =>
        name == "SCMP_ACT_NOTIFY"
            ? throw new ProfileException(field, "SCMP_ACT_NOTIFY needs a seccomp listener, which RunF does not run")
            : SeccompNames.Action(name, errno ?? SeccompNames.EPERM) ?? throw new ProfileException(field, $"unknown action \"{name}\"");

    /// <summary>
    /// A field RunF does not know may change which rules apply; ignoring it could silently allow
    /// what the profile meant to allow only with a capability.
    /// </summary>
    private static void RefuseUnknown(Dictionary<string, JsonElement>? unknown, string prefix)
    {
        if (unknown is { Count: > 0 })
        {
            throw new ProfileException(prefix + unknown.Keys.First(), "unknown field: RunF reads the OCI, Docker and Podman formats (defaultAction, defaultErrnoRet, defaultErrno, architectures, archMap, syscalls with names, action, errnoRet, errno, args, includes, excludes)");
        }
    }
}

/// <summary>A profile error: the field at fault and what is wrong with it.</summary>
public sealed class ProfileException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;
}
