using System.Net;
using System.Net.Sockets;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Serve;

/// <summary>runf's container options on runf serve, for every invocation's container: binds, tmpfs, environment, the listen address.</summary>
[Collection(RunfCollection.Name)]
public sealed class ServeContainerFlagsTests(TestEnvironment env)
{
    [Fact]
    public async Task Binds_tmpfs_and_environment_reach_every_container()
    {
        var data = env.NewDir("serve-bind");
        File.WriteAllText(Path.Combine(data, "greeting"), "hello from the host");
        var envFile = Path.Combine(env.NewDir("serve-env"), "fn.env");
        File.WriteAllText(envFile, "FROM_FILE=file\n");
        using var server = await ServeServer.StartAsync(env,
        [
            "--rootfs", env.Rootfs, "--healthcheck-interval", "0",
            "--bind", $"{data}:/mnt", "--tmpfs", "/run:1m", "-e", "GREETING=hi", "--env", "SECOND=2", "--env-file", envFile,
            "--", "sh", "-c", "cat /mnt/greeting; echo; echo $GREETING $SECOND $FROM_FILE; touch /run/x && echo run-writable; touch /mnt/x || echo bind-read-only",
        ]);
        using var response = await server.PostAsync("/", "");
        Assert.Equal("hello from the host\nhi 2 file\nrun-writable\nbind-read-only\n", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Listen_binds_both_ports_to_the_address_given()
    {
        using var server = await ServeServer.StartAsync(env, ["--rootfs", env.Rootfs, "--healthcheck-interval", "0", "--listen", "127.0.0.1", "--", "cat"]);
        // Listening on 127.0.0.1 only: another loopback address of this host is refused.
        using var other = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(() => other.ConnectAsync(IPAddress.Parse("127.0.0.2"), server.Port));
        using var response = await server.PostAsync("/", "on loopback");
        Assert.Equal("on loopback", await response.Content.ReadAsStringAsync());
    }
}
