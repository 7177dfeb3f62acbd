using System.Text;
using Microsoft.AspNetCore.Http;
using RunF.Runtime.Invoke;
using RunF.Serve.Configuration;
using RunF.Serve.Http;
using RunF.Serve.Metrics;

namespace RunF.Serve.Tests;

public sealed class RequestTests
{
    [Theory]
    [InlineData("Content-Type", "Http_Content_Type")]
    [InlineData("content-type", "Http_Content_Type")]
    [InlineData("x-call-id", "Http_X_Call_Id")]
    [InlineData("X-CALL-ID", "Http_X_Call_Id")]
    [InlineData("accept", "Http_Accept")]
    public void Headers_become_variables_in_gos_canonical_form(string header, string variable) =>
        Assert.Equal(variable, RequestEnvironment.VariableFor(header));

    [Fact]
    public void A_request_becomes_the_watchdogs_variables()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "PUT";
        context.Request.Path = "/fn/a b";
        context.Request.QueryString = new QueryString("?a=1&b=2");
        context.Request.Headers.Host = "example";
        context.Request.Headers["X-Call-Id"] = "abc";
        context.Request.ContentLength = 12;
        var env = RequestEnvironment.For(context.Request);
        Assert.Equal(["Http_X_Call_Id=abc", "Http_Method=PUT", "Http_Query=a=1&b=2", "Http_Path=/fn/a b", "Http_ContentLength=12", "Http_Content_Length=12", "Http_Host=example"], env);
    }

    [Fact]
    public void A_request_without_a_body_has_content_length_0_as_the_classic_watchdog_says_it()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = "/";
        var env = RequestEnvironment.For(context.Request);
        Assert.Contains("Http_Content_Length=0", env);
        Assert.Contains("Http_ContentLength=0", env);
        Assert.DoesNotContain(env, e => e.StartsWith("Http_Host=", StringComparison.Ordinal)); // no Host header, no variable
    }

    [Theory]
    [InlineData("/fn", "?a=1")]
    [InlineData("/fn", "")]
    public void Headers_cannot_name_the_variables_of_the_request_line(string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query);
        foreach (var header in (string[])["Method", "query", "PATH", "Transfer_Encoding", "Contentlength"])
        {
            context.Request.Headers[header] = "spoofed";
        }
        var env = RequestEnvironment.For(context.Request);
        Assert.Equal("Http_Method=GET", Assert.Single(env, e => e.StartsWith("Http_Method=", StringComparison.Ordinal)));
        Assert.Equal("Http_Path=/fn", Assert.Single(env, e => e.StartsWith("Http_Path=", StringComparison.Ordinal)));
        Assert.Equal(query.Length > 0 ? ["Http_Query=a=1"] : [], env.Where(e => e.StartsWith("Http_Query=", StringComparison.Ordinal)));
        Assert.Equal("Http_ContentLength=0", Assert.Single(env, e => e.StartsWith("Http_ContentLength=", StringComparison.Ordinal)));
        // Names the request line does not give stay, in Go's canonical form.
        Assert.Contains("Http_Transfer_encoding=spoofed", env);
        Assert.Contains("Http_Contentlength=spoofed", env);
    }

    [Theory]
    [InlineData("Infinity")]
    [InlineData("NaN")]
    [InlineData("soon")]
    public void An_X_Timeout_that_is_not_a_duration_is_an_error_line(string header)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Timeout"] = header;
        Assert.Null(Invocations.TimeoutOf(context.Request, new ServeConfig { Command = ["cat"] }, out var error));
        Assert.Contains($"invalid X-Timeout \"{header}\"", error);
        Assert.DoesNotContain('\n', error!);
    }

    [Theory]
    [InlineData(10_000, "2s", 2_000)]
    [InlineData(10_000, "1m", 10_000)]
    [InlineData(10_000, null, 10_000)]
    [InlineData(0, "1h", 3_600_000)]
    [InlineData(0, null, -1)]
    public void X_Timeout_shortens_exec_timeout_and_never_lengthens_it(int execTimeoutMs, string? header, int expectedMs)
    {
        var context = new DefaultHttpContext();
        if (header is not null)
        {
            context.Request.Headers["X-Timeout"] = header;
        }
        var config = new ServeConfig { Command = ["cat"], ExecTimeout = TimeSpan.FromMilliseconds(execTimeoutMs) };
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Invocations.TimeoutOf(context.Request, config, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void A_chunked_request_has_a_transfer_encoding_and_length_minus_one()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/";
        context.Request.Headers.TransferEncoding = "chunked";
        var env = RequestEnvironment.For(context.Request);
        Assert.Contains("Http_Transfer_Encoding=chunked", env);
        Assert.Contains("Http_ContentLength=-1", env);
        Assert.Contains("Http_Content_Length=-1", env);
        Assert.DoesNotContain(env, e => e.StartsWith("Http_Query", StringComparison.Ordinal));
    }

    [Fact]
    public void Long_lines_are_cut_so_a_prefix_starts_every_piece()
    {
        var lines = new List<string>();
        var pending = new StringBuilder();
        LineSplitter.Split(("short\n" + new string('x', LineSplitter.MaxChars * 2 + 10) + "\ntail").AsSpan(), pending, lines.Add);
        Assert.Equal(["short", new string('x', LineSplitter.MaxChars), new string('x', LineSplitter.MaxChars), new string('x', 10)], lines);
        Assert.Equal("tail", pending.ToString());
    }

    [Fact]
    public void The_gate_refuses_past_the_limit_and_zero_is_unlimited()
    {
        var gate = new InflightGate(2);
        Assert.True(gate.TryEnter());
        Assert.True(gate.TryEnter());
        Assert.True(gate.AtLimit);
        Assert.False(gate.TryEnter());
        gate.Exit();
        Assert.False(gate.AtLimit);
        Assert.True(gate.TryEnter());

        var unlimited = new InflightGate(0);
        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(unlimited.TryEnter()));
        Assert.False(unlimited.AtLimit);
    }

    [Fact]
    public void Metrics_are_prometheus_text_with_counts_and_cumulative_buckets()
    {
        var metrics = new ServeMetrics();
        metrics.RequestStarted();
        metrics.RequestFinished(200, "POST", TimeSpan.FromMilliseconds(30));
        metrics.RequestStarted();
        metrics.RequestFinished(200, "POST", TimeSpan.FromSeconds(3));
        metrics.RequestStarted();
        metrics.RequestFinished(429, "GET", TimeSpan.FromMilliseconds(1));
        metrics.RequestStarted();
        metrics.Started(prewarmed: true);
        metrics.Started(prewarmed: false);
        var lines = metrics.Render().Split('\n');
        string[] expected =
        [
            "# TYPE http_requests_total counter",
            "http_requests_total{code=\"200\",method=\"post\"} 2",
            "http_requests_total{code=\"429\",method=\"get\"} 1",
            "# TYPE http_request_duration_seconds histogram",
            "http_request_duration_seconds_bucket{code=\"200\",method=\"post\",le=\"0.025\"} 0",
            "http_request_duration_seconds_bucket{code=\"200\",method=\"post\",le=\"0.05\"} 1",
            "http_request_duration_seconds_bucket{code=\"200\",method=\"post\",le=\"5\"} 2",
            "http_request_duration_seconds_bucket{code=\"200\",method=\"post\",le=\"+Inf\"} 2",
            "http_request_duration_seconds_sum{code=\"200\",method=\"post\"} 3.03",
            "http_request_duration_seconds_count{code=\"200\",method=\"post\"} 2",
            "http_requests_in_flight 1",
            "runf_starts_total{kind=\"cold\"} 1",
            "runf_starts_total{kind=\"prewarmed\"} 1",
        ];
        Assert.All(expected, line => Assert.Contains(line, lines));
    }
}
