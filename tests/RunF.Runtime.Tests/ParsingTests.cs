using RunF.Runtime.Errors;
using RunF.Runtime.Launch;
using RunF.Runtime.Spec;

namespace RunF.Runtime.Tests;

public class ParsingTests
{
    [Theory]
    [InlineData("64m", 64L << 20)]
    [InlineData("64MB", 64L << 20)]
    [InlineData("1g", 1L << 30)]
    [InlineData("512k", 512L << 10)]
    [InlineData("1.5m", 3L << 19)]
    [InlineData("4096", 4096)]
    [InlineData("100b", 100)]
    public void Parses_sizes(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text, "size"));

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("-1m")]
    [InlineData("12x")]
    public void Rejects_bad_sizes(string text) =>
        Assert.Contains("expected a size", Assert.Throws<RunfException>(() => ByteSize.Parse(text, "--memory")).Message);

    [Theory]
    [InlineData("any", null)]
    [InlineData("none", "")]
    [InlineData("8080", "8080")]
    [InlineData("9001-9003,80,9002", "80,9001,9002,9003")]
    [InlineData("65535", "65535")]
    public void Parses_net_bind(string text, string? ports) =>
        Assert.Equal(ports, TcpBindPolicy.Parse(text, "--net-bind").Ports is { } p ? string.Join(',', p) : null);

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("65536")]
    [InlineData("80,")]
    [InlineData("90-80")]
    [InlineData("-1")]
    [InlineData("http")]
    [InlineData("+80")]
    public void Rejects_bad_net_bind(string text) =>
        Assert.Contains("expected any, none, or TCP ports", Assert.Throws<RunfException>(() => TcpBindPolicy.Parse(text, "--net-bind")).Message);

    [Theory]
    [InlineData("nofile=1024", 7, 1024UL, 1024UL)]
    [InlineData("NOFILE=10:20", 7, 10UL, 20UL)]
    [InlineData("core=unlimited", 4, ulong.MaxValue, ulong.MaxValue)]
    [InlineData("nproc=0:-1", 6, 0UL, ulong.MaxValue)]
    public void Parses_ulimits(string text, int resource, ulong soft, ulong hard) =>
        Assert.Equal(new Rlimit(resource, soft, hard), Rlimits.Parse(text));

    [Theory]
    [InlineData("files=1")]
    [InlineData("nofile=")]
    [InlineData("nofile=20:10")]
    [InlineData("nofile=1:2:3")]
    public void Rejects_bad_ulimits(string text) => Assert.Throws<RunfException>(() => Rlimits.Parse(text));

    [Theory]
    [InlineData(0x0000, 0)]
    [InlineData(0x2a00, 42)]
    [InlineData(0x0009, 137)]
    [InlineData(0x000f, 143)]
    [InlineData(0x0086, 134)] // SIGABRT with a core dump
    public void Decodes_wait_status_as_a_shell_does(int status, int exitCode) =>
        Assert.Equal(exitCode, ContainerProcess.ExitStatus(status));

    [Fact]
    public void Names_capabilities()
    {
        Assert.Equal("CAP_NET_BIND_SERVICE", Capabilities.NameOf(10));
        Assert.Equal(29, Capabilities.Parse("cap_audit_write"));
        Assert.Equal(-1, Capabilities.Parse("all"));
    }
}
