/* The parent half of the launcher: checks the plan, prepares everything the child will need
 * (stack, exec arrays, pipes) and clones it. The child shares this process's memory until it
 * execs (CLONE_VM: no page-table copy of the .NET heap), so the clone is about as cheap as
 * vfork, but it does not suspend the parent: the parent must write the id maps first. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "child.h"
#include "fd_message.h"

#define STACK_SIZE (256 * 1024)

struct handle {
    struct runf_child_args args;
    void *stack;
    char **arrays;
    char **dispatched; /* the arrays of runf_dispatch's command */
    int request_fd;    /* with an AWAIT or TERMINAL op: the parent's end of the socket to the child */
    uint64_t *times;
};

extern const char runf_init_image[], runf_init_image_end[];

/* runf-init in a sealed memfd: executable by fd, invisible in the container's rootfs, and
 * immutable even for the container's root, who can reach it as /proc/1/exe. */
static int init_memfd(void)
{
    size_t size = (size_t)(runf_init_image_end - runf_init_image), done = 0;
    int fd = memfd_create("runf-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        return -errno;
    while (done < size) {
        ssize_t n = write(fd, runf_init_image + done, size - done);
        if (n < 0 && errno != EINTR) {
            int r = -errno;
            close(fd);
            return r;
        }
        done += n > 0 ? (size_t)n : 0;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
        int r = -errno;
        close(fd);
        return r;
    }
    return fd;
}

/* A string list at offset off: u32 count, then count u32 string offsets. */
static int list_ok(const uint8_t *plan, uint32_t length, uint32_t off)
{
    uint32_t count;
    if (off == 0 || off > length - 4 || off % 4)
        return 0;
    memcpy(&count, plan + off, 4);
    return count <= (length - off - 4) / 4;
}

static uint32_t list_count(const uint8_t *plan, uint32_t off)
{
    uint32_t count;
    memcpy(&count, plan + off, 4);
    return count;
}

static char **fill_list(char **dst, const uint8_t *plan, uint32_t off)
{
    uint32_t count = list_count(plan, off);
    const uint32_t *items = (const uint32_t *)(plan + off + 4);
    for (uint32_t i = 0; i < count; i++)
        *dst++ = (char *)(plan + items[i]);
    *dst++ = NULL;
    return dst;
}

static const struct runf_op *exec_op(const uint8_t *plan, uint32_t length)
{
    const struct runf_plan_header *h = (const void *)plan;
    const struct runf_op *last;
    if (length < sizeof *h || h->magic != RUNF_PLAN_MAGIC || h->version != RUNF_PLAN_VERSION ||
        h->length != length || h->op_count == 0 || h->ops_offset % 8 ||
        h->ops_offset > length || (length - h->ops_offset) / sizeof(struct runf_op) < h->op_count)
        return NULL;
    last = (const struct runf_op *)(plan + h->ops_offset) + h->op_count - 1;
    if (last->kind != RUNF_OP_EXEC || !list_ok(plan, length, last->s[0]) ||
        !list_ok(plan, length, last->s[1]) || !list_ok(plan, length, last->s[2]))
        return NULL;
    return last;
}

void runf_release(void *p)
{
    struct handle *h = p;
    if (!h)
        return;
    if (h->stack)
        munmap(h->stack, STACK_SIZE);
    if (h->args.init_fd >= 0)
        close(h->args.init_fd);
    if (h->request_fd >= 0)
        close(h->request_fd);
    free(h->arrays);
    free(h->dispatched);
    free(h->times);
    free(h);
}

const uint64_t *runf_step_times(void *p)
{
    return p ? ((struct handle *)p)->times : NULL;
}

/* Points args at an EXEC op's lists as the NULL-terminated arrays execve takes; runf-init's
 * argv ("runf-init", "FD:STEP" and the path, both written by the child, then the command) too,
 * with room for the "FD:STEP" text after the arrays. Returns the block or NULL. */
static char **exec_arrays(struct runf_child_args *args, const uint8_t *plan, const struct runf_op *exec)
{
    uint32_t argc = list_count(plan, exec->s[0]);
    size_t n = argc + list_count(plan, exec->s[1]) + list_count(plan, exec->s[2]) + 3 + argc + 4;
    char **block = malloc(n * sizeof(char *) + RUNF_INIT_REPORT_SIZE), **p = block;
    if (!block)
        return NULL;
    args->init_report = (char *)(block + n);
    args->argv = p;
    p = fill_list(p, plan, exec->s[0]);
    args->envp = p;
    p = fill_list(p, plan, exec->s[1]);
    args->paths = p;
    p = fill_list(p, plan, exec->s[2]);
    args->init_argv = p;
    *p++ = (char *)"runf-init";
    *p++ = args->init_report;
    *p++ = NULL; /* the command's path, once the child has found it */
    fill_list(p, plan, exec->s[0]);
    return block;
}

/* Whether the child talks to the parent over a socket: the dispatch of an AWAIT op arrives on
 * it, the master of a TERMINAL op leaves on it. */
static int needs_socket(const uint8_t *plan)
{
    const struct runf_plan_header *h = (const void *)plan;
    const struct runf_op *ops = (const void *)(plan + h->ops_offset);
    for (uint32_t i = 0; i < h->op_count; i++)
        if (ops[i].kind == RUNF_OP_AWAIT || ops[i].kind == RUNF_OP_TERMINAL)
            return 1;
    return 0;
}

static int prepare(struct handle *h, const uint8_t *plan, const struct runf_op *exec)
{
    const struct runf_plan_header *hdr = (const void *)plan;
    if (!(h->arrays = exec_arrays(&h->args, plan, exec)))
        return -ENOMEM;
    if ((exec->flags & RUNF_F_VIA_INIT) && (h->args.init_fd = init_memfd()) < 0)
        return h->args.init_fd;
    if (needs_socket(plan)) {
        int pair[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
            return -errno;
        h->request_fd = pair[0];
        h->args.request_peer_fd = pair[0];
        h->args.request_fd = pair[1];
    }
    if (hdr->flags & RUNF_PLAN_TIMING) {
        h->times = calloc(hdr->op_count + 1, sizeof(uint64_t));
        if (!h->times)
            return -ENOMEM;
        h->args.times = h->times;
    }
    h->stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (h->stack == MAP_FAILED) {
        h->stack = NULL;
        return -ENOMEM;
    }
    return 0;
}

int runf_spawn(const uint8_t *plan, uint32_t length, uint64_t clone_flags, struct runf_spawned *out)
{
    const struct runf_op *exec = exec_op(plan, length);
    struct handle *h;
    int sync[2], err[2], pidfd = -1, pid, r;
    sigset_t all, old;

    if (!exec)
        return -EINVAL;
    h = calloc(1, sizeof *h);
    if (!h)
        return -ENOMEM;
    h->args.init_fd = -1;
    h->args.request_fd = h->args.request_peer_fd = h->request_fd = -1;
    h->args.plan = plan;
    if ((r = prepare(h, plan, exec)) < 0) {
        runf_release(h);
        return r;
    }
    if (pipe2(sync, O_CLOEXEC) < 0) {
        r = -errno;
        runf_release(h);
        return r;
    }
    if (pipe2(err, O_CLOEXEC) < 0) {
        r = -errno;
        close(sync[0]);
        close(sync[1]);
        runf_release(h);
        return r;
    }
    h->args.sync_fd = sync[0];
    h->args.sync_write_fd = sync[1];
    h->args.error_read_fd = err[0];
    h->args.error_fd = err[1];

    /* The child must not run any of this process's signal handlers: it starts with every
     * signal blocked and resets them before unblocking. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = clone(runf_child_main, (char *)h->stack + STACK_SIZE,
                (int)(clone_flags | CLONE_VM | CLONE_PIDFD | SIGCHLD), &h->args, &pidfd);
    r = pid < 0 ? -errno : 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    close(sync[0]);
    close(err[1]);
    /* The child's end stays open in its own descriptor table; args is shared memory the child
     * still reads, so it is left as it is. */
    if (h->args.request_fd >= 0)
        close(h->args.request_fd);
    if (r < 0) {
        close(sync[1]);
        close(err[0]);
        runf_release(h);
        return r;
    }
    out->pid = pid;
    out->sync_fd = sync[1];
    out->error_fd = err[0];
    out->pidfd = pidfd;
    out->handle = h;
    return 0;
}

int runf_dispatch(void *p, const uint8_t *exec_plan, uint32_t length, const int *fds, int count)
{
    struct handle *h = p;
    const struct runf_op *exec = exec_op(exec_plan, length);
    struct runf_fd_message m;
    ssize_t sent;

    if (!h || h->request_fd < 0 || h->dispatched)
        return -EBADF;
    if (!exec || count < 3 || count > RUNF_DISPATCH_MAX_FDS)
        return -EINVAL;
    /* The child is blocked in recvmsg and reads these only after the message arrives. */
    if (!(h->dispatched = exec_arrays(&h->args, exec_plan, exec)))
        return -ENOMEM;
    runf_fd_message(&m, fds, count);
    do
        sent = sendmsg(h->request_fd, &m.msg, MSG_NOSIGNAL);
    while (sent < 0 && errno == EINTR);
    close(h->request_fd);
    h->request_fd = -1;
    return sent < 0 ? -errno : 0;
}

int runf_receive_fd(void *p)
{
    struct handle *h = p;
    struct runf_fd_message m;
    ssize_t got;
    int fd;

    if (!h || h->request_fd < 0)
        return -EBADF;
    runf_fd_message(&m, NULL, 1);
    do
        got = recvmsg(h->request_fd, &m.msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return -errno;
    return got == 0 || runf_fd_message_take(&m, &fd, 1, 1) < 0 ? -EPROTO : fd;
}
