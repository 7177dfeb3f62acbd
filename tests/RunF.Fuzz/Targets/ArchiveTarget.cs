using RunF.Fuzz.Input;
using RunF.RootfsTools;
using RunF.RootfsTools.Archive;

namespace RunF.Fuzz.Targets;

/// <summary>
/// The outer archive reader: manifest.json, index.json and nested indexes, the members they
/// name, the image config and the layers, as `runf rootfs ls` and `runf rootfs extract` read
/// them. Input: a member list (t/z/Z members are layer tars built from nested "## " members,
/// g gzips the archive) or the raw archive bytes. The extraction goes into the sandbox; what
/// it saves beside the rootfs must load again as a run's defaults.
/// </summary>
internal static class ArchiveTarget
{
    private const string ArchiveName = "image.tar", TempName = "tmp";
    private static readonly string[] Outputs = ["rootfs", "rootfs.image.json", "rootfs.owners"];

    public static void Run(byte[] input)
    {
        var sandbox = Sandbox.For("archive", ArchiveName, TempName);
        sandbox.Begin();
        // `rootfs ls` spools a gzip archive to the temporary directory: into the sandbox, to see it go.
        string temp = Path.Combine(sandbox.Path, TempName);
        Directory.CreateDirectory(temp);
        Environment.SetEnvironmentVariable("TMPDIR", temp);
        byte[]? archive = MemberList.IsStructured(input)
            ? Harness.Build(() => TarBuilder.Archive(MemberList.Parse(input, MemberList.Mark)))
            : input;
        if (archive is null)
        {
            return;
        }
        string path = Path.Combine(sandbox.Path, ArchiveName);
        File.WriteAllBytes(path, archive);
        try
        {
            List(path);
            Extract(path, Path.Combine(sandbox.Output, "rootfs"));
            // A refused or finished extraction leaves its output or nothing: no work directory, no spooled copy.
            var left = Directory.EnumerateFileSystemEntries(sandbox.Output).Select(Path.GetFileName)
                .Concat(Directory.EnumerateFileSystemEntries(temp).Select(Path.GetFileName))
                .Where(name => !Outputs.Contains(name)).ToList();
            if (left.Count > 0)
            {
                throw new EscapeException($"the extraction left {string.Join(", ", left)} behind");
            }
        }
        finally
        {
            sandbox.Check();
            sandbox.Reset();
        }
    }

    /// <summary>`rootfs ls`, then every way --image can pick each image.</summary>
    private static void List(string path)
    {
        IReadOnlyList<ImageInfo> images;
        try
        {
            images = RootfsExtractor.List(path, null, CancellationToken.None);
        }
        catch (RootfsException e)
        {
            Harness.Refused(e);
            return;
        }
        foreach (var image in images)
        {
            foreach (var choice in image.Tags.Append($"@{image.Index}").Append(image.ShortId).Append(ImageSelector.Normalize(image.Tags.FirstOrDefault() ?? "")))
            {
                try
                {
                    ImageSelector.Select(images, choice);
                }
                catch (RootfsException e)
                {
                    Harness.Refused(e);
                }
            }
        }
    }

    private static void Extract(string path, string output)
    {
        try
        {
            RootfsExtractor.Extract(new ExtractOptions(path, output) { Image = "@0", Force = true, MaxSize = 64L << 20, MaxFiles = 4096 }, CancellationToken.None);
        }
        catch (RootfsException e)
        {
            Harness.Refused(e);
            return;
        }
        // What extract saved, a run must read.
        ImageConfigFile.TryLoad(output);
    }
}
