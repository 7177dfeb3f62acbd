using System.Text.Json;
using RunF.Runtime.IO;

namespace RunF.Runtime.Oci;

/// <summary>
/// What runf keeps about an OCI container (state.json in its directory): its PID 1 and that
/// process's start time (so a reused pid is not taken for it), the bundle, the rootfs, when it
/// was created, its annotations and its cgroup.
/// </summary>
public sealed record OciRecord(string Id, int Pid, ulong PidStartTime, string Bundle, string Rootfs, DateTimeOffset Created,
    IReadOnlyDictionary<string, string> Annotations, string? CgroupPath)
{
    public const string OciVersion = "1.2.0";

    public void WriteTo(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteNumber("pid", Pid);
        json.WriteNumber("pidStartTime", PidStartTime);
        json.WriteString("bundle", Bundle);
        json.WriteString("rootfs", Rootfs);
        json.WriteString("created", Created.ToString("O"));
        WriteAnnotations(json);
        if (CgroupPath is not null)
        {
            json.WriteString("cgroupPath", CgroupPath);
        }
        json.WriteEndObject();
    }

    public static OciRecord Parse(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        var root = doc.RootElement;
        var annotations = new Dictionary<string, string>();
        if (root.TryGetProperty("annotations", out var a))
        {
            foreach (var p in a.EnumerateObject())
            {
                annotations[p.Name] = p.Value.GetString() ?? "";
            }
        }
        return new OciRecord(root.GetProperty("id").GetString()!, root.GetProperty("pid").GetInt32(), root.GetProperty("pidStartTime").GetUInt64(),
            root.GetProperty("bundle").GetString()!, root.GetProperty("rootfs").GetString()!, DateTimeOffset.Parse(root.GetProperty("created").GetString()!),
            annotations, root.TryGetProperty("cgroupPath", out var c) ? c.GetString() : null);
    }

    /// <summary>created (waiting at its gate), running, or stopped (gone, a zombie, or its pid reused).</summary>
    public string Status(string fifo)
    {
        if (!IsAlive())
        {
            return "stopped";
        }
        return File.Exists(fifo) ? "created" : "running";
    }

    public bool IsAlive() => Pid > 0 && ProcStat.Read(Pid) is { } stat && stat.StartTime == PidStartTime && stat.State is not ('Z' or 'X');

    /// <summary>The OCI state (runtime-spec's "state" operation), as `runf state` prints it and hooks read it on stdin.</summary>
    public byte[] StateJson(string status) => JsonText.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("ociVersion", OciVersion);
        json.WriteString("id", Id);
        json.WriteString("status", status);
        json.WriteNumber("pid", status == "stopped" ? 0 : Pid);
        json.WriteString("bundle", Bundle);
        json.WriteString("rootfs", Rootfs);
        json.WriteString("created", Created.ToString("O"));
        json.WriteString("owner", "");
        WriteAnnotations(json);
        json.WriteEndObject();
    }, indented: true);

    private void WriteAnnotations(Utf8JsonWriter json)
    {
        json.WriteStartObject("annotations");
        foreach (var (key, value) in Annotations)
        {
            json.WriteString(key, value);
        }
        json.WriteEndObject();
    }
}

/// <summary>/proc/PID/stat's state letter and start time (clock ticks after boot).</summary>
public sealed record ProcStat(char State, ulong StartTime)
{
    public static ProcStat? Read(int pid)
    {
        var text = SmallFiles.ReadText($"/proc/{pid}/stat");
        var close = text?.LastIndexOf(')') ?? -1;
        if (text is null || close < 0)
        {
            return null;
        }
        // After "pid (comm) ": state is field 3, starttime field 22.
        var fields = text[(close + 2)..].Split(' ');
        return fields.Length > 19 && ulong.TryParse(fields[19], out var start) ? new ProcStat(fields[0][0], start) : null;
    }
}
