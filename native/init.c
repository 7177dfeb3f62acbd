/* runf-init: the tiny PID 1 of `runf --init`, as tini is for docker run --init.
 *
 *   runf-init PATH ARGV0 [ARG...]
 *
 * Forks PATH with the arguments, forwards every signal it receives to it, reaps every process
 * that ends up as its child (orphans are re-parented to PID 1), and exits with the command's
 * status, 128+N when signal N killed it. Without it, a PID 1 that installs no handler ignores
 * SIGTERM and orphans stay zombies.
 *
 * Freestanding (-nostdlib, static): the launcher executes it from a memfd, and the container's
 * rootfs may have no libc at all. Signals are blocked and taken with rt_sigtimedwait: a blocked
 * signal is queued even for a namespace's init, whose default-handled signals are otherwise
 * dropped. */
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "rawsys.h"

#define ENOENT 2
#define ENOTDIR 20

static __attribute__((noreturn)) void leave(long code)
{
    for (;;)
        SYS1(SYS_exit_group, code);
}

static void say(const char *a, const char *b)
{
    long n = 0;
    while (a[n])
        n++;
    SYS3(SYS_write, 2, a, n);
    for (n = 0; b[n]; n++)
        ;
    SYS3(SYS_write, 2, b, n);
    SYS3(SYS_write, 2, "\n", 1);
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
    long child;

    if (argc < 3)
        leave(125);
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &all, 0, sizeof all);
    child = raw6(SYS_clone, SIGCHLD, 0, 0, 0, 0, 0);
    if (child < 0)
        leave(125);
    if (child == 0) {
        long r;
        SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, sizeof none);
        r = SYS3(SYS_execve, argv[1], argv + 2, envp);
        say("runf-init: cannot execute ", argv[1]);
        leave(r == -ENOENT || r == -ENOTDIR ? 127 : 126);
    }
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
