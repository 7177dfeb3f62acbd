using RunF.Runtime.Seccomp;

namespace RunF.Runtime.Tests.Seccomp;

/// <summary>Compiles through the real libseccomp (libseccomp2 is on every Debian machine).</summary>
public sealed class CompilerTests : TempDirectoryTest
{
    [Fact]
    public void The_default_profile_compiles_to_a_bpf_program()
    {
        var filter = SeccompFilters.Load("default", null)!;
        Assert.True(filter.Program.Length > 8 * 50, $"{filter.Program.Length} bytes");
        Assert.Equal(0, filter.Program.Length % 8);
        // The first instruction loads seccomp_data.arch (offset 4): BPF_LD|BPF_W|BPF_ABS.
        Assert.Equal([0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00], filter.Program[..8]);
        Assert.StartsWith("default profile, ", filter.Rules[0]);
    }

    [Fact]
    public void A_compiled_program_isDird_by_profile_hash()
    {
        var resolved = new Lazy<ResolvedProfile>(ProfileValidator.Resolve(DefaultProfile.Profile));
        var first = new SeccompCache(Dir).GetOrCompile(null, resolved, () => SeccompCompiler.Compile(resolved.Value));
        var file = Assert.Single(Directory.GetFiles(Dir));
        Assert.Equal(first, File.ReadAllBytes(file));
        var compiles = 0;
        var again = new SeccompCache(Dir).GetOrCompile(null, resolved, () => { compiles++; return []; });
        Assert.Equal(0, compiles);
        Assert.Equal(first, again);
    }

    [Fact]
    public void The_built_in_profile_isDird_under_the_binarys_identity()
    {
        var first = SeccompFilters.Load("default", Dir)!;
        var file = Assert.Single(Directory.GetFiles(Dir));
        Assert.StartsWith("seccomp-builtin-", Path.GetFileName(file));
        Assert.Equal(first.Program, File.ReadAllBytes(file));
        Assert.Equal(first.Program, SeccompFilters.Load("default", Dir)!.Program);
        Assert.Equal(first.Program, SeccompCompiler.Compile(ProfileValidator.Resolve(DefaultProfile.Profile)));
        Assert.Single(Directory.GetFiles(Dir));
    }

    [Fact]
    public void Unknown_syscall_names_are_skipped_as_docker_does()
    {
        var resolved = ProfileValidator.Resolve(new SeccompProfile
        {
            DefaultAction = "SCMP_ACT_ALLOW",
            Syscalls = [new SyscallRule { Names = ["no_such_syscall", "mkdir"], Action = "SCMP_ACT_ERRNO" }],
        });
        Assert.True(SeccompCompiler.Compile(resolved).Length > 0);
    }
}
