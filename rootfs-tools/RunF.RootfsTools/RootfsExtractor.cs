using System.Diagnostics;
using RunF.RootfsTools.Archive;
using RunF.RootfsTools.Json;
using RunF.RootfsTools.Layers;
using RunF.RootfsTools.Output;
using RunF.RootfsTools.Safety;
using Serilog;

namespace RunF.RootfsTools;

/// <summary>
/// `runf rootfs extract` and `runf rootfs ls`: open the archive, pick the image, apply its
/// layers into a private directory and move it into place with the image config beside it.
/// </summary>
public static class RootfsExtractor
{
    /// <summary>The images of an archive or layout; platform picks among an index's (null: the host's).</summary>
    public static IReadOnlyList<ImageInfo> List(string archivePath, Platform? platform, CancellationToken ct)
    {
        using var archive = OuterArchive.Open(archivePath, Path.GetTempPath(), ct);
        return ImageCatalog.Read(archive, platform);
    }

    public static ExtractResult Extract(ExtractOptions options, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var output = new AtomicOutput(options.Output, options.Force);
        using var archive = OuterArchive.Open(options.Archive, output.WorkPath, ct);
        var image = ImageSelector.Select(ImageCatalog.Read(archive, options.Platform), options.Image);
        if (ForeignPlatformWarning(image) is { } warning)
        {
            options.Warn?.Invoke(warning);
        }
        var config = ImageCatalog.ParseConfig(image);
        var saved = SavedConfig(image, config);
        var diffIds = config.Rootfs?.DiffIds ?? [];
        if (diffIds.Count != image.Layers.Count)
        {
            throw new RootfsException($"image {image.ShortId} lists {image.Layers.Count} layers but its config has {diffIds.Count} diff_ids; the archive is inconsistent");
        }
        Log.Debug("Extracting {Image} ({Layers} layers) from {Archive} into {TempDir}", image.ShortId, image.Layers.Count, archive.DisplayName, output.TempDir);

        ExtractStats stats;
        using (var root = RootDir.Open(output.TempDir))
        {
            var applier = new LayerApplier(root, options.MaxFiles, Umask.Current());
            using (var pipeline = new LayerPipeline(archive, image.Layers, options.MaxSize, ct))
            {
                long total = image.Size;
                for (int i = 0; i < image.Layers.Count; i++)
                {
                    var layer = image.Layers[i];
                    options.Progress?.Invoke(new ExtractProgress(i + 1, image.Layers.Count, pipeline.UncompressedBytes, total));
                    using var tar = pipeline.Next();
                    var reporting = options.Progress is null ? (Stream)tar : new ProgressStream(tar, () => options.Progress(new ExtractProgress(i + 1, image.Layers.Count, pipeline.UncompressedBytes, total)));
                    if (tar.AtEnd())
                    {
                        applier.CountEmptyLayer();
                    }
                    else
                    {
                        applier.Apply(reporting, i + 1, layer.Name, ct);
                    }
                    string digest = tar.Drain();
                    if (!string.Equals(digest, diffIds[i], StringComparison.OrdinalIgnoreCase))
                    {
                        throw new RootfsException($"layer {i + 1} ({layer.Name}) has digest {digest} but the image config expects {diffIds[i]}; the archive is corrupt");
                    }
                    Log.Debug("Applied layer {Layer} {Name} {DiffId}", i + 1, layer.Name, digest);
                }
            }
            MountPoints.Ensure(root);
            applier.FinishDirectories();
            stats = applier.Stats;
            OwnershipFile.Write(output.Sidecar(OwnershipFile.PathFor(output.FinalPath)), applier.Owners);
        }
        ImageConfigFile.Write(output.Sidecar(ImageConfigFile.PathFor(output.FinalPath)), saved);
        ct.ThrowIfCancellationRequested();
        output.Commit();
        return new ExtractResult(image, output.FinalPath, stats, clock.Elapsed);
    }

    /// <summary>
    /// The one line for an image the host cannot run natively: its programs fail with "exec
    /// format error" (unless binfmt_misc emulation is installed), long after this extraction.
    /// </summary>
    public static string? ForeignPlatformWarning(ImageInfo image)
    {
        if (image.Platform is not { } platform || platform.Matches(Platform.Host))
        {
            return null;
        }
        string arch = Platform.Host.Architecture;
        return $"image {image.DisplayName} is for {platform} but this host is {Platform.Host}: its programs will fail with \"exec format error\" " +
            $"unless an emulator is registered (binfmt_misc); extract the image for {arch} instead (--platform {Platform.Host} picks it from an archive " +
            $"that has several, `skopeo copy --override-arch {arch} docker://IMAGE oci:DIR:TAG` fetches it)";
    }

    /// <summary>What extract saves beside the rootfs as DIR.image.json: a run must be able to read it back.</summary>
    internal static ImageConfig SavedConfig(ImageInfo image, ImageConfigDocument document)
    {
        var saved = ToImageConfig(document.Config);
        return ImageConfigFile.NullEntry(saved) is { } field
            ? throw new RootfsException($"the config of image {image.ShortId}: config.{field} is null; the image is malformed")
            : saved;
    }

    private static ImageConfig ToImageConfig(ContainerConfig? c) => new(
        Env: c?.Env?.ToArray() ?? [],
        Entrypoint: c?.Entrypoint?.ToArray(),
        Cmd: c?.Cmd?.ToArray(),
        WorkingDir: string.IsNullOrEmpty(c?.WorkingDir) ? null : c.WorkingDir,
        User: string.IsNullOrEmpty(c?.User) ? null : c.User,
        ExposedPorts: c?.ExposedPorts?.Keys.Order(StringComparer.Ordinal).ToArray() ?? [],
        Labels: c?.Labels ?? new Dictionary<string, string>());
}
