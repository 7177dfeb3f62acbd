/* The cloned child: waits for the parent's go-ahead, performs the setup plan step by step with
 * raw system calls, and execve()s the command. It runs on a stack of its own in the parent's
 * memory (CLONE_VM), so it never calls into libc: no malloc, no stdio, no errno. A failing step
 * is written to the error pipe as (step, errno) and the child exits. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "fd_message.h"
#include "landlock.h"
#include "rawsys.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct ctx {
    const struct runf_child_args *args;
    const uint8_t *plan;
    int rootfd;
    /* The descriptors still used after the AWAIT step, copied from args (shared with the parent,
     * never written here): install_fds may move them out of the way of fd 3. */
    int error_fd;
    int init_fd;
    int gate_fd; /* OPEN_GATE's FIFO, read by WAIT_GATE */
    int detached; /* RUNF_PLAN_DETACHED: no parent-death signal */
};

static const char *str(const struct ctx *c, uint32_t off)
{
    return off ? (const char *)(c->plan + off) : 0;
}

static void fd_path(char buf[32], int fd)
{
    static const char prefix[] = "/proc/self/fd/";
    char digits[12];
    int n = 0, i = 0;
    do {
        digits[n++] = (char)('0' + fd % 10);
        fd /= 10;
    } while (fd);
    for (; prefix[i]; i++)
        buf[i] = prefix[i];
    while (n)
        buf[i++] = digits[--n];
    buf[i] = 0;
}

/* Opens path beneath the root without ever leaving it: ".." and absolute symlinks stop at the
 * root, magic links (/proc/self/...) are refused. */
static long open_in_root_as(const struct ctx *c, const char *path, uint32_t flags, int oflags)
{
    struct open_how how = {
        .flags = (uint64_t)(O_CLOEXEC | oflags),
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS |
                   ((flags & RUNF_F_NO_SYMLINKS) ? RESOLVE_NO_SYMLINKS : 0),
    };
    if (c->rootfd < 0)
        return -EBADF;
    return SYS4(SYS_openat2, c->rootfd, path, &how, sizeof how);
}

static long open_in_root(const struct ctx *c, const char *path, uint32_t flags, int oflags)
{
    return open_in_root_as(c, path, flags, O_PATH | oflags);
}

static long is_devnull(int fd)
{
    struct stat st;
    long r = SYS2(SYS_fstat, fd, &st);
    if (r < 0)
        return r;
    return (S_ISCHR(st.st_mode) && st.st_rdev == (dev_t)makedev(1, 3)) ? 0 : -EPERM;
}

static long do_mount(struct ctx *c, const struct runf_op *op)
{
    const char *source = str(c, op->s[0]), *target = str(c, op->s[1]);
    char source_buf[32], target_buf[32];
    long sfd = -1, tfd = -1, r;

    if (op->flags & RUNF_F_SOURCE_IN_ROOT) {
        sfd = open_in_root(c, source, op->flags & RUNF_F_NO_SYMLINKS, 0);
        if (sfd < 0)
            return sfd;
        if ((op->flags & RUNF_F_SOURCE_DEVNULL) && (r = is_devnull((int)sfd)) < 0)
            goto out;
        fd_path(source_buf, (int)sfd);
        source = source_buf;
    }
    if (op->flags & RUNF_F_TARGET_IN_ROOT) {
        tfd = open_in_root(c, target, op->flags, 0);
        if (tfd < 0) {
            r = tfd;
            goto out;
        }
        fd_path(target_buf, (int)tfd);
        target = target_buf;
    }
    r = SYS5(SYS_mount, source, target, str(c, op->s[2]), (unsigned long)op->n[0], str(c, op->s[3]));
out:
    if (sfd >= 0)
        SYS1(SYS_close, sfd);
    if (tfd >= 0)
        SYS1(SYS_close, tfd);
    return r;
}

/* The flags a bind remount must keep: in a user namespace they are locked to the source's. */
static unsigned long locked_flags(int fd)
{
    struct statfs sfs;
    unsigned long f = 0;
    if (SYS2(SYS_fstatfs, fd, &sfs) < 0)
        return 0;
    if (sfs.f_flags & ST_NOSUID)
        f |= MS_NOSUID;
    if (sfs.f_flags & ST_NODEV)
        f |= MS_NODEV;
    if (sfs.f_flags & ST_NOEXEC)
        f |= MS_NOEXEC;
    if (sfs.f_flags & ST_NOATIME)
        f |= MS_NOATIME;
    if (sfs.f_flags & ST_NODIRATIME)
        f |= MS_NODIRATIME;
    if (sfs.f_flags & ST_RELATIME)
        f |= MS_RELATIME;
    return f;
}

static long do_mount_attr(struct ctx *c, const struct runf_op *op)
{
    struct mount_attr attr = {.attr_set = op->n[0], .attr_clr = op->n[1]};
    char path[32];
    long fd = open_in_root(c, str(c, op->s[0]), op->flags, 0), r;
    if (fd < 0)
        return fd;
    r = SYS5(SYS_mount_setattr, fd, "",
             AT_EMPTY_PATH | ((op->flags & RUNF_F_RECURSIVE) ? AT_RECURSIVE : 0), &attr, sizeof attr);
    if (r == -ENOSYS && !(op->flags & RUNF_F_RECURSIVE) && attr.attr_set == MOUNT_ATTR_RDONLY && !attr.attr_clr) {
        /* a read-only remount before Linux 5.12 */
        fd_path(path, (int)fd);
        r = SYS5(SYS_mount, 0, path, 0, MS_BIND | MS_REMOUNT | MS_RDONLY | locked_flags((int)fd), 0);
    }
    SYS1(SYS_close, fd);
    return r;
}

/* ENSURE_DIR, ENSURE_FILE and SYMLINK create one name in a directory resolved in root. */
static long do_create(struct ctx *c, const struct runf_op *op)
{
    const char *parent = str(c, op->s[0]), *name = str(c, op->s[1]);
    long dfd = open_in_root(c, parent, op->flags, O_DIRECTORY), r;
    if (dfd < 0)
        return dfd;
    if (op->kind == RUNF_OP_ENSURE_DIR) {
        r = SYS3(SYS_mkdirat, dfd, name, op->n[0]);
    } else if (op->kind == RUNF_OP_SYMLINK) {
        r = SYS3(SYS_symlinkat, str(c, op->s[2]), dfd, name);
    } else {
        r = SYS4(SYS_openat, dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, op->n[0]);
        if (r >= 0)
            r = SYS1(SYS_close, r);
    }
    SYS1(SYS_close, dfd);
    return r == -EEXIST ? 0 : r;
}

static long do_enter_root(struct ctx *c, const struct runf_op *op)
{
    long fd = SYS3(SYS_openat, AT_FDCWD, str(c, op->s[0]), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return fd;
    c->rootfd = (int)fd;
    return SYS1(SYS_fchdir, fd);
}

static long do_pivot_root(struct ctx *c)
{
    long r = SYS1(SYS_fchdir, c->rootfd);
    if (r == 0)
        r = SYS2(SYS_pivot_root, ".", ".");
    if (r == 0)
        r = SYS2(SYS_umount2, ".", MNT_DETACH);
    if (r == 0)
        r = SYS1(SYS_chdir, "/");
    return r;
}

static long do_chdir(struct ctx *c, const struct runf_op *op)
{
    long fd = open_in_root(c, str(c, op->s[0]), op->flags, O_DIRECTORY), r;
    if (fd < 0)
        return fd;
    r = SYS1(SYS_fchdir, fd);
    SYS1(SYS_close, fd);
    return r;
}

/* Drops from the bounding set every capability up to n1 that n2 does not keep; keeps those of n0
 * in the effective, permitted and inheritable sets, raised in the ambient set so that they
 * survive the exec of a file without capabilities. */
static long do_caps(const struct runf_op *op)
{
    uint64_t keep = op->n[0], bounding = op->n[2];
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    long r;
    for (uint64_t cap = 0; cap <= op->n[1]; cap++) {
        if (!(bounding & (1ull << cap)) && (r = SYS2(SYS_prctl, PR_CAPBSET_DROP, cap)) < 0 && r != -EINVAL)
            return r;
    }
    for (int i = 0; i < 2; i++) {
        uint32_t word = (uint32_t)(keep >> (32 * i));
        data[i].effective = data[i].permitted = data[i].inheritable = word;
    }
    if ((r = SYS2(SYS_capset, &hdr, data)) < 0)
        return r;
    for (uint64_t cap = 0; cap < 64; cap++) {
        if ((keep & (1ull << cap)) && (r = SYS5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0)) < 0)
            return r;
    }
    return 0;
}

_Static_assert(sizeof(gid_t) == sizeof(uint32_t) && sizeof(uid_t) == sizeof(uint32_t),
               "the IDENTITY op's ids are handed to setgroups and setres[ug]id as they are");

/* Becomes the container's user, as runc's finalizeNamespace does: with PR_SET_KEEPCAPS the
 * permitted set survives the switch away from uid 0 (the kernel still clears the effective and
 * ambient sets); it is made effective again for the CAPS op, which comes next and cuts the sets
 * down to the user's own. The groups go first, while uid 0 still holds CAP_SETGID. */
static long do_identity(const struct ctx *c, const struct runf_op *op)
{
    const uint32_t *groups = (const uint32_t *)(const void *)(c->plan + op->s[0]);
    uint64_t uid = op->n[0], gid = op->n[1];
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    long r;
    if ((r = SYS5(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0)) < 0 ||
        (r = SYS2(SYS_setgroups, groups[0], groups + 1)) < 0 ||
        (r = SYS3(SYS_setresgid, gid, gid, gid)) < 0 ||
        (r = SYS3(SYS_setresuid, uid, uid, uid)) < 0 ||
        (r = SYS5(SYS_prctl, PR_SET_KEEPCAPS, 0, 0, 0, 0)) < 0 ||
        (r = SYS2(SYS_capget, &hdr, data)) < 0)
        return r;
    for (int i = 0; i < 2; i++)
        data[i].effective = data[i].permitted;
    if ((r = SYS2(SYS_capset, &hdr, data)) < 0)
        return r;
    /* A change of effective ids clears the parent-death signal, and makes the memory this child
     * still shares with runf (CLONE_VM) non-dumpable: runf's own /proc files would turn root's
     * and the agent could no longer open a waiting container's namespaces. The exec makes the
     * command dumpable again anyway (its ids all agree). */
    if (!c->detached && (r = SYS2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL)) < 0)
        return r;
    return SYS5(SYS_prctl, PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static long do_close_fds(const struct runf_op *op)
{
    long r = SYS3(SYS_close_range, 3, ~0u, CLOSE_RANGE_CLOEXEC);
    if (r == -ENOSYS || r == -EINVAL) { /* before Linux 5.11 */
        for (long fd = 3; fd < (long)op->n[0]; fd++)
            SYS3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
        r = 0;
    }
    return r;
}

static long do_seccomp(const struct ctx *c, const struct runf_op *op)
{
    struct {
        unsigned short len;
        const void *filter;
    } prog = {(unsigned short)op->n[0], c->plan + op->s[0]};
    return SYS3(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, 0, &prog);
}

/* Closes every descriptor above 2 except the n in keep (-1 entries ignored). The child starts
 * with a copy of the executor's table: in an agent that is every client socket and the pipes of
 * every invocation in flight, and a copy held here would delay their EOF (a pre-warmed container
 * may wait for minutes; an invocation's stdout would not end until this container's setup did). */
static long close_all_but(int *keep, int n)
{
    int next = 3;
    for (int i = 0; i < n; i++) /* insertion sort: n is tiny */
        for (int j = i; j > 0 && keep[j] < keep[j - 1]; j--) {
            int t = keep[j];
            keep[j] = keep[j - 1];
            keep[j - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        if (keep[i] < next)
            continue;
        long r = keep[i] > next ? SYS3(SYS_close_range, next, keep[i] - 1, 0) : 0;
        if (r < 0)
            return r;
        next = keep[i] + 1;
    }
    return SYS3(SYS_close_range, next, ~0u, 0);
}

/* F_DUPFD_CLOEXEC: fd copied to the lowest free descriptor at or above min. */
static long move_above(int fd, int min)
{
    return SYS3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, min);
}

/* Installs the n descriptors the dispatch sent as fds 0 to n-1 (stdin, stdout, stderr, and fd 3
 * for an actionloop action), kept across the exec. They arrive close-on-exec; every one below n,
 * and the error pipe and runf-init's memfd that the exec still needs, is first moved above n, so
 * that no dup3 lands on a descriptor still in use. */
static long install_fds(struct ctx *c, int *fds, int n)
{
    long r;
    for (int i = 0; i < n; i++)
        if (fds[i] < n && (fds[i] = (int)move_above(fds[i], n)) < 0)
            return fds[i];
    if (c->error_fd < n) {
        if ((r = move_above(c->error_fd, n)) < 0)
            return r;
        c->error_fd = (int)r;
    }
    if (c->init_fd >= 0 && c->init_fd < n) {
        if ((r = move_above(c->init_fd, n)) < 0)
            return r;
        c->init_fd = (int)r;
    }
    for (int i = 0; i < n; i++)
        if ((r = SYS3(SYS_dup3, fds[i], i, 0)) < 0)
            return r;
    return 0;
}

/* A pseudo-terminal of the container's own devpts: its ptmx is opened beneath the root, the peer
 * is taken from the master itself (TIOCGPTPEER, no path lookup in /dev/pts), the master goes to
 * the parent, and the peer becomes the controlling terminal of this session and stdin, stdout
 * and stderr. */
static long do_terminal(struct ctx *c, const struct runf_op *op)
{
    struct winsize size = {.ws_row = (unsigned short)op->n[0], .ws_col = (unsigned short)op->n[1]};
    int unlock = 0, peer[3];
    long master = open_in_root_as(c, str(c, op->s[0]), RUNF_F_NO_SYMLINKS, O_RDWR | O_NOCTTY), r;
    if (master < 0)
        return master;
    r = SYS3(SYS_ioctl, master, TIOCSPTLCK, &unlock);
    if (r == 0 && (size.ws_row || size.ws_col))
        r = SYS3(SYS_ioctl, master, TIOCSWINSZ, &size);
    if (r == 0)
        r = SYS3(SYS_ioctl, master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (r >= 0) {
        struct runf_fd_message m;
        int sent = (int)master;
        peer[0] = peer[1] = peer[2] = (int)r;
        r = c->args->request_fd >= 0 ? SYS3(SYS_sendmsg, c->args->request_fd, runf_fd_message(&m, &sent, 1), MSG_NOSIGNAL) : -EBADF;
    }
    SYS1(SYS_close, master);
    if (r >= 0)
        r = SYS3(SYS_ioctl, peer[0], TIOCSCTTY, 0);
    return r < 0 ? r : install_fds(c, peer, 3);
}

/* The pre-warmed wait: report ready, then block until the parent sends one byte with stdin,
 * stdout, stderr and perhaps fd 3 attached (runf_dispatch has stored the command in args by
 * then). EOF means the pool was closed: exit quietly. */
static long do_await(struct ctx *c, uint32_t step)
{
    const struct runf_child_args *a = c->args;
    struct runf_step_error ready = {step, 0};
    struct runf_fd_message m;
    struct msghdr *msg = runf_fd_message(&m, 0, RUNF_DISPATCH_MAX_FDS);
    int fds[RUNF_DISPATCH_MAX_FDS], n;
    long r;
    if ((r = SYS3(SYS_write, c->error_fd, &ready, sizeof ready)) < 0)
        return r;
    do
        r = SYS3(SYS_recvmsg, a->request_fd, msg, MSG_CMSG_CLOEXEC);
    while (r == -EINTR);
    if (r == 0)
        for (;;)
            SYS1(SYS_exit_group, 0);
    if (r < 0)
        return r;
    if ((n = runf_fd_message_take(&m, fds, 3, RUNF_DISPATCH_MAX_FDS)) < 0)
        return n;
    SYS1(SYS_close, a->request_fd);
    return install_fds(c, fds, n);
}

/* Writes n in decimal at p; returns the end. */
static char *decimal(char *p, uint32_t n)
{
    char digits[10];
    int count = 0;
    do
        digits[count++] = (char)('0' + n % 10);
    while ((n /= 10) != 0);
    while (count > 0)
        *p++ = digits[--count];
    return p;
}

/* OPEN_GATE: the exec fifo, read-write so that the open does not wait for `runf start`; a
 * symlink or anything but a FIFO is refused. */
static long do_open_gate(struct ctx *c, const struct runf_op *op)
{
    struct stat st;
    long fd = SYS3(SYS_openat, AT_FDCWD, str(c, op->s[0]), O_RDWR | O_CLOEXEC | O_NOFOLLOW), r;
    if (fd < 0)
        return fd;
    if ((r = SYS2(SYS_fstat, fd, &st)) == 0 && !S_ISFIFO(st.st_mode))
        r = -EINVAL;
    if (r < 0) {
        SYS1(SYS_close, fd);
        return r;
    }
    c->gate_fd = (int)fd;
    return 0;
}

/* WAIT_GATE: the created container, set up, reports ready and waits for `runf start`'s byte. */
static long do_wait_gate(struct ctx *c, uint32_t step)
{
    struct runf_step_error ready = {step, 0};
    char byte;
    long r;
    if (c->gate_fd < 0)
        return -EBADF;
    if ((r = SYS3(SYS_write, c->error_fd, &ready, sizeof ready)) < 0)
        return r;
    do
        r = SYS3(SYS_read, c->gate_fd, &byte, 1);
    while (r == -EINTR);
    SYS1(SYS_close, c->gate_fd);
    c->gate_fd = -1;
    return r == 1 ? 0 : r < 0 ? r : -EPIPE;
}

/* CAP_SETS: the five sets of an OCI config as they are, not one mask for all. */
static long do_cap_sets(const struct ctx *c, const struct runf_op *op)
{
    const uint64_t *sets = (const uint64_t *)(const void *)(c->plan + op->s[0]);
    struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    long r;
    for (uint64_t cap = 0; cap <= op->n[0]; cap++) {
        if (!(sets[0] & (1ull << cap)) && (r = SYS2(SYS_prctl, PR_CAPBSET_DROP, cap)) < 0 && r != -EINVAL)
            return r;
    }
    for (int i = 0; i < 2; i++) {
        data[i].effective = (uint32_t)(sets[1] >> (32 * i));
        data[i].permitted = (uint32_t)(sets[2] >> (32 * i));
        data[i].inheritable = (uint32_t)(sets[3] >> (32 * i));
    }
    if ((r = SYS2(SYS_capset, &hdr, data)) < 0)
        return r;
    if ((r = SYS5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)) < 0)
        return r;
    for (uint64_t cap = 0; cap < 64; cap++) {
        if ((sets[4] & (1ull << cap)) && (r = SYS5(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0)) < 0)
            return r;
    }
    return 0;
}

static long do_namespace(const struct ctx *c, const struct runf_op *op)
{
    long fd, r;
    if (!op->s[0])
        return SYS1(SYS_unshare, op->n[0]);
    fd = SYS3(SYS_openat, AT_FDCWD, str(c, op->s[0]), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fd;
    r = SYS2(SYS_setns, fd, op->n[0]);
    SYS1(SYS_close, fd);
    return r;
}

static long do_write_file(const struct ctx *c, const struct runf_op *op)
{
    const char *text = str(c, op->s[1]);
    long len = 0, fd = open_in_root_as(c, str(c, op->s[0]), RUNF_F_NO_SYMLINKS, O_WRONLY | O_TRUNC), r;
    if (fd < 0)
        return fd;
    while (text[len])
        len++;
    r = SYS3(SYS_write, fd, text, len);
    SYS1(SYS_close, fd);
    return r < 0 ? r : r == len ? 0 : -EIO;
}

/* With an init, the command is found here, so that "not found" is still reported as a failed
 * step, and runf-init (which executes it) gets the path. runf-init gets the error pipe too, open
 * across its own exec, as "FD:STEP": a failed exec of the command comes back as this step, and
 * EOF still means the command is executing. */
static long exec_via_init(const struct ctx *c, uint32_t step)
{
    const struct runf_child_args *a = c->args;
    long first = -ENOENT;
    char *end = decimal(a->init_report, (uint32_t)c->error_fd);
    *end++ = ':';
    *decimal(end, step) = 0;
    for (char *const *path = a->paths; *path; path++) {
        struct stat st;
        long r = SYS4(SYS_newfstatat, AT_FDCWD, *path, &st, 0);
        if (r == 0)
            r = S_ISREG(st.st_mode) ? SYS3(SYS_faccessat, AT_FDCWD, *path, X_OK) : -EACCES;
        if (r == 0) {
            uint64_t empty = 0;
            a->init_argv[2] = *path;
            if ((r = SYS3(SYS_fcntl, c->error_fd, F_SETFD, 0)) < 0)
                return r;
            SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &empty, 0, sizeof empty);
            r = SYS5(SYS_execveat, c->init_fd, "", a->init_argv, a->envp, AT_EMPTY_PATH);
            SYS3(SYS_fcntl, c->error_fd, F_SETFD, FD_CLOEXEC);
            return r;
        }
        if (first == -ENOENT && r != -ENOENT && r != -ENOTDIR)
            first = r;
    }
    return first;
}

/* Tries each candidate path like execvp: the first error other than "not there" wins. */
static long do_exec(const struct ctx *c, const struct runf_op *op, uint32_t step)
{
    const struct runf_child_args *a = c->args;
    uint64_t empty = 0;
    long first = -ENOENT;
    if (op->flags & RUNF_F_VIA_INIT)
        return exec_via_init(c, step);
    SYS4(SYS_rt_sigprocmask, SIG_SETMASK, &empty, 0, sizeof empty);
    for (char *const *path = a->paths; *path; path++) {
        long r = SYS3(SYS_execve, *path, a->argv, a->envp);
        if (first == -ENOENT && r != -ENOENT && r != -ENOTDIR)
            first = r;
    }
    return first;
}

static long run_op(struct ctx *c, const struct runf_op *op, uint32_t step)
{
    switch (op->kind) {
    case RUNF_OP_MOUNT: return do_mount(c, op);
    case RUNF_OP_ENTER_ROOT: return do_enter_root(c, op);
    case RUNF_OP_ENSURE_DIR:
    case RUNF_OP_ENSURE_FILE:
    case RUNF_OP_SYMLINK: return do_create(c, op);
    case RUNF_OP_MOUNT_ATTR: return do_mount_attr(c, op);
    case RUNF_OP_PIVOT_ROOT: return do_pivot_root(c);
    case RUNF_OP_HOSTNAME: {
        const char *name = str(c, op->s[0]);
        long len = 0;
        while (name[len])
            len++;
        return SYS2(SYS_sethostname, name, len);
    }
    case RUNF_OP_RLIMIT: {
        struct { uint64_t cur, max; } lim = {op->n[1], op->n[2]};
        return SYS4(SYS_prlimit64, 0, op->n[0], &lim, 0);
    }
    case RUNF_OP_CAPS: return do_caps(op);
    case RUNF_OP_NO_NEW_PRIVS: return SYS5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    case RUNF_OP_CHDIR: return do_chdir(c, op);
    case RUNF_OP_CLOSE_FDS: return do_close_fds(op);
    case RUNF_OP_SECCOMP: return do_seccomp(c, op);
    case RUNF_OP_EXEC: return do_exec(c, op, step);
    case RUNF_OP_NEW_SESSION: return SYS0(SYS_setsid);
    case RUNF_OP_AWAIT: return do_await(c, step);
    case RUNF_OP_LANDLOCK: return runf_landlock(op->n[0], op->n[1], op->s[0] ? c->plan + op->s[0] : 0, op->n[2]);
    case RUNF_OP_IDENTITY: return do_identity(c, op);
    case RUNF_OP_TERMINAL: return do_terminal(c, op);
    case RUNF_OP_OPEN_GATE: return do_open_gate(c, op);
    case RUNF_OP_WAIT_GATE: return do_wait_gate(c, step);
    case RUNF_OP_CAP_SETS: return do_cap_sets(c, op);
    case RUNF_OP_NAMESPACE: return do_namespace(c, op);
    case RUNF_OP_WRITE_FILE: return do_write_file(c, op);
    default: return -EINVAL;
    }
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    SYS2(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void reset_signals(void)
{
    struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } dfl = {0};
    for (long sig = 1; sig <= 64; sig++)
        SYS4(SYS_rt_sigaction, sig, &dfl, 0, sizeof(uint64_t));
}

static __attribute__((noreturn)) void fail(const struct ctx *c, uint32_t step, long err)
{
    struct runf_step_error e = {step, (int32_t)-err};
    SYS3(SYS_write, c->error_fd, &e, sizeof e);
    for (;;)
        SYS1(SYS_exit_group, 125);
}

int runf_child_main(void *arg)
{
    const struct runf_child_args *a = arg;
    const struct runf_plan_header *h = (const void *)a->plan;
    const struct runf_op *ops = (const void *)(a->plan + h->ops_offset);
    struct ctx c = {a, a->plan, -1, a->error_fd, a->init_fd, -1, (h->flags & RUNF_PLAN_DETACHED) != 0};
    char go;

    /* Every signal is still blocked (inherited from the cloning thread); the parent's handlers
     * are .NET code that must never run here. */
    reset_signals();
    SYS1(SYS_close, a->sync_write_fd);
    SYS1(SYS_close, a->error_read_fd);
    if (a->request_peer_fd >= 0)
        SYS1(SYS_close, a->request_peer_fd);
    {
        /* Best effort (close_range is Linux 5.9): the CLOSE_FDS step still marks them all
         * close-on-exec. */
        int keep[4] = {a->sync_fd, a->error_fd, a->init_fd, a->request_fd};
        close_all_but(keep, 4);
    }
    if (!c.detached)
        SYS2(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL);
    /* The parent writes the id maps (and joins the cgroup) before sending the byte. EOF means
     * it gave up or died. */
    if (SYS3(SYS_read, a->sync_fd, &go, 1) != 1)
        for (;;)
            SYS1(SYS_exit_group, 125);
    SYS1(SYS_close, a->sync_fd);
    if (a->times)
        a->times[0] = now_ns();

    for (uint32_t i = 0; i < h->op_count; i++) {
        long r = run_op(&c, &ops[i], i);
        if (r == -ENOENT && (ops[i].flags & RUNF_F_OPTIONAL))
            r = 0;
        if (r < 0)
            fail(&c, i, r);
        if (a->times)
            a->times[i + 1] = now_ns();
    }
    fail(&c, h->op_count, -EINVAL); /* a plan must end with EXEC */
}
