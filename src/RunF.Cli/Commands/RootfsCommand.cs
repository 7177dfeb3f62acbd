using System.CommandLine;
using System.Globalization;
using RunF.RootfsTools;
using RunF.RootfsTools.Archive;

namespace RunF.Cli.Commands;

/// <summary>
/// `runf rootfs extract [ARCHIVE|LAYOUT|-] -o DIR [--image REF] [--platform P]` and `runf rootfs ls ARCHIVE`.
/// undocker's spellings (--output, --list, --layers) are accepted so users of the old
/// `docker save x | undocker.py --output rootfs` recipe find their way.
/// Exit codes: 0 success, 125 any error (one "runf: " line on stderr).
/// </summary>
public static class RootfsCommand
{

    public static Command Create()
    {
        var command = new Command("rootfs", "Make a rootfs directory from a docker save or OCI image archive");
        command.Subcommands.Add(CreateExtract());
        command.Subcommands.Add(CreateList());
        return command;
    }

    private static Command CreateExtract()
    {
        var archive = new Argument<string>("archive") { Description = ArchiveDescription, DefaultValueFactory = _ => "-" };
        var output = new Option<string>("--output", "-o") { Description = "Directory to create (it must not exist unless --force)" };
        var image = new Option<string>("--image", "-i") { Description = "Image to extract: name[:tag] (an OCI layout's tag), id or id prefix, or @N as `runf rootfs ls` numbers them" };
        var platform = PlatformOption();
        var force = new Option<bool>("--force", "-f") { Description = "Replace DIR if it exists" };
        var maxSize = new Option<string>("--max-size") { Description = "Limit on uncompressed layer data (k, m, g, t suffixes)", DefaultValueFactory = _ => "16g" };
        var maxFiles = new Option<long>("--max-files") { Description = "Limit on entries across all layers", DefaultValueFactory = _ => ExtractOptions.DefaultMaxFiles };
        var list = new Option<bool>("--list") { Description = "List the images in the archive instead (as `runf rootfs ls`)" };
        var layers = new Option<bool>("--layers") { Description = "List the layers of the chosen image instead" };
        var command = new Command("extract", "Extract an image's layers into a directory, with its config beside it (DIR.image.json)")
        {
            archive, output, image, platform, force, maxSize, maxFiles, list, layers,
        };
        command.SetAction((parseResult, ct) => Task.FromResult(Run(() =>
        {
            string source = Source(parseResult.GetValue(archive), "extract");
            var wanted = ParsePlatform(parseResult.GetValue(platform));
            if (parseResult.GetValue(list))
            {
                PrintImages(RootfsExtractor.List(source, wanted, ct));
                return 0;
            }
            if (parseResult.GetValue(layers))
            {
                var chosen = ImageSelector.Select(RootfsExtractor.List(source, wanted, ct), parseResult.GetValue(image));
                foreach (var layer in chosen.Layers)
                {
                    Console.Out.WriteLine($"{layer.Name}\t{layer.Size}");
                }
                return 0;
            }
            string dir = parseResult.GetValue(output)
                ?? throw new RootfsException("missing --output DIR: say where to extract the rootfs");
            var options = new ExtractOptions(source, dir)
            {
                Image = parseResult.GetValue(image),
                Platform = wanted,
                Warn = warning => Console.Error.WriteLine("runf: warning: " + warning),
                Force = parseResult.GetValue(force),
                MaxSize = Size.Parse(parseResult.GetValue(maxSize) ?? "16g"),
                MaxFiles = parseResult.GetValue(maxFiles) is > 0 and var n ? n : throw new RootfsException("--max-files must be a positive number"),
            };
            var progress = Console.IsErrorRedirected ? null : new ProgressBar();
            ExtractResult result;
            try
            {
                result = RootfsExtractor.Extract(options with { Progress = progress is null ? null : progress.Report }, ct);
            }
            finally
            {
                progress?.Clear();
            }
            Console.Error.WriteLine(result.Summary());
            return 0;
        }, parseResult.GetValue(output))));
        return command;
    }

    private static Command CreateList()
    {
        var archive = new Argument<string>("archive") { Description = ArchiveDescription, DefaultValueFactory = _ => "-" };
        var platform = PlatformOption();
        var command = new Command("ls", "List the images in an archive: index, id, platform, layers, size, tags") { archive, platform };
        command.SetAction((parseResult, ct) => Task.FromResult(Run(() =>
        {
            PrintImages(RootfsExtractor.List(Source(parseResult.GetValue(archive), "ls"), ParsePlatform(parseResult.GetValue(platform)), ct));
            return 0;
        }, output: null)));
        return command;
    }

    private static void PrintImages(IReadOnlyList<ImageInfo> images)
    {
        Console.Out.WriteLine($"{"INDEX",-6} {"ID",-12} {"PLATFORM",-16} {"LAYERS",6} {"SIZE",10}  TAGS");
        foreach (var i in images)
        {
            string tags = i.Tags.Count > 0 ? string.Join(' ', i.Tags) : "<none>";
            string platform = i.Platform?.ToString() ?? "?";
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"@" + i.Index,-6} {i.ShortId,-12} {platform,-16} {i.Layers.Count,6} {Size.Format(i.Size),10}  {tags}"));
        }
    }

    private const string ArchiveDescription =
        "Image archive (docker save, docker-archive, OCI archive; uncompressed or gzip, zstd, bzip2, xz), OCI layout directory (skopeo copy IMAGE oci:DIR:TAG), or - for stdin";

    private static Option<string> PlatformOption() => new("--platform")
    {
        Description = "Platform to take from a multi-platform image index: OS/ARCH[/VARIANT] (default: this host's, " + Platform.Host + ")",
    };

    private static Platform? ParsePlatform(string? text) => text is null ? null : Platform.Parse(text);

    /// <summary>
    /// The archive, "-" for stdin; with no archive named, stdin on a terminal would wait silently
    /// for an archive nobody is typing.
    /// </summary>
    private static string Source(string? archive, string verb)
    {
        var source = archive ?? "-";
        if (source == "-" && !Console.IsInputRedirected)
        {
            throw new RootfsException($"no archive given and stdin is a terminal: name one (runf rootfs {verb} image.tar), or pipe one in (docker save IMAGE | runf rootfs {verb} -{(verb == "extract" ? " -o DIR" : "")})");
        }
        return source;
    }

    /// <summary>Runs body; an interruption says what it left untouched (Failures reports every failure).</summary>
    private static int Run(Func<int> body, string? output)
    {
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            throw new RootfsException(output is null ? "interrupted" : $"interrupted; {output} was left untouched");
        }
    }

    /// <summary>A one-line progress bar on a terminal stderr: layer N/M and bytes, redrawn at most 10 times a second.</summary>
    private sealed class ProgressBar
    {
        private const int Width = 30;
        private long _lastDraw;

        public void Report(ExtractProgress p)
        {
            long now = Environment.TickCount64;
            if (now - _lastDraw < 100 && p.Bytes != 0)
            {
                return;
            }
            _lastDraw = now;
            int filled = (int)(Width * (p.Layer - 1) / Math.Max(1, p.Layers));
            string bar = new string('#', filled) + new string('-', Width - filled);
            Console.Error.Write($"\r[{bar}] layer {p.Layer}/{p.Layers} {Size.Format(p.Bytes)}\u001b[K");
        }

        public void Clear() => Console.Error.Write("\r\u001b[K");
    }
}
