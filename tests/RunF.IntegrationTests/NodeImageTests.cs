using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests;

/// <summary>The Node.js image fixture: the machine's node runs in runf's extraction of it, and finds the packages it was built with.</summary>
[Collection(RunfCollection.Name)]
public sealed class NodeImageTests(TestEnvironment env)
{
    private const string Package = "@fnproject/fdk";
    private static readonly NodeImage Image = new(Package);

    [NodeFact(Package)]
    public void NodeRunsInTheExtractedImageWithItsPackages()
    {
        string rootfs = Image.Extract(env, "node-image", new Dictionary<string, string>
        {
            ["probe.js"] = """
                const fdk = require("@fnproject/fdk");
                console.log(JSON.stringify({ version: process.version, handle: typeof fdk.handle, cwd: process.cwd(), uid: process.getuid() }));
                """,
        });
        // The image's WorkingDir (/function) is where node finds the script.
        var result = Runf.Run(env, ["--rootfs", rootfs, "--", "node", "probe.js"], stdin: null, timeoutSeconds: 60);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($$"""{"version":"{{Shell.Run("node", "--version").Trim()}}","handle":"function","cwd":"/function","uid":0}""" + "\n", result.Stdout);
    }
}
