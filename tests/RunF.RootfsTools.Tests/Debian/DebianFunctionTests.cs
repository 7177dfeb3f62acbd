using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RunF.IntegrationTests.Infrastructure;
using RunF.IntegrationTests.Serve;

namespace RunF.RootfsTools.Tests.Debian;

/// <summary>
/// The first real interpreter in a RunF container: Debian's python3, extracted by runf as the
/// unprivileged test user, runs a function under `runf` and under `runf serve` as that user. The
/// function reads its body from stdin and answers with what it derived from it and from its
/// surroundings: shared libraries (hashlib and ssl load libcrypto and libssl), /dev/urandom, the
/// image's LANG, /proc/self/exe. It is started as /usr/local/bin/py, ten symlinks away from
/// /bin/python3, through merged /usr's /bin -> usr/bin.
/// </summary>
[Collection(DebianCollection.Name)]
public sealed class DebianFunctionTests(DebianImage image, TestEnvironment env)
{
    private const string Function = """
        import hashlib, json, locale, os, ssl, sys
        body = sys.stdin.buffer.read()
        locale.setlocale(locale.LC_ALL, "")
        print(json.dumps({
            "sha256": hashlib.sha256(body).hexdigest(),
            "words": body.decode().upper().split(),
            "random": open("/dev/urandom", "rb").read(16).hex(),
            "exe": os.readlink("/proc/self/exe"),
            "locale": locale.setlocale(locale.LC_CTYPE),
            "encoding": locale.getpreferredencoding(),
            "openssl": ssl.OPENSSL_VERSION,
            "uid": os.getuid(),
        }))
        """;

    private const string Body = "héllo wörld from runf";

    /// <summary>Checks one answer of the function to Body; its random bytes.</summary>
    private static string AssertAnswer(string answer)
    {
        using var json = JsonDocument.Parse(answer);
        var root = json.RootElement;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Body))), root.GetProperty("sha256").GetString());
        Assert.Equal(["HÉLLO", "WÖRLD", "FROM", "RUNF"], root.GetProperty("words").EnumerateArray().Select(w => w.GetString()!));
        Assert.Equal("/usr/bin/python3.11", root.GetProperty("exe").GetString());
        Assert.Equal("C.UTF-8", root.GetProperty("locale").GetString());
        Assert.Equal("UTF-8", root.GetProperty("encoding").GetString());
        Assert.StartsWith("OpenSSL 3.", root.GetProperty("openssl").GetString());
        Assert.Equal(0, root.GetProperty("uid").GetInt32());
        string random = root.GetProperty("random").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", random);
        return random;
    }

    [DebianFact]
    public void APythonFunctionRunsUnderRunf()
    {
        string rootfs = image.Reference(env);
        var first = Runf.Run(env, ["--rootfs", rootfs, "--", "py", "-c", Function], Body, timeoutSeconds: 60);
        Assert.True(first.ExitCode == 0, first.ToString());
        var second = Runf.Run(env, ["--rootfs", rootfs, "--", "py", "-c", Function], Body, timeoutSeconds: 60);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.NotEqual(AssertAnswer(first.Stdout), AssertAnswer(second.Stdout));
    }

    /// <summary>No command: the image's Cmd (python3, reading its program from stdin) with its Env.</summary>
    [DebianFact]
    public void TheImagesCommandIsPython()
    {
        var result = Runf.Run(env, ["--rootfs", image.Reference(env)], "import os, sys; print(sys.version_info[:2], os.environ['LANG'])", timeoutSeconds: 60);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("(3, 11) C.UTF-8\n", result.Stdout);
    }

    [DebianFact]
    public async Task APythonFunctionRunsUnderRunfServe()
    {
        using var server = await ServeServer.StartAsync(env, ["--rootfs", image.Reference(env), "--healthcheck-interval", "0", "--", "py", "-c", Function]);
        var randoms = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            using var response = await server.PostAsync("/", Body);
            string answer = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {answer}\n{server.Stderr}");
            randoms.Add(AssertAnswer(answer));
        }
        Assert.Equal(3, randoms.Distinct().Count());
    }
}
