using System.Text;
using Microsoft.AspNetCore.Http;
using RunF.Runtime.Invoke;
using RunF.Serve.Http;
using RunF.Serve.Metrics;
using RunF.Serve.Runners;

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
        Assert.Equal(["Http_Method=PUT", "Http_X_Call_Id=abc", "Http_Content_Length=12", "Http_Query=a=1&b=2", "Http_Path=/fn/a b", "Http_ContentLength=12"], env);
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
