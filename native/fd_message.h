/* One byte with descriptors attached (SCM_RIGHTS): what the launcher's socket carries, the
 * dispatch's descriptors to a waiting child (runf_dispatch, the AWAIT op) and a terminal's master
 * back to runf (the TERMINAL op, runf_receive_fd). Both ends build and check the message here;
 * the child then calls the kernel with raw syscalls, the parent through libc. Nothing here
 * touches libc, errno included. */
#ifndef RUNF_FD_MESSAGE_H
#define RUNF_FD_MESSAGE_H

#include <errno.h>
#include <sys/socket.h>

#include "launcher.h"

struct runf_fd_message {
    struct msghdr msg;
    struct iovec iov;
    char byte;
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(RUNF_DISPATCH_MAX_FDS * sizeof(int))];
    } control;
};

/* The message for sendmsg with the count descriptors of fds attached or, with fds NULL, for a
 * recvmsg of up to count (1 to RUNF_DISPATCH_MAX_FDS). */
static inline struct msghdr *runf_fd_message(struct runf_fd_message *m, const int *fds, int count)
{
    struct cmsghdr *cmsg;
    m->byte = 0;
    m->iov = (struct iovec){&m->byte, 1};
    m->msg = (struct msghdr){.msg_iov = &m->iov, .msg_iovlen = 1, .msg_control = m->control.buf,
                             .msg_controllen = CMSG_SPACE((size_t)count * sizeof(int))};
    if (fds) {
        cmsg = CMSG_FIRSTHDR(&m->msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN((size_t)count * sizeof(int));
        for (int i = 0; i < count; i++)
            ((int *)(void *)CMSG_DATA(cmsg))[i] = fds[i];
    }
    return &m->msg;
}

/* The descriptors a received message carries, copied to fds: how many (min to max), or -EPROTO
 * for anything else. */
static inline int runf_fd_message_take(const struct runf_fd_message *m, int *fds, int min, int max)
{
    const struct cmsghdr *cmsg = CMSG_FIRSTHDR(&m->msg);
    int n;
    if (!cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS || (m->msg.msg_flags & MSG_CTRUNC))
        return -EPROTO;
    n = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    if (n < min || n > max || cmsg->cmsg_len != CMSG_LEN((size_t)n * sizeof(int)))
        return -EPROTO;
    for (int i = 0; i < n; i++)
        fds[i] = ((const int *)(const void *)CMSG_DATA(cmsg))[i];
    return n;
}

#endif
