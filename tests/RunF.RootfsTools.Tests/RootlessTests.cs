using System.Diagnostics;
using RunF.RootfsTools.Tests.Support;

namespace RunF.RootfsTools.Tests;

/// <summary>
/// The extractor as an unprivileged user (uid 40000): the same tree as umoci's rootless
/// unpack, every file owned by the caller, the image's owners in the sidecar.
/// </summary>
[Collection(ImagesCollection.Name)]
public sealed class RootlessTests(TestImages images) : IDisposable
{
    private const int Uid = 40000;
    private readonly Scratch _scratch = new();

    [Fact]
    public void ExtractsAsAnUnprivilegedUser()
    {
        Assert.True(Environment.UserName == "root", "setpriv needs root to switch to the test user");
        // The test binaries may live in a directory uid 40000 cannot read: copy them out.
        string bin = _scratch["bin"];
        Scratch.Run("cp", "-r", AppContext.BaseDirectory, bin);
        Scratch.Run("chmod", "-R", "a+rX", bin);
        string output = _scratch["rootfs"];

        var psi = new ProcessStartInfo("setpriv") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[]
        {
            $"--reuid={Uid}", $"--regid={Uid}", "--clear-groups", "env", $"HOME={_scratch.Path}", "DOTNET_CLI_TELEMETRY_OPTOUT=1",
            "DOTNET_NOLOGO=1", Path.Combine(Path.GetDirectoryName(Environment.ProcessPath!)!, "dotnet"), "exec",
            Path.Combine(bin, "RunF.RootfsTools.Tests.dll"), images["multi.oci.tar"], output,
        })
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"rootless extraction failed ({process.ExitCode}): {stderr}");
        Assert.Contains("extracted multi", stderr);

        string diff = TreeSnapshot.Diff(TreeSnapshot.Take(images.Oracle("multi")), TreeSnapshot.Take(output), TreeSnapshot.MountPoints);
        Assert.True(diff.Length == 0, $"rootless extraction differs from umoci:\n{diff}");
        Assert.Equal($"{Uid}:{Uid}", Scratch.Run("stat", "-c", "%u:%g", Path.Combine(output, "usr/bin/suid")).Trim());
        Assert.Equal($"{Uid}", Scratch.Run("stat", "-c", "%u", output).Trim());
    }

    public void Dispose() => _scratch.Dispose();
}
