/* `runf create --console-socket PATH`: the container's terminal master goes to the engine over a
 * unix socket, as runc sends it (SCM_RIGHTS, the terminal's name as the payload): conmon and
 * containerd's shim receive it there. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "console_socket.h"

int runf_send_console(const char *path, int fd)
{
    static const char name[] = "/dev/ptmx";
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct iovec iov = {(void *)name, sizeof name - 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
    struct cmsghdr *cmsg;
    int sock, r = 0;

    if (strlen(path) >= sizeof addr.sun_path)
        return -ENAMETOOLONG;
    strcpy(addr.sun_path, path);
    if ((sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
        return -errno;
    memset(&control, 0, sizeof control);
    cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0 || sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
        r = -errno;
    close(sock);
    return r;
}
