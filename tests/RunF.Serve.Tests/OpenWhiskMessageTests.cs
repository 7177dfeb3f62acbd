using System.Text;
using RunF.Serve.OpenWhisk;

namespace RunF.Serve.Tests;

/// <summary>How /init and /run bodies are read, and how a result is found, as OpenWhisk's proxies do it.</summary>
public sealed class OpenWhiskMessageTests
{
    private static RunMessage? Run(string body, out int status, out string? error) => RunMessage.Parse(Encoding.UTF8.GetBytes(body), out status, out error);

    [Theory]
    [InlineData("")]
    [InlineData("{not json")]
    [InlineData("null")]
    public void A_run_body_that_is_empty_malformed_or_null_runs_the_action_with_an_empty_object(string body)
    {
        var message = Run(body, out _, out _)!;
        Assert.Equal("{}", Encoding.UTF8.GetString(message.Value));
        Assert.Empty(message.Env);
        Assert.Equal("{\"value\":{}}\n", Encoding.UTF8.GetString(message.Line));
    }

    [Theory]
    [InlineData("{\"value\":[1, 2,\n 3]}", "[1,2,3]")]
    [InlineData("{\"value\": {\"name\" : \"Zoë <b>\"}}", "{\"name\":\"Zoë <b>\"}")]
    [InlineData("{\"activation_id\":\"a1\"}", "{}")]
    public void The_value_is_an_object_or_an_array_as_compact_json(string body, string value) =>
        Assert.Equal(value, Encoding.UTF8.GetString(Run(body, out _, out _)!.Value));

    [Theory]
    [InlineData("[1]")]
    [InlineData("\"text\"")]
    [InlineData("{\"value\":\"text\"}")]
    [InlineData("{\"value\":null}")]
    [InlineData("{\"value\":3}")]
    public void A_body_or_value_that_is_neither_an_object_nor_an_array_is_404_in_the_proxys_words(string body)
    {
        Assert.Null(Run(body, out var status, out var error));
        Assert.Equal(404, status);
        Assert.Equal("The action did not receive a dictionary or array as an argument.", error);
    }

    [Fact]
    public void The_other_fields_become_OW_variables_and_the_loop_line_is_the_whole_request_on_one_line()
    {
        var message = Run("{\"value\": {\"a\": \"x\\ny\"},\n \"activation_id\": \"a1\", \"deadline\": 1700000000000, \"namespace\": \"guest\"}", out _, out _)!;
        Assert.Equal(["__OW_ACTIVATION_ID=a1", "__OW_DEADLINE=1700000000000", "__OW_NAMESPACE=guest"], message.Env);
        var line = Encoding.UTF8.GetString(message.Line);
        Assert.Equal("{\"value\":{\"a\":\"x\\ny\"},\"activation_id\":\"a1\",\"deadline\":1700000000000,\"namespace\":\"guest\"}\n", line);
        Assert.Single(line.Split('\n'), l => l.Length > 0);
    }

    [Theory]
    [InlineData("{\"a=b\":\"x\"}")]
    [InlineData("{\"key\":\"x\\u0000y\"}")]
    public void A_field_that_cannot_be_an_environment_variable_is_400_naming_it(string body)
    {
        Assert.Null(Run(body, out var status, out var error));
        Assert.Equal(400, status);
        Assert.StartsWith("field \"", error);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData("{broken", null)]
    [InlineData("{\"value\":{\"code\":\"#!/bin/sh\\necho {}\",\"main\":\"main\"}}", "#!/bin/sh\necho {}")]
    public void An_init_body_gives_its_code_and_an_empty_or_malformed_one_none(string body, string? code)
    {
        var request = InitRequest.Parse(Encoding.UTF8.GetBytes(body), out var notAnObject)!;
        Assert.Null(notAnObject);
        Assert.Equal(code, request.Code);
        Assert.False(request.Binary);
    }

    [Fact]
    public void Init_env_values_are_strings_as_they_are_and_other_values_as_json_as_the_go_proxy_takes_them()
    {
        var request = InitRequest.Parse("{\"value\":{\"code\":\"x\",\"binary\":true,\"env\":{\"A\":\"one\",\"B\":2,\"C\":{\"d\":[true]}}}}"u8.ToArray(), out _)!;
        Assert.True(request.Binary);
        Assert.Equal(["A=one", "B=2", "C={\"d\":[true]}"], request.Env);
    }

    [Theory]
    [InlineData("[1]")]
    [InlineData("{\"value\":\"code\"}")]
    public void An_init_body_or_value_that_is_not_an_object_is_refused(string body)
    {
        Assert.Null(InitRequest.Parse(Encoding.UTF8.GetBytes(body), out var notAnObject));
        Assert.NotNull(notAnObject);
    }

    [Theory]
    [InlineData("{\"value\":{\"code\":7}}", "value.code of the /init request is not a string")]
    [InlineData("{\"value\":{\"code\":\"x\",\"binary\":\"yes\"}}", "value.binary of the /init request is not true or false")]
    [InlineData("{\"value\":{\"env\":[\"A=1\"]}}", "value.env of the /init request is not an object of variables")]
    [InlineData("{\"value\":{\"env\":{\"A=B\":\"1\"}}}", "value.env of the /init request: variable \"A=B\": a name cannot contain '='")]
    public void Init_fields_of_the_wrong_kind_are_one_line_naming_them(string body, string message) =>
        Assert.Equal(message, Assert.Throws<ActionCodeException>(() => InitRequest.Parse(Encoding.UTF8.GetBytes(body), out _)).Message);

    [Theory]
    [InlineData("", "", "")]
    [InlineData("{\"a\":1}", "", "{\"a\":1}")]
    [InlineData("{\"a\":1}\n", "", "{\"a\":1}")]
    [InlineData("log one\nlog two\n  {\"a\":1}  \n", "log one\nlog two\n", "{\"a\":1}")]
    [InlineData("{\"a\":1}\n\n", "{\"a\":1}\n", "")]
    [InlineData("log\n[1,2]", "log\n", "[1,2]")]
    public void The_result_is_the_last_line_even_an_empty_one_as_actionproxy_takes_it(string stdout, string logs, string result) =>
        Assert.Equal((logs, result), ActionResult.Split(stdout));

    [Theory]
    [InlineData("{\"a\":1}", true)]
    [InlineData("[1,2,3]", true)]
    [InlineData("[]", true)]
    [InlineData("\"text\"", false)]
    [InlineData("42", false)]
    [InlineData("", false)]
    [InlineData("{\"a\":", false)]
    public void Objects_and_arrays_are_results(string line, bool taken) => Assert.Equal(taken, ActionResult.IsObjectOrArray(line));
}
