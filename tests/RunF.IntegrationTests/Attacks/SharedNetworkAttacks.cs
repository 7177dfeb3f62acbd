using System.Net.Sockets;
using Xunit.Abstractions;

namespace RunF.IntegrationTests.Attacks;

/// <summary>
/// A function shares the executor's network namespace, and with it every abstract unix socket
/// there (a host D-Bus, a containerd shim's API: CVE-2020-15257) and every TCP port. The
/// container's Landlock domain scopes abstract sockets and signals to the container, and
/// --net-bind (runf serve: none by default) denies binding TCP ports. This kernel has Landlock
/// ABI 7 (MACHINE-NOTES), so every row is enforced here.
/// </summary>
[Collection(AttackCollection.Name)]
public class SharedNetworkAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "shared network (landlock)")
{
    [Fact]
    public void An_abstract_socket_of_the_executor_cannot_be_reached()
    {
        var name = $"runf-attack-{Guid.NewGuid():N}";
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name));
        listener.Listen();
        // Reachable from a plain process of the unprivileged user: only the container's domain stops it.
        Outcome("connect to the executor's abstract socket @name", World.Probe("connect-abstract", name), "EPERM");
        Outcome("the same without the seccomp filter", World.ProbeUnconfined("connect-abstract", name), "EPERM");
    }

    [Fact]
    public void Processes_of_one_container_still_talk_over_an_abstract_socket() =>
        Assert.Equal("ok", World.Probe("abstract-pair", $"runf-pair-{Guid.NewGuid():N}"));

    [Fact]
    public void Signals_within_the_container_still_work() =>
        Assert.Equal("ok", World.Probe("kill", "1", "0"));

    [Fact]
    public void Binding_a_tcp_port_is_denied_with_net_bind_none()
    {
        var port = FreePort();
        Outcome($"bind 127.0.0.1:PORT with --net-bind none", World.RunIn(World.Rootfs, "--net-bind", "none", "--", "probe", "bind-tcp", $"{port}"), "EACCES");
        Outcome($"bind another port with --net-bind PORT", World.RunIn(World.Rootfs, "--net-bind", $"{port}", "--", "probe", "bind-tcp", $"{FreePort()}"), "EACCES");
        Assert.Equal("ok", World.RunIn(World.Rootfs, "--net-bind", $"{port}", "--", "probe", "bind-tcp", $"{port}"));
        Assert.Equal("ok", World.Probe("bind-tcp", $"{port}")); // runf's default is any
    }

    [Fact]
    public void A_vsock_socket_with_the_upper_half_of_the_family_set_is_denied() =>
        Outcome("socket(0x1_00000028 = AF_VSOCK with high bits)", World.Probe("socket", "0x100000028"), "EPERM");

    private static int FreePort() => Serve.ServeServer.FreePort();
}

/// <summary>
/// runf serve's functions share the agent's network namespace: by default a function binds no
/// TCP port (it publishes no service, and the agent's own port must stay the agent's); the
/// operator opens the ones a function needs with --allow-bind.
/// </summary>
[Collection(AttackCollection.Name)]
public class ServeBindAttacks(AttackEnvironment world, ITestOutputHelper output) : AttackTests(world, output, "shared network (landlock)")
{
    private async Task<string> BindFromAFunction(int port, params string[] serveArgs)
    {
        using var server = await Serve.ServeServer.StartAsync(Env, ["--rootfs", World.Rootfs, "--healthcheck-interval", "0", .. serveArgs, "--", "probe", "bind-tcp", $"{port}"]);
        using var response = await server.PostAsync("/", "");
        return (await response.Content.ReadAsStringAsync()).Trim();
    }

    [Fact]
    public async Task A_function_cannot_bind_a_tcp_port_unless_allowed()
    {
        var port = Serve.ServeServer.FreePort();
        Outcome("bind 127.0.0.1:PORT from a runf serve function", await BindFromAFunction(port), "EACCES");
        Assert.Equal("ok", await BindFromAFunction(port, "--allow-bind", $"{port}"));
        Assert.Equal("ok", await BindFromAFunction(port, "--allow-bind", "any"));
    }
}
