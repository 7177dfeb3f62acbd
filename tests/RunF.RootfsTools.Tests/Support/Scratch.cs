using System.Diagnostics;

namespace RunF.RootfsTools.Tests.Support;

/// <summary>
/// A world-readable temporary directory under /tmp: the rootless tests hand paths in it to an
/// unprivileged user, and CI's checkout directory may not be readable by one.
/// </summary>
public sealed class Scratch : IDisposable
{
    public Scratch()
    {
        Path = Directory.CreateTempSubdirectory("runf-rootfs-test-").FullName;
        File.SetUnixFileMode(Path, (UnixFileMode)0x1FF);
    }

    public string Path { get; }

    public string this[string name] => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        // Extracted trees contain read-only directories; chmod first so rm can empty them.
        Run("chmod", "-R", "u+rwX", Path);
        Directory.Delete(Path, recursive: true);
    }

    public static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {stderr}");
        }
        return stdout;
    }
}
