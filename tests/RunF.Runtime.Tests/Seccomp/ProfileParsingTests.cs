using System.Text;
using RunF.Runtime.Errors;
using RunF.Runtime.Seccomp;

namespace RunF.Runtime.Tests.Seccomp;

public class ProfileParsingTests
{
    private static SeccompProfile Parse(string json) => SeccompFilters.Parse(Encoding.UTF8.GetBytes(json), "p.json");

    private static string ErrorOf(string json)
    {
        var e = Assert.ThrowsAny<Exception>(() => ProfileValidator.Resolve(Parse(json)));
        return e.Message;
    }

    [Fact]
    public void Reads_the_oci_format()
    {
        var profile = Parse("""
            {
              "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
              "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
              "syscalls": [
                { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "io" },
                { "names": ["clone"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ" }] },
                { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }
              ]
            }
            """);
        var resolved = ProfileValidator.Resolve(profile);
        Assert.Equal(SeccompNames.ActErrno | 1, resolved.DefaultAction);
        Assert.Equal(SeccompNames.Native, resolved.Architectures[0]);
        Assert.Equal(3, resolved.Rules.Count);
        Assert.Equal(new ResolvedArg(0, 7, 2114060288, 0), Assert.Single(resolved.Rules[1].Args));
        Assert.Equal(SeccompNames.ActErrno | 13, resolved.Rules[2].Action);
    }

    [Fact]
    public void Only_architectures_this_machine_can_run_are_filtered()
    {
        var resolved = ProfileValidator.Resolve(Parse("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86","SCMP_ARCH_X32","SCMP_ARCH_AARCH64","SCMP_ARCH_ARM"]}"""));
        Assert.Equal([SeccompNames.Native, .. SeccompNames.CompatibleWith(SeccompNames.Native)], resolved.Architectures);
    }

    [Theory]
    [InlineData("""{"syscalls":[]}""", "defaultAction: missing")]
    [InlineData("""{"defaultAction":"SCMP_ACT_FOO"}""", "defaultAction: unknown action \"SCMP_ACT_FOO\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW"},{"names":["b"],"action":"SCMP_ACT_ALLOW"},{"names":["c"],"action":"SCMP_ACT_ALLOW"},{"names":["d"],"action":"SCMP_ACT_FOO"}]}""",
        "syscalls[3].action: unknown action \"SCMP_ACT_FOO\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"}]}""", "syscalls[0].names: missing or empty")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"]}]}""", "syscalls[0].action: missing")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]}""", "syscalls[0].args[0].index: 6 is out of range")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"op":"SCMP_CMP_ABOUT"}]}]}""", "syscalls[0].args[0].op: unknown operator \"SCMP_CMP_ABOUT\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"value":1,"op":"SCMP_CMP_NE"},{"index":1,"value":2,"op":"SCMP_CMP_NE"}]}]}""", "syscalls[0].args[1].index: a second condition on argument 1")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_PDP11"]}""", "architectures[0]: unknown architecture \"SCMP_ARCH_PDP11\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}}]}""", "syscalls[0].includes: unknown field")]
    [InlineData("""{"defaultAction":"SCMP_ACT_NOTIFY"}""", "defaultAction: SCMP_ACT_NOTIFY needs a seccomp listener")]
    public void A_wrong_field_is_named(string json, string message) =>
        Assert.StartsWith(message, ErrorOf(json));

    [Theory]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":"read","action":"SCMP_ACT_ALLOW"}]}""", "seccomp profile p.json: syscalls[0].names: invalid JSON at line 1")]
    [InlineData("{\n\"defaultAction\": \"SCMP_ACT_ALLOW\",\n\"syscalls\": [ {\"names\": [\"a\"], \"action\": 3 } ]\n}", "seccomp profile p.json: syscalls[0].action: invalid JSON at line 3")]
    [InlineData("[1, 2", "seccomp profile p.json: invalid JSON at line 1")]
    [InlineData("null", "seccomp profile p.json: not a JSON object")]
    public void Malformed_json_names_the_field_and_line(string json, string message) =>
        Assert.Equal(message, Assert.Throws<RunfException>(() => Parse(json)).Message);

    [Fact]
    public void Unconfined_is_no_filter() => Assert.Null(SeccompFilters.Load("unconfined", null));

    [Fact]
    public void A_missing_profile_file_is_one_clear_error() =>
        Assert.StartsWith("seccomp profile /nonexistent.json: cannot read it", Assert.Throws<RunfException>(() => SeccompFilters.Load("/nonexistent.json", null)).Message);

    [Fact]
    public void An_invalid_profile_file_names_the_file_and_field()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_FOO"}]}""");
        try
        {
            Assert.Equal($"seccomp profile {file}: syscalls[0].action: unknown action \"SCMP_ACT_FOO\"",
                Assert.Throws<RunfException>(() => SeccompFilters.Load(file, null)).Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
