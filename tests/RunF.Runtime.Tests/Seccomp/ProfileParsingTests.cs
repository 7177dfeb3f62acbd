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

    private static readonly SeccompContext Amd64WithKill = new(new HashSet<string> { "CAP_KILL" }, "amd64", new Version(6, 1));

    [Fact]
    public void Reads_dockers_and_podmans_format_deciding_conditional_rules_for_the_container()
    {
        var profile = Parse("""
            {
              "defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS",
              "archMap": [
                { "architecture": "SCMP_ARCH_PPC64LE", "subArchitectures": ["SCMP_ARCH_PPC"] },
                { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] },
                { "architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"] }
              ],
              "syscalls": [
                { "names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [], "comment": "", "includes": {}, "excludes": {} },
                { "name": "write", "action": "SCMP_ACT_ALLOW" },
                { "names": ["kill"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_KILL"] } },
                { "names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_ADMIN"] } },
                { "names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": { "minKernel": "4.8" } },
                { "names": ["newer"], "action": "SCMP_ACT_ALLOW", "includes": { "minKernel": "7.0" } },
                { "names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": { "arches": ["amd64", "x32"] } },
                { "names": ["s390_only"], "action": "SCMP_ACT_ALLOW", "includes": { "arches": ["s390x"] } },
                { "names": ["no_kill"], "action": "SCMP_ACT_ALLOW", "excludes": { "caps": ["CAP_KILL"] } },
                { "names": ["chroot"], "action": "SCMP_ACT_ERRNO", "errno": "EPERM" }
              ]
            }
            """);
        var resolved = ProfileValidator.Resolve(profile, Amd64WithKill);
        Assert.Equal(SeccompNames.ActErrno | 38, resolved.DefaultAction);
        Assert.Equal(["read", "write", "kill", "ptrace", "arch_prctl", "chroot"], resolved.Rules.SelectMany(r => r.Names));
        Assert.Equal(SeccompNames.ActErrno | 1, resolved.Rules[^1].Action);
        // archMap: this machine's entry and the sub-architectures it can run.
        Assert.Equal([SeccompNames.Native, .. SeccompNames.CompatibleWith(SeccompNames.Native)], resolved.Architectures);
        // With CAP_SYS_ADMIN and without CAP_KILL, the other rules apply.
        var admin = ProfileValidator.Resolve(profile, Amd64WithKill with { Capabilities = new HashSet<string> { "CAP_SYS_ADMIN" } });
        Assert.Contains(admin.Rules, r => r.Names.Contains("mount"));
        Assert.Contains(admin.Rules, r => r.Names.Contains("no_kill"));
        Assert.DoesNotContain(admin.Rules, r => r.Names.Contains("kill"));
    }

    [Theory]
    [InlineData("6.18.0-rc1+", 6, 18)]
    [InlineData("4.8", 4, 8)]
    [InlineData("5.10.0-28-amd64", 5, 10)]
    public void Reads_kernel_versions(string text, int major, int minor)
    {
        var version = SeccompContext.ParseKernel(text)!;
        Assert.Equal((major, minor), (version.Major, version.Minor));
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
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"],"colour":"red"}}]}""", "syscalls[0].includes.colour: unknown field")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"EWHATEVER"}""", "defaultErrno: unknown errno \"EWHATEVER\"")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"new"}}]}""", "syscalls[0].includes.minKernel: \"new\" is not a kernel version")]
    [InlineData("""{"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/x.sock"}""", "listenerPath: unknown field")]
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
