using System.Diagnostics;
using RunF.IntegrationTests.Infrastructure;
using RunF.IntegrationTests.Serve;
using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>
/// An image is untrusted input: its config's Env entry without '=' ("AWS_SECRET_ACCESS_KEY")
/// would be filled from the executor's environment, handing the function the executor's
/// credentials. Only the operator's own -e KEY reads the executor's environment.
/// </summary>
[Collection(AttackCollection.Name)]
public class ImageConfigAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "image config")
{
    private const string Secret = "RUNF_TEST_EXECUTOR_SECRET";

    private static readonly Dictionary<string, string> ExecutorEnv = new() { [Secret] = "hunter2" };

    /// <summary>A rootfs whose saved image config names the executor's secret and sets a plain variable.</summary>
    private string RootfsNamingTheSecret()
    {
        var rootfs = Env.CopyRootfs("secret-image");
        File.WriteAllText(rootfs + ".image.json", $$$"""
            {"Env": ["{{{Secret}}}", "PLAIN=from-image"], "Entrypoint": null, "Cmd": ["env"], "WorkingDir": null,
             "User": null, "ExposedPorts": [], "Labels": {}}
            """);
        return rootfs;
    }

    [Fact]
    public void Runf_does_not_fill_an_images_bare_variable_from_the_executor()
    {
        var rootfs = RootfsNamingTheSecret();
        var env = RunWithSecret(["--rootfs", rootfs]);
        Assert.Contains("PLAIN=from-image", env);
        Outcome("Env [\"SECRET\"] in the image config, runf", env.Contains(Secret) ? "leaked" : "absent", "absent");
        // The operator can still pass it on purpose, with -e KEY.
        Assert.Contains($"{Secret}=hunter2", RunWithSecret(["--rootfs", rootfs, "-e", Secret]));
    }

    [Fact]
    public async Task Runf_serve_does_not_fill_an_images_bare_variable_from_the_executor()
    {
        // runf serve passes its own environment on, as the watchdog does (that is how OpenFaaS
        // environment: settings reach a function); --inherit-env false keeps it back, and then the
        // image's bare name must not bring the executor's secret in either.
        var rootfs = RootfsNamingTheSecret();
        using var server = await ServeServer.StartAsync(Env, ["--rootfs", rootfs, "--healthcheck-interval", "0", "--inherit-env", "false", "--", "env"], ExecutorEnv);
        using var response = await server.PostAsync("/", "");
        var env = await response.Content.ReadAsStringAsync();
        Assert.Contains("PLAIN=from-image", env);
        Outcome("Env [\"SECRET\"] in the image config, runf serve --inherit-env false", env.Contains(Secret) ? "leaked" : "absent", "absent");
    }

    private string RunWithSecret(string[] args)
    {
        using var p = Runf.Start(Env, args, ExecutorEnv);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(30_000), "runf did not exit");
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}: {stderr}");
        return stdout.Result;
    }
}
