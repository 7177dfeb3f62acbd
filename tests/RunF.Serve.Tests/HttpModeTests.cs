using System.Net;
using Microsoft.Extensions.Primitives;
using RunF.Serve.Configuration;
using RunF.Serve.HttpMode;

namespace RunF.Serve.Tests;

public sealed class HttpModeTests
{
    [Theory]
    [InlineData("Connection")]
    [InlineData("keep-alive")]
    [InlineData("Proxy-Connection")]
    [InlineData("Proxy-Authorization")]
    [InlineData("Proxy-Authenticate")]
    [InlineData("TE")]
    [InlineData("Trailer")]
    [InlineData("transfer-encoding")]
    [InlineData("Upgrade")]
    public void Hop_by_hop_headers_stop_at_the_proxy(string name) => Assert.False(ProxyHeaders.EndToEnd(StringValues.Empty)(name));

    [Fact]
    public void Headers_the_connection_header_names_stop_too_and_the_rest_pass_with_every_value()
    {
        var headers = new Dictionary<string, StringValues>
        {
            ["Connection"] = new(["keep-alive, X-Secret-Hop", "Other"]),
            ["X-Secret-Hop"] = "1",
            ["other"] = "2",
            ["Accept"] = new(["a/b", "c/d"]),
            ["Authorization"] = "Bearer t",
            ["Host"] = "client.example",
            ["Content-Length"] = "3",
            ["Expect"] = "100-continue",
            ["X-Forwarded-For"] = "10.0.0.1",
            ["Content-Type"] = "text/plain",
        };
        var passed = ProxyHeaders.OfRequest(headers, headers["Connection"]).ToDictionary();
        Assert.Equal(["Accept", "Authorization", "Content-Type"], passed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("a/b,c/d", passed["Accept"].ToString());

        // A response keeps its Content-Length (the client needs the framing); the rest as a request.
        var answer = ProxyHeaders.OfResponse(headers, headers["Connection"]).ToDictionary();
        Assert.Contains("Content-Length", answer.Keys);
        Assert.Contains("Host", answer.Keys);
        Assert.DoesNotContain("X-Secret-Hop", answer.Keys);
        Assert.DoesNotContain("Connection", answer.Keys);
    }

    [Fact]
    public void X_forwarded_for_gets_the_client_appended_as_gos_reverse_proxy_does()
    {
        Assert.Equal("127.0.0.1", ProxyHeaders.ForwardedFor(StringValues.Empty, IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.Equal("10.0.0.1, 10.0.0.2, ::1", ProxyHeaders.ForwardedFor(new(["10.0.0.1", "10.0.0.2"]), IPAddress.IPv6Loopback));
        Assert.Equal("10.0.0.1", ProxyHeaders.ForwardedFor("10.0.0.1", null));
        Assert.Null(ProxyHeaders.ForwardedFor(StringValues.Empty, null));
    }

    [Fact]
    public void The_function_gets_the_agents_environment_less_runf_serves_settings_and_the_agents_own_process_variables()
    {
        string[] agent =
        [
            "MY_SECRET=s3", "OPENFAAS_NAME=fn", "fprocess=cat", "function_process=cat", "mode=http", "port=8080", "exec_timeout=2s",
            "upstream_url=http://127.0.0.1:5000", "http_upstream_url=x", "prefix_logs=false", "PATH=/agent/bin", "HOME=/root",
            "HOSTNAME=executor-7", "suppress_lock=true", "EMPTY=", "A=b=c",
        ];
        Assert.Equal(["MY_SECRET=s3", "OPENFAAS_NAME=fn", "suppress_lock=true", "EMPTY=", "A=b=c"], FunctionEnvironment.Inherited(agent));
    }
}
