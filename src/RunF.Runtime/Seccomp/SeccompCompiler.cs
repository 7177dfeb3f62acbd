using RunF.Interop;
using RunF.Runtime.Errors;

namespace RunF.Runtime.Seccomp;

/// <summary>
/// Compiles a resolved profile into a classic BPF program (struct sock_filter[], 8 bytes each)
/// with libseccomp, for the launcher to install with seccomp(SECCOMP_SET_MODE_FILTER).
/// </summary>
public static unsafe class SeccompCompiler
{
    /// <summary>A binary search over syscall numbers instead of a linear scan: cheaper per syscall.</summary>
    private const uint OptimizeBinaryTree = 2;

    public static byte[] Compile(ResolvedProfile profile)
    {
        nint ctx;
        try
        {
            ctx = Libseccomp.Init(profile.DefaultAction);
        }
        catch (DllNotFoundException)
        {
            throw new RunfException("seccomp: cannot load libseccomp.so.2: install libseccomp2, or run with --seccomp unconfined");
        }
        if (ctx == 0)
        {
            throw new RunfException("seccomp: libseccomp refused the default action");
        }
        try
        {
            // A syscall of an architecture the profile does not list (i386 int 0x80, x32 on x86_64)
            // kills the process: it is either an attack on a less-used syscall table or a bug.
            Check(Libseccomp.AttrSet(ctx, Libseccomp.AttrBadArchAction, SeccompNames.ActKillProcess), "set the bad-architecture action");
            Check(Libseccomp.AttrSet(ctx, Libseccomp.AttrOptimize, OptimizeBinaryTree), "set the optimization level");
            foreach (var arch in profile.Architectures.Skip(1))
            {
                Check(Libseccomp.ArchAdd(ctx, arch), $"add architecture {SeccompNames.NameOfArch(arch)}");
            }
            foreach (var rule in profile.Rules)
            {
                AddRule(ctx, rule, profile.DefaultAction);
            }
            return Export(ctx);
        }
        finally
        {
            Libseccomp.Release(ctx);
        }
    }

    private static void AddRule(nint ctx, ResolvedRule rule, uint defaultAction)
    {
        // libseccomp refuses a rule that only restates the default; it changes nothing.
        if (rule.Action == defaultAction)
        {
            return;
        }
        var args = stackalloc Libseccomp.ArgCmp[rule.Args.Count];
        for (var i = 0; i < rule.Args.Count; i++)
        {
            var a = rule.Args[i];
            args[i] = new Libseccomp.ArgCmp { Arg = a.Index, Op = a.Op, DatumA = a.A, DatumB = a.B };
        }
        foreach (var name in rule.Names)
        {
            var nr = Libseccomp.ResolveName(name);
            // As Docker does: a profile may name syscalls this kernel or libseccomp does not know.
            if (nr == Libseccomp.UnknownSyscall)
            {
                continue;
            }
            var rc = Libseccomp.RuleAddArray(ctx, rule.Action, nr, (uint)rule.Args.Count, args);
            if (rc < 0)
            {
                throw new ProfileException(rule.Field, $"libseccomp refused the rule for \"{name}\": {Errno.Describe(-rc)}");
            }
        }
    }

    private static byte[] Export(nint ctx)
    {
        using var memfd = Libc.MemfdCreate("runf-seccomp", Libc.MFD_CLOEXEC);
        if (memfd.IsInvalid)
        {
            throw new RunfException($"seccomp: memfd_create: {Errno.Describe(Errno.Last)}");
        }
        Check(Libseccomp.ExportBpf(ctx, memfd), "export the BPF program");
        var program = new byte[Libc.FStat(memfd)?.Size ?? 0];
        nint read;
        fixed (byte* p = program)
        {
            read = Libc.PRead(memfd, p, program.Length, 0);
        }
        return read == program.Length && read % 8 == 0 && read > 0
            ? program
            : throw new RunfException($"seccomp: libseccomp exported a program of {read} bytes");
    }

    private static void Check(int rc, string what)
    {
        if (rc < 0)
        {
            throw new RunfException($"seccomp: libseccomp cannot {what}: {Errno.Describe(-rc)}");
        }
    }
}
