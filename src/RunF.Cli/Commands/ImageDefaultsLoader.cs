using RunF.Runtime.Spec;

namespace RunF.Cli.Commands;

/// <summary>The image config saved beside an extracted rootfs, if there is one.</summary>
public static class ImageDefaultsLoader
{
    public static ImageDefaults? Load(string rootfs) => null;
}
