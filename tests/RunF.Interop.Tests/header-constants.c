/* Prints, one "NAME value" a line, the constants RunF.Interop binds, as this machine's C headers
   define them for the architecture this is compiled for: InteropConstantsTests compares them. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <poll.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#define SHOW(name) printf("%s %lld\n", #name, (long long)(name))

int main(void)
{
    SHOW(O_RDONLY); SHOW(O_WRONLY); SHOW(O_RDWR); SHOW(O_CREAT); SHOW(O_EXCL); SHOW(O_TRUNC); SHOW(O_NONBLOCK);
    SHOW(O_CLOEXEC); SHOW(O_PATH); SHOW(O_DIRECTORY); SHOW(O_NOFOLLOW);
    SHOW(AT_FDCWD); SHOW(AT_SYMLINK_NOFOLLOW); SHOW(AT_REMOVEDIR); SHOW(AT_EMPTY_PATH);
    SHOW(RESOLVE_NO_MAGICLINKS); SHOW(RESOLVE_NO_SYMLINKS); SHOW(RESOLVE_BENEATH); SHOW(RESOLVE_IN_ROOT);
    SHOW(RENAME_NOREPLACE); SHOW(LOCK_SH); SHOW(LOCK_EX); SHOW(LOCK_NB); SHOW(W_OK); SHOW(X_OK);
    SHOW(S_IFMT); SHOW(S_IFIFO); SHOW(S_IFDIR); SHOW(S_IFREG); SHOW(S_IFLNK); SHOW(S_IFSOCK);
    SHOW(DT_UNKNOWN); SHOW(DT_DIR); SHOW(DT_REG); SHOW(MFD_CLOEXEC);
    SHOW(STATX_TYPE); SHOW(STATX_MODE); SHOW(STATX_NLINK); SHOW(STATX_UID); SHOW(STATX_MTIME); SHOW(STATX_INO); SHOW(STATX_SIZE);
    SHOW(F_GETFL); SHOW(F_SETFL); SHOW(TIOCGWINSZ); SHOW(ICANON); SHOW(TCSANOW); SHOW(VEOF);
    SHOW(POLLIN); SHOW(POLLOUT); SHOW(POLLERR); SHOW(POLLHUP); SHOW(POLLNVAL);
    SHOW(LANDLOCK_CREATE_RULESET_VERSION);
    SHOW(AF_NETLINK); SHOW(SOCK_DGRAM); SHOW(SOCK_CLOEXEC); SHOW(NETLINK_SOCK_DIAG);
    SHOW(SYS_pidfd_send_signal); SHOW(SYS_pidfd_open); SHOW(SYS_openat2); SHOW(SYS_landlock_create_ruleset);
    SHOW(EPERM); SHOW(ENOENT); SHOW(EINTR); SHOW(EIO); SHOW(ENOEXEC); SHOW(EAGAIN); SHOW(EACCES); SHOW(EBUSY); SHOW(EEXIST); SHOW(EXDEV);
    SHOW(ENXIO); SHOW(ENOTDIR); SHOW(EISDIR); SHOW(EINVAL); SHOW(ENOTTY); SHOW(ENOSPC); SHOW(EROFS); SHOW(EPIPE); SHOW(ERANGE); SHOW(ENOSYS);
    SHOW(ELOOP); SHOW(EUSERS); SHOW(ECONNRESET); SHOW(ECONNREFUSED);
    return 0;
}
