using RunF.Runtime.Seccomp;

namespace RunF.Runtime.Tests.Seccomp;

public class DefaultProfileTests
{
    private static readonly SeccompProfile Profile = DefaultProfile.Profile;

    private static IEnumerable<SyscallRule> RulesFor(string name) => Profile.Syscalls!.Where(r => r.Names!.Contains(name));

    public static TheoryData<string> Denied() =>
    [
        "setns", "mount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
        "mount_setattr", "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd", "io_uring_setup",
        "io_uring_enter", "io_uring_register", "kexec_load", "kexec_file_load", "init_module", "finit_module",
        "delete_module", "acct", "swapon", "swapoff", "reboot", "syslog", "ptrace", "process_vm_readv",
        "process_vm_writev", "open_by_handle_at", "chroot", "sethostname", "setdomainname", "settimeofday",
        "clock_settime", "iopl", "ioperm", "quotactl", "lookup_dcookie", "fanotify_init", "vhangup", "kcmp", "pidfd_getfd",
    ];

    [Fact]
    public void Denies_by_default_with_eperm()
    {
        Assert.Equal("SCMP_ACT_ERRNO", Profile.DefaultAction);
        Assert.Equal(1u, Profile.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"], Profile.Architectures);
    }

    [Theory]
    [MemberData(nameof(Denied))]
    public void Leaves_out(string syscall) => Assert.Empty(RulesFor(syscall));

    [Fact]
    public void Clone_and_unshare_only_without_namespace_flags()
    {
        var clone = Assert.Single(RulesFor("clone"));
        Assert.Equal("SCMP_ACT_ALLOW", clone.Action);
        Assert.Equal(new ArgCondition { Index = 0, Value = 0x7E020000, ValueTwo = 0, Op = "SCMP_CMP_MASKED_EQ" }, Assert.Single(clone.Args!));
        var unshare = Assert.Single(RulesFor("unshare"));
        Assert.Equal(0x7E020080UL, Assert.Single(unshare.Args!).Value);
    }

    [Fact]
    public void Clone3_fails_with_enosys_so_libc_falls_back_to_clone()
    {
        var clone3 = Assert.Single(RulesFor("clone3"));
        Assert.Equal(("SCMP_ACT_ERRNO", 38u), (clone3.Action, clone3.ErrnoRet));
    }

    /// <summary>Whether the rules for a syscall allow this argument value, as the filter would see it in a register.</summary>
    private static bool Allows(string syscall, uint index, ulong value) =>
        RulesFor(syscall).Count(r =>
        {
            var c = Assert.Single(r.Args!);
            return c.Index == index && c.Op == "SCMP_CMP_MASKED_EQ" && (value & c.Value) == c.ValueTwo;
        }) switch
        {
            0 => false,
            1 => true,
            var n => throw new Xunit.Sdk.XunitException($"{n} rules for {syscall} match 0x{value:x}: the cover overlaps"),
        };

    [Theory]
    [InlineData(0x0UL, true)]
    [InlineData(0x8UL, true)]
    [InlineData(0xFFFFFFFFUL, true)]             // the query
    [InlineData(0x1_FFFF_FFFFUL, true)]          // the kernel reads an unsigned int: still the query
    [InlineData(0x0040_0000UL, false)]           // READ_IMPLIES_EXEC
    [InlineData(0x1_0040_0000UL, false)]
    [InlineData(0x0004_0000UL, false)]           // ADDR_NO_RANDOMIZE
    public void Personality_only_the_usual_values_on_the_low_32_bits(ulong persona, bool allowed) =>
        Assert.Equal(allowed, Allows("personality", 0, persona));

    [Theory]
    [InlineData(40UL, false)]                    // AF_VSOCK
    [InlineData(0x1_0000_0028UL, false)]         // AF_VSOCK with high bits the kernel ignores
    [InlineData(0xFFFF_FFFF_0000_0028UL, false)]
    [InlineData(2UL, true)]                      // AF_INET
    [InlineData(10UL, true)]                     // AF_INET6
    [InlineData(1UL, true)]                      // AF_UNIX
    [InlineData(16UL, true)]                     // AF_NETLINK
    [InlineData(41UL, true)]
    [InlineData(0x1_0000_0002UL, true)]
    public void Socket_every_family_but_vsock_on_the_low_32_bits(ulong family, bool allowed) =>
        Assert.Equal(allowed, Allows("socket", 0, family));

    [Theory]
    [InlineData(0x5412UL, false)]               // TIOCSTI
    [InlineData(0x541CUL, false)]               // TIOCLINUX
    [InlineData(0x1_0000_5412UL, false)]        // high bits the kernel ignores
    [InlineData(0xFFFF_FFFF_0000_541CUL, false)]
    [InlineData(0x5401UL, true)]                // TCGETS
    [InlineData(0x5413UL, true)]                // TIOCGWINSZ
    [InlineData(0x541BUL, true)]                // FIONREAD
    [InlineData(0x0UL, true)]
    [InlineData(0xFFFFFFFFUL, true)]
    [InlineData(0x8004_5401UL, true)]
    public void Ioctl_allows_every_request_but_tiocsti_and_tioclinux(ulong request, bool allowed) =>
        Assert.Equal(allowed, Allows("ioctl", 1, request));

    [Fact]
    public void No_condition_compares_the_high_half_of_an_argument()
    {
        // Every argument the default profile filters is an int or has its flags in the low half.
        var conditions = Profile.Syscalls!.Where(r => r.Args is not null).SelectMany(r => r.Args!);
        Assert.All(conditions, c =>
        {
            Assert.Equal("SCMP_CMP_MASKED_EQ", c.Op);
            Assert.Equal(0UL, c.Value >> 32);
        });
    }

    [Fact]
    public void The_ordinary_workload_is_allowed()
    {
        var allowed = Profile.Syscalls!.Where(r => r.Action == "SCMP_ACT_ALLOW" && r.Args is null).SelectMany(r => r.Names!).ToHashSet();
        string[] workload = ["read", "write", "openat", "execve", "mkdir", "epoll_wait", "futex", "connect", "accept4", "mmap", "clock_gettime", "wait4", "rt_sigaction"];
        Assert.All(workload, name => Assert.Contains(name, allowed));
        Assert.DoesNotContain(allowed, n => n.StartsWith("io_uring", StringComparison.Ordinal));
    }

    [Fact]
    public void Renders_rules_not_bytes()
    {
        var lines = SeccompRenderer.Render(Profile, ProfileValidator.Resolve(Profile));
        Assert.StartsWith("default errno EPERM; architectures x86_64", lines[0].Replace("aarch64", "x86_64"));
        Assert.Contains("allow clone if arg0 & 0x7e020000 == 0x0", lines);
        Assert.Contains("errno ENOSYS clone3", lines);
        Assert.All(lines, l => Assert.True(l.Length <= 120, l));
    }
}
