using Microsoft.Extensions.Primitives;
using RunF.Runtime.Errors;
using RunF.Serve.Configuration;
using RunF.Serve.Fn;

namespace RunF.Serve.Tests;

public sealed class FnModeTests
{
    private static ServeConfig Parse(params string[] args) => ServeArguments.Parse(args, _ => null)!;

    [Fact]
    public void Invoke_passes_the_clients_end_to_end_headers_as_they_are_less_the_framing_and_the_agents_own()
    {
        var client = new Dictionary<string, StringValues>
        {
            ["Connection"] = "keep-alive, X-Hop",
            ["X-Hop"] = "1",
            ["Transfer-Encoding"] = "chunked",
            ["Host"] = "example.com",
            ["Content-Length"] = "3",
            ["Expect"] = "100-continue",
            ["fn-call-id"] = "forged",
            ["Fn-Deadline"] = "forged",
            ["Content-Type"] = "application/json",
            ["X-Custom"] = new(["a", "b"]),
        };
        var passed = FnHeaders.ForInvoke(client, client["Connection"]).ToDictionary();
        Assert.Equal(["Content-Type", "X-Custom"], passed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("a,b", passed["X-Custom"].ToString());
    }

    [Fact]
    public void The_trigger_wraps_each_header_as_Fn_Http_H_and_adds_the_method_url_and_intent()
    {
        var client = new Dictionary<string, StringValues>
        {
            ["Connection"] = "close",
            ["Host"] = "example.com",
            ["Content-Type"] = "text/plain",
            ["Content-Length"] = "5",
            ["Accept"] = new(["a/b", "c/d"]),
        };
        var wrapped = FnHeaders.ForTrigger(client, client["Connection"], "PATCH", "http://example.com/a/b?c=d").ToList();
        Assert.Equal(
            [
                new("Content-Type", "text/plain"),
                new("Fn-Http-H-Content-Length", "5"),
                new("Fn-Http-H-Accept", new StringValues(["a/b", "c/d"])),
                new("Fn-Http-Method", "PATCH"),
                new("Fn-Http-Request-Url", "http://example.com/a/b?c=d"),
                new("Fn-Intent", "httprequest"),
            ],
            wrapped);
    }

    [Fact]
    public void The_triggers_answer_takes_its_status_and_Fn_Http_H_headers_and_keeps_only_content_type_and_the_call_id()
    {
        var (status, headers) = FnHeaders.FromTrigger(
        [
            new("Fn-Http-Status", "418"),
            new("fn-http-h-X-Reply", new StringValues(["1", "2"])),
            new("Fn-Http-H-", "the prefix alone names nothing"),
            new("Content-Type", "text/plain"),
            new("Fn-Call-Id", "01ABC"),
            new("Fn-Fdk-Version", "fdk-node/0.0.76"),
            new("X-Not-Wrapped", "dropped"),
        ]);
        Assert.Equal(418, status);
        Assert.Equal(
            [new("X-Reply", new StringValues(["1", "2"])), new("Content-Type", "text/plain"), new("Fn-Call-Id", "01ABC")],
            headers);
    }

    [Theory]
    [InlineData(null, 200)]
    [InlineData("201", 201)]
    [InlineData("abc", 200)]
    [InlineData("99", 200)]
    [InlineData("1000", 200)]
    [InlineData("-1", 200)]
    public void A_trigger_status_that_is_not_a_status_code_leaves_200(string? value, int expected)
    {
        KeyValuePair<string, StringValues>[] answer = value is null ? [] : [new("Fn-Http-Status", value)];
        Assert.Equal(expected, FnHeaders.FromTrigger(answer).Status);
    }

    [Fact]
    public void Invokes_answer_passes_the_functions_headers_less_hop_by_hop_and_its_length()
    {
        KeyValuePair<string, StringValues>[] answer =
            [new("Connection", "keep-alive"), new("Keep-Alive", "timeout=5"), new("Content-Length", "9"), new("Fn-Http-Status", "201"), new("X-A", "b")];
        Assert.Equal(["Fn-Http-Status", "X-A"], FnHeaders.FromInvoke(answer, "keep-alive").Select(h => h.Key));
    }

    [Fact]
    public void The_deadline_is_RFC_3339_in_UTC_to_the_second()
    {
        var deadline = new DateTimeOffset(2026, 12, 6, 13, 4, 5, 678, TimeSpan.FromHours(2));
        Assert.Equal("2026-12-06T11:04:05Z", FnHeaders.DeadlineOf(deadline));
    }

    [Fact]
    public void A_call_id_is_a_ULID_of_the_time_and_random_bits()
    {
        // The ULID specification's example time, 1469918176385 ms, is 01ARYZ6S41.
        Assert.Equal("01ARYZ6S41" + "0000000000000000", FnCallId.Format(1469918176385, new byte[10]));
        Assert.Equal("01ARYZ6S41" + "ZZZZZZZZZZZZZZZZ", FnCallId.Format(1469918176385, Enumerable.Repeat((byte)0xff, 10).ToArray()));
        Assert.NotEqual(FnCallId.New(), FnCallId.New());
    }

    [Fact]
    public void The_variables_name_the_app_and_function_and_end_with_the_contract()
    {
        var config = Parse("--mode", "fn", "--fn-app-name", "shop", "--fn-fn-id", "01FN", "--memory", "100m", "--", "node", "func.js");
        Assert.Equal(
            ["FN_APP_ID=shop", "FN_FN_ID=01FN", "FN_APP_NAME=shop", "FN_FN_NAME=function", "FN_MEMORY=100", "FN_TYPE=sync",
             "FN_LISTENER=unix:/tmp/iofs/lsnr.sock", "FN_FORMAT=http-stream"],
            FnVariables.Of(config));
        Assert.Equal(ServeMode.Fn, config.Mode);
        Assert.Contains("FN_MEMORY=128", FnVariables.Of(Parse("--mode", "fn", "--", "node")));
        Assert.Contains("FN_MEMORY=2", FnVariables.Of(Parse("--mode", "fn", "--memory", "1100k", "--", "node")));
    }

    [Theory]
    [InlineData("--fn-fn-id", "a/b")]
    [InlineData("--fn-fn-id", "..")]
    [InlineData("--fn-app-id", "")]
    [InlineData("--fn-app-name", "my app")]
    public void An_id_or_name_that_is_not_one_path_segment_is_refused(string flag, string value)
    {
        var error = Assert.Throws<RunfException>(() => Parse("--mode", "fn", flag, value, "--", "node")).Message;
        Assert.StartsWith($"invalid {flag[2..].Replace('-', '_')} \"{value}\" ({flag}): expected letters, digits", error);
    }

    [Fact]
    public void Fns_errors_are_its_json_message()
    {
        Assert.Equal("{\"message\":\"Timed out\"}", FnErrors.Json(FnErrors.TimedOut));
        Assert.Equal("{\"message\":\"a \\\"quote\\\" \\u003c\\n\\u0001 é\"}", FnErrors.Json("a \"quote\" <\n\u0001 é"));
    }
}
