namespace RunF.Runtime.Seccomp;

/// <summary>
/// RunF's default profile: an allow list in the spirit of Docker's default. Ordinary process,
/// file, network, time and memory syscalls are allowed; anything not listed fails with EPERM.
/// What is left out on purpose, and why, is in docs/seccomp.md; the argument filters are
/// explained where they are built below.
/// </summary>
public static class DefaultProfile
{
    /// <summary>Every namespace flag of clone(2). CLONE_NEWTIME (0x80) is not one there: clone's low byte is the exit signal.</summary>
    public const ulong CloneNamespaceFlags = 0x7E020000;

    /// <summary>unshare(2) also knows CLONE_NEWTIME.</summary>
    public const ulong UnshareNamespaceFlags = CloneNamespaceFlags | 0x80;

    /// <summary>Push characters into a terminal's input (TIOCSTI) and the Linux console's grab bag (TIOCLINUX).</summary>
    public const uint TIOCSTI = 0x5412, TIOCLINUX = 0x541C;

    /// <summary>The request argument of ioctl(fd, request, arg).</summary>
    public const uint IoctlRequestArg = 1;

    /// <summary>AF_VSOCK: a socket to the hypervisor host.</summary>
    public const uint AF_VSOCK = 40;

    /// <summary>personality(2) values glibc and ordinary programs use: PER_LINUX, PER_LINUX32, UNAME26 variants, and the query.</summary>
    public static readonly IReadOnlyList<uint> Personalities = [0x0, 0x8, 0x20000, 0x20008, 0xffffffff];

    private static readonly string[] Allowed =
    [
        // processes, threads, signals
        "arch_prctl", "capget", "capset", "exit", "exit_group", "execve", "execveat", "fork", "vfork",
        "wait4", "waitid", "getpid", "getppid", "gettid", "getpgid", "getpgrp", "getsid", "setpgid", "setsid",
        "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
        "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid", "setfsgid",
        "kill", "tkill", "tgkill", "pidfd_open", "pidfd_send_signal", "rt_sigaction", "rt_sigpending",
        "rt_sigprocmask", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "rt_sigreturn", "rt_sigsuspend",
        "rt_sigtimedwait", "sigaltstack", "signalfd", "signalfd4", "pause", "restart_syscall",
        "set_tid_address", "set_robust_list", "get_robust_list", "rseq", "futex", "futex_waitv",
        "futex_wait", "futex_wake", "futex_requeue", "prctl", "seccomp", "membarrier",
        "getpriority", "setpriority", "getrlimit", "setrlimit", "prlimit64", "getrusage", "times",
        "sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getattr", "sched_setattr",
        "sched_getparam", "sched_setparam", "sched_getscheduler", "sched_setscheduler",
        "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval", "getcpu",
        "ioprio_get", "ioprio_set", "landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self",
        "uname", "sysinfo", "umask", "getrandom",
        // memory
        "brk", "mmap", "munmap", "mremap", "mprotect", "madvise", "mincore", "msync", "mlock", "mlock2",
        "mlockall", "munlock", "munlockall", "memfd_create", "memfd_secret", "remap_file_pages",
        "pkey_alloc", "pkey_free", "pkey_mprotect", "process_mrelease", "map_shadow_stack", "mseal",
        // files and directories
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "preadv2", "pwritev", "pwritev2",
        "open", "openat", "openat2", "creat", "close", "close_range", "dup", "dup2", "dup3", "lseek",
        "fcntl", "flock", "fsync", "fdatasync", "syncfs", "sync", "sync_file_range", "fadvise64", "readahead",
        "fallocate", "truncate", "ftruncate", "stat", "fstat", "lstat", "newfstatat", "statx", "statfs", "fstatfs",
        "access", "faccessat", "faccessat2", "getcwd", "chdir", "fchdir", "getdents", "getdents64",
        "mkdir", "mkdirat", "rmdir", "mknod", "mknodat", "link", "linkat", "symlink", "symlinkat",
        "unlink", "unlinkat", "rename", "renameat", "renameat2", "readlink", "readlinkat",
        "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "fchownat", "lchown",
        "utime", "utimes", "utimensat", "futimesat", "name_to_handle_at",
        "getxattr", "lgetxattr", "fgetxattr", "setxattr", "lsetxattr", "fsetxattr", "listxattr", "llistxattr",
        "flistxattr", "removexattr", "lremovexattr", "fremovexattr",
        "copy_file_range", "sendfile", "splice", "tee", "vmsplice", "cachestat",
        "pipe", "pipe2", "eventfd", "eventfd2", "inotify_init", "inotify_init1", "inotify_add_watch",
        "inotify_rm_watch", "fanotify_mark",
        // waiting and asynchronous I/O (io_uring is not here: see docs/seccomp.md)
        "select", "pselect6", "poll", "ppoll", "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait",
        "epoll_pwait", "epoll_pwait2", "io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents",
        "io_pgetevents",
        // time
        "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
        "alarm", "getitimer", "setitimer", "timer_create", "timer_delete", "timer_gettime", "timer_settime",
        "timer_getoverrun", "timerfd_create", "timerfd_gettime", "timerfd_settime", "adjtimex", "clock_adjtime",
        // network (socket itself is filtered below)
        "socketpair", "bind", "listen", "accept", "accept4", "connect", "shutdown", "getsockname",
        "getpeername", "getsockopt", "setsockopt", "sendto", "recvfrom", "sendmsg", "recvmsg",
        "sendmmsg", "recvmmsg",
        // System V and POSIX IPC, private to the container's IPC namespace
        "shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl",
        "msgget", "msgsnd", "msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
        "mq_notify", "mq_getsetattr",
    ];

    public static SeccompProfile Profile { get; } = Build();

    private static SeccompProfile Build()
    {
        var rules = new List<SyscallRule> { Rule(Allowed, "SCMP_ACT_ALLOW") };

        // Threads and processes, but never new namespaces: every unprivileged-userns kernel bug
        // stays out of reach, and a container cannot leave its own. Every flag is in the low 32
        // bits, so the masks ignore the high half as the kernel does (clone reads only the low
        // 32 bits of its flags; unshare refuses unknown ones).
        rules.Add(Rule(["clone"], "SCMP_ACT_ALLOW", MaskedEq(0, CloneNamespaceFlags, 0)));
        rules.Add(Rule(["unshare"], "SCMP_ACT_ALLOW", MaskedEq(0, UnshareNamespaceFlags, 0)));
        // clone3 passes its flags in memory, which a filter cannot read: ENOSYS makes glibc and
        // musl fall back to clone, whose flags are checked above.
        rules.Add(Rule(["clone3"], "SCMP_ACT_ERRNO", errno: SeccompNames.ENOSYS));

        // The int arguments below are compared on their low 32 bits only (Arg32): the kernel
        // ignores the high half, so a filter that reads it can be bypassed or wrongly deny.

        // Every address family but AF_VSOCK: it reaches the hypervisor host.
        rules.AddRange(Arg32.AllBut(0, [AF_VSOCK]).Select(c => Rule(["socket"], "SCMP_ACT_ALLOW", c)));

        // Execution domains change syscall semantics (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE...):
        // only the usual values.
        rules.AddRange(Personalities.Select(p => Rule(["personality"], "SCMP_ACT_ALLOW", Arg32.Equal(0, p))));

        // ioctl except TIOCSTI and TIOCLINUX.
        rules.AddRange(Arg32.AllBut(IoctlRequestArg, [TIOCSTI, TIOCLINUX]).Select(c => Rule(["ioctl"], "SCMP_ACT_ALLOW", c)));

        return new SeccompProfile
        {
            DefaultAction = "SCMP_ACT_ERRNO",
            DefaultErrnoRet = SeccompNames.EPERM,
            // Only the native 64-bit ABIs: i386 and x32 syscalls on x86_64 (and arm on aarch64)
            // kill the process instead of reaching a second, less audited syscall table.
            Architectures = ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"],
            Syscalls = rules,
        };
    }

    private static SyscallRule Rule(IReadOnlyList<string> names, string action, ArgCondition? condition = null, uint? errno = null) =>
        new() { Names = names, Action = action, ErrnoRet = errno, Args = condition is null ? null : [condition] };

    private static ArgCondition MaskedEq(uint index, ulong mask, ulong value) =>
        new() { Index = index, Value = mask, ValueTwo = value, Op = "SCMP_CMP_MASKED_EQ" };
}
