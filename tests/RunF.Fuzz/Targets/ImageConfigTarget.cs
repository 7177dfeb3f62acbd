using RunF.RootfsTools;
using RunF.RootfsTools.Archive;
using RunF.Runtime.Errors;
using RunF.Runtime.Host;
using RunF.Runtime.Identity;
using RunF.Runtime.Plan;
using RunF.Runtime.Spec;

namespace RunF.Fuzz.Targets;

/// <summary>
/// The image config, both ways it reaches a run: as an image's config blob (which `rootfs
/// extract` turns into the DIR.image.json it saves; that file must then load) and as a
/// DIR.image.json itself (a file anyone with the rootfs can edit). Either way the defaults go
/// through the spec and the plan a `runf` with no command builds, down to the plan's bytes.
/// </summary>
internal static class ImageConfigTarget
{
    private static readonly string[] MountPoints = ["proc", "sys", "dev", "tmp", "etc"];

    public static void Run(byte[] input)
    {
        var sandbox = Sandbox.For("image-config");
        string rootfs = Path.Combine(sandbox.Output, "rootfs");
        string sidecar = ImageConfigFile.PathFor(rootfs);
        foreach (var dir in MountPoints)
        {
            Directory.CreateDirectory(Path.Combine(rootfs, dir));
        }

        File.WriteAllBytes(sidecar, input);
        Plan(rootfs, Load(rootfs));

        ImageConfig? saved = null;
        try
        {
            var image = new ImageInfo(0, [], "fuzz", []) { ConfigBytes = input };
            saved = RootfsExtractor.SavedConfig(image, ImageCatalog.ParseConfig(image));
        }
        catch (RootfsException e)
        {
            Harness.Refused(e);
        }
        if (saved is not null)
        {
            File.Delete(sidecar); // extract writes a new file, never over one
            ImageConfigFile.Write(sidecar, saved);
            // What extract saved, a run must read: a RunfException here is a finding too.
            Plan(rootfs, ImageDefaultsLoader.Load(rootfs));
        }
        File.Delete(sidecar);
    }

    private static ImageDefaults? Load(string rootfs)
    {
        try
        {
            return ImageDefaultsLoader.Load(rootfs);
        }
        catch (RunfException e)
        {
            Harness.Refused(e);
            return null;
        }
    }

    /// <summary>`runf --rootfs DIR` with no command: the spec from the image's defaults, its plan, the plan's bytes.</summary>
    private static void Plan(string rootfs, ImageDefaults? image)
    {
        try
        {
            // The image's User too: parsed, and a name looked up in the rootfs's /etc/passwd.
            var identity = ContainerIdentity.Resolve(requested: null, image?.User, rootfs);
            var spec = SpecFactory.Create(new RunRequest { Rootfs = rootfs }, rootfs, "zen_turing", image, seccomp: null, identity, _ => null);
            var plan = new PlanBuilder(HostProbe.Shared).Build(spec);
            var bytes = new byte[PlanSerializer.SizeOf(plan)];
            PlanSerializer.Write(plan, timing: false, bytes);
        }
        catch (RunfException e)
        {
            Harness.Refused(e);
        }
    }
}
