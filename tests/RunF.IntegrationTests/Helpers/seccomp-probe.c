/*
 * seccomp-probe: makes one system call per argument inside a container and prints NAME=ERRNO
 * (0 on success), so tests can see what the seccomp filter lets through. Busybox has no tool for
 * most of these. Built by SeccompTests with `gcc -static`; x86_64 and aarch64.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TIOCSTI_ 0x5412
#define TIOCLINUX_ 0x541C

static long result(long r) { return r < 0 ? errno : 0; }

/* A pty master: TIOCSTI and TIOCLINUX need a terminal to act on. */
static int open_pty(void)
{
    int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
    if (fd >= 0) {
        int unlock = 0;
        ioctl(fd, TIOCSPTLCK, &unlock);
    }
    return fd;
}

static int pipefd[2];

static void *writer(void *arg)
{
    char c = (char)(long)arg;
    return (void *)(long)write(pipefd[1], &c, 1);
}

/* Four threads each write a byte; epoll reports them all. */
static long threads_epoll(void)
{
    pthread_t t[4];
    struct epoll_event ev = {.events = EPOLLIN}, out;
    int ep = epoll_create1(EPOLL_CLOEXEC), got = 0;
    if (ep < 0 || pipe(pipefd) != 0 || epoll_ctl(ep, EPOLL_CTL_ADD, pipefd[0], &ev) != 0)
        return errno;
    for (long i = 0; i < 4; i++)
        if ((errno = pthread_create(&t[i], NULL, writer, (void *)i)) != 0)
            return errno;
    while (got < 4 && epoll_wait(ep, &out, 1, 5000) == 1) {
        char buf[4];
        long n = read(pipefd[0], buf, sizeof buf);
        got += n > 0 ? (int)n : 0;
    }
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    return got == 4 ? 0 : ETIMEDOUT;
}

static long probe(const char *name)
{
    char c = 'x';
    if (!strcmp(name, "keyctl"))          /* KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, create */
        return result(syscall(SYS_keyctl, 0, -3, 1));
    if (!strcmp(name, "add_key"))
        return result(syscall(SYS_add_key, "user", "runf", "x", 1, -3));
    if (!strcmp(name, "bpf")) {            /* BPF_MAP_CREATE with an empty attribute */
        char attr[128] = {0};
        return result(syscall(SYS_bpf, 0, attr, sizeof attr));
    }
    if (!strcmp(name, "perf_event_open")) {
        char attr[128] = {0};
        return result(syscall(SYS_perf_event_open, attr, 0, -1, -1, 0));
    }
    if (!strcmp(name, "userfaultfd"))      /* UFFD_USER_MODE_ONLY: allowed unprivileged without a filter */
        return result(syscall(SYS_userfaultfd, O_CLOEXEC | 1));
    if (!strcmp(name, "io_uring_setup")) {
        char params[120] = {0};
        return result(syscall(SYS_io_uring_setup, 1, params));
    }
    if (!strcmp(name, "mount"))
        return result(mount("none", "/tmp", "tmpfs", 0, NULL));
    if (!strcmp(name, "unshare_user"))
        return result(unshare(CLONE_NEWUSER));
    if (!strcmp(name, "unshare_files"))
        return result(unshare(CLONE_FILES));
    if (!strcmp(name, "clone_newuser"))    /* raw clone: the child, if any, exits at once */
    {
        long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (r == 0)
            _exit(0);
        return result(r);
    }
    if (!strcmp(name, "clone3")) {
        unsigned long args[11] = {0};
        args[4] = SIGCHLD; /* exit_signal */
        long r = syscall(SYS_clone3, args, sizeof args);
        if (r == 0)
            _exit(0);
        return result(r);
    }
    if (!strcmp(name, "setns"))
        return result(setns(0, CLONE_NEWNS));
    if (!strcmp(name, "ptrace"))
        return result(syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0));
    if (!strcmp(name, "personality_odd"))  /* READ_IMPLIES_EXEC */
        return result(personality(0x0400000));
    if (!strcmp(name, "personality_query"))
        return result(personality(0xffffffff));
    /* The same calls with high bits the kernel ignores: a filter that compares 64 bits is
     * bypassed (vsock) or wrongly denies (the query). */
    if (!strcmp(name, "personality_odd_high"))
        return result(syscall(SYS_personality, 0x100000000UL | 0x0400000));
    if (!strcmp(name, "personality_query_high"))
        return result(syscall(SYS_personality, 0x1ffffffffUL));
    if (!strcmp(name, "vsock")) {
        long fd = socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
        return fd < 0 ? errno : (close((int)fd), 0);
    }
    if (!strcmp(name, "vsock_high")) {
        long fd = syscall(SYS_socket, 0x100000000UL | 40, SOCK_STREAM, 0);
        return fd < 0 ? errno : (close((int)fd), 0);
    }
    if (!strcmp(name, "inet_high")) {      /* AF_INET with high bits: the kernel takes it as AF_INET */
        long fd = syscall(SYS_socket, 0x100000000UL | AF_INET, SOCK_STREAM, 0);
        return fd < 0 ? errno : (close((int)fd), 0);
    }
    if (!strcmp(name, "unshare_user_high"))
        return result(syscall(SYS_unshare, 0x100000000UL | CLONE_NEWUSER));
    if (!strcmp(name, "clone_newuser_high")) {
        long r = syscall(SYS_clone, 0x100000000UL | CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (r == 0)
            _exit(0);
        return result(r);
    }
    if (!strcmp(name, "tiocsti"))
        return result(ioctl(open_pty(), TIOCSTI_, &c));
    if (!strcmp(name, "tiocsti_high"))     /* the kernel ignores the request's high 32 bits */
        return result(syscall(SYS_ioctl, open_pty(), 0x100000000UL | TIOCSTI_, &c));
    if (!strcmp(name, "tioclinux"))
        return result(ioctl(open_pty(), TIOCLINUX_, &c));
    if (!strcmp(name, "tiocgwinsz")) {     /* an ordinary terminal ioctl */
        char ws[8];
        return result(ioctl(open_pty(), TIOCGWINSZ, ws));
    }
    if (!strcmp(name, "threads_epoll"))
        return threads_epoll();
#if defined(__x86_64__)
    if (!strcmp(name, "i386_getpid")) {    /* the 32-bit syscall table through int 0x80 */
        long r = 20;
        __asm__ volatile("int $0x80" : "+a"(r) : : "memory");
        return r < 0 ? -r : 0;
    }
    if (!strcmp(name, "x32_getpid"))       /* __X32_SYSCALL_BIT | getpid */
        return result(syscall(0x40000000 | SYS_getpid));
#endif
    fprintf(stderr, "seccomp-probe: unknown probe %s\n", name);
    exit(2);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        long err = probe(argv[i]);
        printf("%s=%s\n", argv[i], err == 0 ? "0" : strerrorname_np((int)err));
        fflush(stdout);
    }
    return 0;
}
