/* runf-init: the tiny PID 1 of every runf container (unless --no-init), as tini is for
 * docker run --init.
 *
 *   runf-init FD:STEP PATH ARGV0 [ARG...]
 *
 * Forks PATH with the arguments, forwards every signal it receives to it, reaps every process
 * that ends up as its child (orphans are re-parented to PID 1), and exits with the command's
 * status, 128+N when signal N killed it. Without it, a PID 1 that installs no handler ignores
 * SIGTERM and orphans stay zombies.
 *
 * FD is the launcher's error pipe, open across runf-init's exec: a failed exec of the command is
 * written to it as the plan's step STEP, (step, errno), as the launcher's child reports its own
 * failures, and EOF (the command's exec closing it) still means the command is executing.
 *
 * Freestanding (-nostdlib, static): the launcher executes it from a memfd, and the container's
 * rootfs may have no libc at all. Signals are blocked and taken with rt_sigtimedwait: a blocked
 * signal is queued even for a namespace's init, whose default-handled signals are otherwise
 * dropped. */
#include <signal.h>
#include <stdint.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "rawsys.h"

#define ENOENT 2
#define ENOTDIR 20

static __attribute__((noreturn)) void leave(long code)
{
    for (;;)
        SYS1(SYS_exit_group, code);
}

/* "FD:STEP"; -1 when malformed. */
static long parse_report(const char *text, uint32_t *step)
{
    long fd = 0, n = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++)
        fd = fd * 10 + (*p - '0');
    if (p == text || *p++ != ':' || fd > 1 << 20)
        return -1;
    for (text = p; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (*p - '0');
    if (p == text || *p != 0 || n > 1 << 20)
        return -1;
    *step = (uint32_t)n;
    return fd;
}

static long exit_code(int status)
{
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}

__attribute__((used)) void init_main(long *sp)
{
    long argc = sp[0];
    char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
    uint64_t all = ~0ull, none = 0;
    char info[128];
    long child, report;
    uint32_t step;

    if (argc < 4 || (report = parse_report(argv[1], &step)) < 0)
        leave(125);
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, sizeof all);
    child = raw6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
    if (child < 0)
        leave(125);
    if (child == 0) {
        struct { uint32_t step; int32_t err; } failed = {step, 0};
        long r;
        int self;
        /* Its own process group, in the foreground of the container's terminal when there is one
         * (runf -t; otherwise ENOTTY): the terminal's Ctrl-C reaches the command once, not also
         * runf-init, which would pass it on a second time. SIGTTOU is still blocked here. */
        SYS2(SYS_setpgid, 0, 0);
        self = (int)SYS0(SYS_getpid);
        SYS3(SYS_ioctl, 0, TIOCSPGRP, &self);
        SYS3(SYS_fcntl, report, F_SETFD, FD_CLOEXEC);
        SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, sizeof none);
        r = SYS3(SYS_execve, argv[2], argv + 3, envp);
        failed.err = (int32_t)-r;
        SYS3(SYS_write, report, &failed, sizeof failed);
        leave(r == -ENOENT || r == -ENOTDIR ? 127 : 126);
    }
    SYS1(SYS_close, report);
    for (;;) {
        long sig = SYS4(SYS_rt_sigtimedwait, &all, info, 0, sizeof all);
        if (sig == SIGCHLD) {
            int status;
            long pid;
            while ((pid = SYS4(SYS_wait4, -1, &status, 1 /* WNOHANG */, 0)) > 0)
                if (pid == child)
                    leave(exit_code(status));
        } else if (sig > 0) {
            SYS2(SYS_kill, child, sig);
        }
    }
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n xor %rbp, %rbp\n mov %rsp, %rdi\n and $-16, %rsp\n call init_main\n hlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n mov x29, #0\n mov x0, sp\n bl init_main\n brk #0\n");
#endif
