using System.Text.Json;
using System.Text.Json.Serialization;
using RunF.Interop;

namespace RunF.RootfsTools;

/// <summary>
/// What runf needs from an image's config to run it without an explicit command: Entrypoint
/// plus Cmd, with Env and WorkingDir. User, ExposedPorts and Labels are kept for information.
/// </summary>
public sealed record ImageConfig(
    string[] Env,
    string[]? Entrypoint,
    string[]? Cmd,
    string? WorkingDir,
    string? User,
    string[] ExposedPorts,
    IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// The image config is saved beside the rootfs, not inside it, so the rootfs stays exactly
/// the image's content: for output directory X the file is X.image.json.
/// </summary>
public static class ImageConfigFile
{
    public static string PathFor(string rootfsDir) => rootfsDir.TrimEnd('/') + ".image.json";

    /// <summary>
    /// The saved config of rootfsDir, or null when there is none (a rootfs not made by
    /// `runf rootfs extract`). A file that exists but cannot be read is an error, not null:
    /// silently running a different command would be worse.
    /// </summary>
    public static ImageConfig? TryLoad(string rootfsDir)
    {
        string path = PathFor(rootfsDir);
        // Read as bytes: a rootfs whose path is not UTF-8 has its config beside it, under the same bytes.
        var bytes = WholeFile.Read(path);
        if (bytes is null)
        {
            return Errno.Last is Errno.ENOENT or Errno.ENOTDIR
                ? null
                : throw new RootfsException($"cannot read image config {path}: {Errno.Describe(Errno.Last)}");
        }
        ImageConfig config;
        try
        {
            config = JsonSerializer.Deserialize(bytes, ImageConfigJsonContext.Default.ImageConfig)
                ?? throw new RootfsException($"image config {path} is empty; extract the image again");
        }
        catch (JsonException e)
        {
            throw new RootfsException($"image config {path} is not valid json ({e.Message}); extract the image again", e);
        }
        return NullEntry(config) is { } field
            ? throw new RootfsException($"image config {path}: {field} is null; extract the image again")
            : config;
    }

    /// <summary>
    /// The first null in a list that becomes a command line or an environment ("Env[2]"), or
    /// null: JSON allows `[null]`, execve does not.
    /// </summary>
    internal static string? NullEntry(ImageConfig config)
    {
        foreach (var (name, list) in (ReadOnlySpan<(string, string[]?)>)[("Env", config.Env), ("Entrypoint", config.Entrypoint), ("Cmd", config.Cmd)])
        {
            int i = list is null ? -1 : Array.IndexOf(list, null);
            if (i >= 0)
            {
                return $"{name}[{i}]";
            }
        }
        return null;
    }

    internal static void Write(string path, ImageConfig config)
    {
        using var stream = Output.SidecarFile.Create(path);
        JsonSerializer.Serialize(stream, config, ImageConfigJsonContext.Default.ImageConfig);
    }
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(ImageConfig))]
internal sealed partial class ImageConfigJsonContext : JsonSerializerContext
{
}
