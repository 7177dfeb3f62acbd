using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Network;

/// <summary>
/// The real deployment shape: the executor is itself a container, run by runf from the executor
/// image (rootfs-tools/make-executor-image.sh, a docker-save archive written by umoci and skopeo,
/// extracted by `runf rootfs extract`), and it runs the function with the runf inside it.
/// </summary>
[Collection(NetworkCollection.Name)]
public class ExecutorContainerTests(NetworkWorld world)
{
    /// <summary>What the outer container needs to run a runtime inside (README: an executor that is itself a container).</summary>
    private static readonly string[] ExecutorOptions = ["--cap-add", "SETFCAP", "--security-opt", "systempaths=unconfined", "--seccomp", "unconfined"];

    private string ExtractExecutorImage()
    {
        var dir = world.Env.NewDir("executor");
        var archive = Path.Combine(dir, "executor.tar");
        var script = Path.Combine(TestEnvironment.FindRepo(), "rootfs-tools", "make-executor-image.sh");
        Shell.Run(script, world.Env.Runf, world.Env.Rootfs, archive);
        Shell.Run(world.Env.Runf, "rootfs", "extract", archive, "-o", Path.Combine(dir, "rootfs"));
        Shell.Run("chmod", "-R", "a+rX", dir);
        return Path.Combine(dir, "rootfs");
    }

    [Fact]
    public void The_executor_image_runs_its_function_under_runf_inside_runf()
    {
        var executor = ExtractExecutorImage();
        // No command: the image's Entrypoint (runf --rootfs /function/rootfs) and Cmd.
        var hello = world.Runf(["--rootfs", executor, .. ExecutorOptions]);
        Assert.True(hello.ExitCode == 0, hello.ToString());
        Assert.Equal("hello from a function\n", hello.Stdout);
        // The book's demonstration: the function reaches nginx by name on the executor's network.
        var page = world.Runf(["--rootfs", executor, .. ExecutorOptions, "timeout", "10", "wget", "-qO-", "http://nginx/"]);
        Assert.True(page.ExitCode == 0, page.ToString());
        Assert.Equal(world.Page + "\n", page.Stdout);
        // Without those options the inner runf cannot start, and says which one is missing.
        var refused = world.Runf("--rootfs", executor, "true");
        Assert.Equal(125, refused.ExitCode);
        Assert.Contains("start the outer container with --seccomp unconfined", refused.Stderr);
    }
}
