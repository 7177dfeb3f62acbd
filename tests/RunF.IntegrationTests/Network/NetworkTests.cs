using System.Diagnostics;
using RunF.IntegrationTests.Infrastructure;

namespace RunF.IntegrationTests.Network;

/// <summary>
/// A function in the executor's network: it reaches the services by name through the executor's
/// resolver (127.0.0.11, as on a Docker network) with the unmodified busybox rootfs, and what it
/// serves is reachable from the executor.
/// </summary>
[Collection(NetworkCollection.Name)]
public class NetworkTests(NetworkWorld world)
{
    [Fact]
    public void Fetches_the_nginx_page_by_name()
    {
        var r = world.Runf("timeout", "10", "wget", "-qO-", "http://nginx/");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(world.Page + "\n", r.Stdout);
    }

    [Fact]
    public void Resolves_service_names_through_the_executors_resolver()
    {
        var r = world.Runf("sh", "-c", "cat /etc/resolv.conf; nslookup nginx; nslookup echo");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("nameserver 127.0.0.11\noptions ndots:0\n", r.Stdout);
        Assert.Contains("Server:\t\t127.0.0.11", r.Stdout);
        Assert.Equal(2, r.Stdout.Split('\n').Count(l => l == $"Address: {world.ServiceIp}"));
    }

    [Fact]
    public void The_rootfs_has_no_resolver_of_its_own()
    {
        Assert.Equal(0, new FileInfo(Path.Combine(world.Env.Rootfs, "etc", "resolv.conf")).Length);
        var r = world.Runf("--no-dns", "sh", "-c", "timeout 10 wget -qO- http://nginx/");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("bad address 'nginx'", r.Stderr);
    }

    [Fact]
    public void The_echo_service_answers()
    {
        var r = world.Runf("sh", "-c", "echo ping-from-function | timeout 10 nc echo 7");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("ping-from-function\n", r.Stdout);
    }

    [Fact]
    public async Task A_function_serving_port_80_is_reachable_from_the_executor()
    {
        // Port 80 needs CAP_NET_BIND_SERVICE, one of the three; the network is the executor's.
        using var p = world.StartRunf("sh", "-c", "mkdir /tmp/www && echo served-by-function > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www");
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            string? page = null;
            var deadline = Stopwatch.StartNew();
            while (page is null && deadline.Elapsed < TimeSpan.FromSeconds(15) && !p.HasExited)
            {
                try
                {
                    page = world.InExecutor("curl", "-sf", "--max-time", "2", "http://127.0.0.1:80/");
                }
                catch (InvalidOperationException)
                {
                    Thread.Sleep(50);
                }
            }
            Assert.True(page is not null, $"nothing answered on port 80 of the executor; runf exited: {p.HasExited}");
            Assert.Equal("served-by-function\n", page);
        }
        finally
        {
            // httpd is PID 1 without a SIGTERM handler: kill runf, and the container dies with it.
            if (!p.HasExited)
            {
                p.Kill();
            }
            Assert.True(p.WaitForExit(10_000), "runf did not exit after SIGKILL");
        }
        Assert.DoesNotContain("runf:", await stderr);
    }

    [Fact]
    public void Port_80_is_bindable_only_through_the_executors_sysctl_not_the_capability()
    {
        // Finding, pinned: CAP_NET_BIND_SERVICE is checked in the user namespace that owns the
        // network namespace, which is the executor's, not the container's. Docker sets
        // ip_unprivileged_port_start=0 in its containers; without it port 80 is refused.
        world.InExecutor("sysctl", "-qw", "net.ipv4.ip_unprivileged_port_start=1024");
        try
        {
            var r = world.Runf("httpd", "-f", "-p", "80", "-h", "/tmp");
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("bind: Permission denied", r.Stderr);
        }
        finally
        {
            world.InExecutor("sysctl", "-qw", "net.ipv4.ip_unprivileged_port_start=0");
        }
    }
}
