using RunF.Interop;
using RunF.RootfsTools;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Spec;

/// <summary>The image config `runf rootfs extract` saved beside a rootfs, as run defaults.</summary>
public static class ImageDefaultsLoader
{
    public static ImageDefaults? Load(string rootfs)
    {
        // Checked first: most rootfs have no config, and a thrown FileNotFoundException costs start-up time.
        if (!Libc.Exists(ImageConfigFile.PathFor(rootfs)))
        {
            return null;
        }
        try
        {
            return ImageConfigFile.TryLoad(rootfs) is { } config
                ? new ImageDefaults(config.Env, config.Entrypoint, config.Cmd, config.WorkingDir, config.User)
                : null;
        }
        catch (RootfsException e)
        {
            throw new RunfException(e.Message);
        }
    }
}
