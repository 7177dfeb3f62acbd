using System.Text.Json;
using RunF.Interop;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Oci;

/// <summary>
/// Reads BUNDLE/config.json and refuses, by its JSON path, every field runf does not honour
/// (an empty object, list, string, false, 0 or null counts as absent: engines write those).
/// </summary>
public static class OciConfigLoader
{
    public static OciConfig Load(string bundle)
    {
        var file = Path.Combine(bundle, "config.json");
        var bytes = WholeFile.Read(file) ?? throw new RunfException($"cannot read {file}: {Errno.Describe(Errno.Last)}: pass the bundle directory that holds config.json (--bundle)");
        return Parse(bytes, file);
    }

    public static OciConfig Parse(byte[] json, string file)
    {
        OciConfig config;
        try
        {
            config = JsonSerializer.Deserialize(json, OciJsonContext.Default.OciConfig) ?? throw new RunfException($"{file}: not a JSON object");
        }
        catch (JsonException e)
        {
            var field = e.Path is null or "$" ? "" : e.Path.TrimStart('$', '.') + ": ";
            throw new RunfException($"{file}: {field}invalid JSON at line {e.LineNumber + 1}");
        }
        var unknown = new List<string>();
        Check(config, unknown);
        // runtime-spec: unknown properties MUST be ignored; a property it defines that runf does not honour is refused.
        var refused = unknown.Where(InSpec).ToList();
        config.NotInSpec.AddRange(unknown.Where(f => !InSpec(f)));
        if (refused.Count > 0)
        {
            throw new RunfException($"{file}: {string.Join(", ", refused)} {(refused.Count > 1 ? "are" : "is")} not supported by runf: remove {(refused.Count > 1 ? "them" : "it")} (docs/oci.md lists what runf honours)");
        }
        return config;
    }

    /// <summary>runf exec --process FILE: a process object as config.json's, checked the same way.</summary>
    public static OciProcess ParseProcess(byte[] json, string file)
    {
        OciProcess process;
        try
        {
            process = JsonSerializer.Deserialize(json, OciJsonContext.Default.OciProcess) ?? throw new RunfException($"{file}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new RunfException($"{file}: {(e.Path is null or "$" ? "" : e.Path.TrimStart('$', '.') + ": ")}invalid JSON at line {e.LineNumber + 1}");
        }
        var refused = new List<string>();
        Check(new OciConfig { Process = process }, refused);
        if (refused.Count > 0)
        {
            throw new RunfException($"{file}: {string.Join(", ", refused)} {(refused.Count > 1 ? "are" : "is")} not supported by runf: remove {(refused.Count > 1 ? "them" : "it")}");
        }
        return process;
    }

    /// <summary>The properties runtime-spec 1.2 defines in the objects runf reads only in part, by the path's parent (indices dropped).</summary>
    private static readonly Dictionary<string, string[]> SpecProperties = new(StringComparer.Ordinal)
    {
        [""] = ["solaris", "windows", "vm", "zos"],
        ["root"] = [],
        ["mounts"] = ["uidMappings", "gidMappings"],
        ["process"] = ["commandLine", "scheduler", "ioPriority", "execCPUAffinity"],
        ["process.user"] = [],
        ["process.rlimits"] = [],
        ["linux"] = ["timeOffsets", "netDevices", "intelRdt", "personality"],
        ["linux.namespaces"] = [],
        ["linux.devices"] = [],
        ["linux.resources"] = ["blockIO", "hugepageLimits", "network", "rdma", "unified"],
        ["linux.resources.memory"] = ["useHierarchy", "checkBeforeUpdate"],
        ["linux.resources.cpu"] = ["burst", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle"],
    };

    private static bool InSpec(string field)
    {
        var path = System.Text.RegularExpressions.Regex.Replace(field, @"\[\d+\]", "");
        var dot = path.LastIndexOf('.');
        var (parent, name) = dot < 0 ? ("", path) : (path[..dot], path[(dot + 1)..]);
        // Objects runf models completely (hooks, capabilities, id mappings...) or not at all: an unknown property there is the spec's if runf reads none of the object.
        return !SpecProperties.TryGetValue(parent, out var names) || names.Contains(name);
    }

    private static void Check(OciConfig c, List<string> refused)
    {
        Unknown(c.Unknown, "", refused);
        Unknown(c.Root?.Unknown, "root.", refused);
        for (var i = 0; i < (c.Mounts?.Count ?? 0); i++)
        {
            Unknown(c.Mounts![i].Unknown, $"mounts[{i}].", refused);
        }
        if (c.Process is { } p)
        {
            Unknown(p.Unknown, "process.", refused);
            Unknown(p.ConsoleSize?.Unknown, "process.consoleSize.", refused);
            Unknown(p.User?.Unknown, "process.user.", refused);
            Unknown(p.Capabilities?.Unknown, "process.capabilities.", refused);
            Each(p.Rlimits, "process.rlimits", r => r.Unknown, refused);
        }
        if (c.Hooks is { } h)
        {
            Unknown(h.Unknown, "hooks.", refused);
            foreach (var (name, hooks) in (ReadOnlySpan<(string, IReadOnlyList<OciHook>?)>)[("prestart", h.Prestart), ("createRuntime", h.CreateRuntime),
                ("createContainer", h.CreateContainer), ("startContainer", h.StartContainer), ("poststart", h.Poststart), ("poststop", h.Poststop)])
            {
                Each(hooks, "hooks." + name, x => x.Unknown, refused);
            }
        }
        if (c.Linux is { } l)
        {
            Unknown(l.Unknown, "linux.", refused);
            Each(l.UidMappings, "linux.uidMappings", m => m.Unknown, refused);
            Each(l.GidMappings, "linux.gidMappings", m => m.Unknown, refused);
            Each(l.Namespaces, "linux.namespaces", n => n.Unknown, refused);
            Each(l.Devices, "linux.devices", d => d.Unknown, refused);
            if (l.Resources is { } r)
            {
                Unknown(r.Unknown, "linux.resources.", refused);
                Each(r.Devices, "linux.resources.devices", d => d.Unknown, refused);
                Unknown(r.Memory?.Unknown, "linux.resources.memory.", refused);
                Unknown(r.Cpu?.Unknown, "linux.resources.cpu.", refused);
                Unknown(r.Pids?.Unknown, "linux.resources.pids.", refused);
            }
        }
    }

    private static void Each<T>(IReadOnlyList<T>? items, string path, Func<T, Dictionary<string, JsonElement>?> unknown, List<string> refused)
    {
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            Unknown(unknown(items![i]), $"{path}[{i}].", refused);
        }
    }

    private static void Unknown(Dictionary<string, JsonElement>? fields, string prefix, List<string> refused)
    {
        foreach (var (name, value) in fields ?? [])
        {
            if (!IsEmpty(value))
            {
                refused.Add(prefix + name);
            }
        }
    }

    /// <summary>What an engine writes for "not set": null, {}, [], "", false, 0.</summary>
    internal static bool IsEmpty(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined or JsonValueKind.False => true,
        JsonValueKind.Object => !value.EnumerateObject().Any(p => !IsEmpty(p.Value)),
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Number => value.GetRawText() == "0",
        _ => false,
    };
}
