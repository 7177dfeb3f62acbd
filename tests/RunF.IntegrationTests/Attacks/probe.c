/*
 * probe: one attack on the container boundary per invocation, run inside a runf container.
 * Prints one line, "ok ..." when the attempt succeeded or the errno's name when it failed,
 * so the tests assert the exact outcome rather than a shell's exit status.
 * Built statically by the attack fixture (cc -static) and copied into a rootfs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int report(int rc)
{
    if (rc == 0) {
        puts("ok");
        return 0;
    }
    puts(strerrorname_np(errno));
    return 1;
}

static int write_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = write(fd, data, strlen(data));
    int saved = errno;
    close(fd);
    errno = saved;
    return n < 0 ? -1 : 0;
}

/* Prints "ok N" with the number of bytes read, or the errno. */
static int read_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return report(-1);
    }
    char buf[4096];
    long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        total += n;
    }
    if (n < 0) {
        return report(-1);
    }
    printf("ok %ld\n", total);
    return 0;
}

/*
 * A nested user namespace (mapping ids other than root, which needs CAP_SETFCAP), a mount
 * namespace and a PID namespace, then a fresh proc over the masked /proc. Prints one line per
 * step: "unshare ...", "uid_map ...", "mount-proc ...", "umount-mask ...", "keys ...".
 */
static int nested_proc(void)
{
    printf("unshare ");
    if (report(unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID))) {
        return 1;
    }
    printf("setgroups ");
    report(write_file("/proc/self/setgroups", "deny"));
    printf("uid_map ");
    report(write_file("/proc/self/uid_map", "1 0 1"));
    printf("gid_map ");
    report(write_file("/proc/self/gid_map", "1 0 1"));
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        printf("mount-private ");
        report(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
        printf("umount-mask ");
        report(umount2("/proc/keys", MNT_DETACH));
        printf("mount-proc ");
        report(mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
        printf("mount-proc-tmp ");
        report(mount("proc", "/tmp", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
        printf("keys ");
        read_file("/proc/keys");
        printf("tmp-keys ");
        read_file("/tmp/keys");
        printf("remount-root-rw ");
        report(mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND, NULL));
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    return 0;
}

/*
 * Becomes root of a user namespace of its own (its uid mapped to 0 there), then writes path:
 * the capabilities it holds there reach no file whose owner that namespace does not map.
 * Prints "unshare ERRNO" when the namespace cannot be made, else the write's outcome.
 */
static int nested_root_write(const char *path)
{
    char map[32];
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER) != 0) {
        printf("unshare ");
        return report(-1);
    }
    snprintf(map, sizeof map, "0 %u 1", uid);
    if (write_file("/proc/self/uid_map", map) != 0 || write_file("/proc/self/setgroups", "deny") != 0) {
        printf("uid_map ");
        return report(-1);
    }
    snprintf(map, sizeof map, "0 %u 1", gid);
    if (write_file("/proc/self/gid_map", map) != 0) {
        printf("gid_map ");
        return report(-1);
    }
    return report(write_file(path, "1\n"));
}

/* Opens /dev/null until it fails: prints "N ERRNO" with how many opened. */
static int exhaust_fds(void)
{
    int count = 0;
    while (open("/dev/null", O_RDONLY) >= 0) {
        count++;
    }
    printf("%d %s\n", count, strerrorname_np(errno));
    return 0;
}

static int raise_nofile(void)
{
    struct rlimit lim;
    getrlimit(RLIMIT_NOFILE, &lim);
    lim.rlim_max += 1;
    lim.rlim_cur = lim.rlim_max;
    return report(setrlimit(RLIMIT_NOFILE, &lim));
}

/* Pushes a character into the input queue of the terminal on fd (-1: the controlling
 * terminal, opened as /dev/tty). */
static int tiocsti(int fd)
{
    char c = '#';
    if (fd < 0 && (fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
        return report(-1);
    return report(ioctl(fd, TIOCSTI, &c));
}

/* Counts the pids 1..max that kill(pid, 0) can address. */
static int visible_pids(int max)
{
    int count = 0;
    for (int pid = 1; pid <= max; pid++) {
        if (kill(pid, 0) == 0 || errno == EPERM) {
            count++;
        }
    }
    printf("%d\n", count);
    return 0;
}

/* The shocker attack: open a host inode by handle (needs CAP_DAC_READ_SEARCH). */
static int open_by_handle(void)
{
    struct {
        unsigned int handle_bytes;
        int handle_type;
        unsigned char f_handle[8];
    } h = {8, 1, {2, 0, 0, 0, 0, 0, 0, 0}};
    return report(syscall(SYS_open_by_handle_at, AT_FDCWD, &h, O_RDONLY) < 0 ? -1 : 0);
}

/* An abstract unix socket address (@name) and its length. */
static socklen_t abstract_addr(struct sockaddr_un *addr, const char *name)
{
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    size_t n = strnlen(name, sizeof addr->sun_path - 2);
    memcpy(addr->sun_path + 1, name, n);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* Connects to the abstract socket @name: one the executor's network namespace holds. */
static int connect_abstract(const char *name)
{
    struct sockaddr_un addr;
    socklen_t len = abstract_addr(&addr, name);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return report(fd < 0 ? -1 : connect(fd, (struct sockaddr *)&addr, len));
}

/* Listens on @name and connects to it from a child process: two processes of one container. */
static int abstract_pair(const char *name)
{
    struct sockaddr_un addr;
    socklen_t len = abstract_addr(&addr, name);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, len) != 0 || listen(listener, 1) != 0) {
        return report(-1);
    }
    pid_t child = fork();
    if (child == 0) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        _exit(fd >= 0 && connect(fd, (struct sockaddr *)&addr, len) == 0 && write(fd, "x", 1) == 1 ? 0 : errno);
    }
    int status = 0;
    waitpid(child, &status, 0);
    errno = WEXITSTATUS(status);
    return report(WEXITSTATUS(status) == 0 ? 0 : -1);
}

/* Binds a TCP socket to 127.0.0.1:port in the shared network namespace. */
static int bind_tcp(int port)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    return report(fd < 0 ? -1 : bind(fd, (struct sockaddr *)&addr, sizeof addr));
}

/* socket(family, SOCK_STREAM, 0) with the family passed as a full 64-bit register. */
static int socket_raw(unsigned long family)
{
    long fd = syscall(SYS_socket, family, SOCK_STREAM, 0);
    return report(fd < 0 ? -1 : 0);
}

/* Prints "uid RUID EUID SUID caps CAPEFF nnp NNP" from the kernel's view of this process. */
static int creds(void)
{
    uid_t r, e, s;
    getresuid(&r, &e, &s);
    FILE *f = fopen("/proc/self/status", "r");
    char line[256], cap[64] = "?", nnp[16] = "?";
    while (f && fgets(line, sizeof line, f)) {
        sscanf(line, "CapEff:\t%63s", cap);
        sscanf(line, "NoNewPrivs:\t%15s", nnp);
    }
    if (f) {
        fclose(f);
    }
    printf("uid %u %u %u caps %s nnp %s\n", r, e, s, cap, nnp);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fputs("usage: probe ACTION [ARG...]\n", stderr);
        return 2;
    }
    const char *a = argv[1];
    if (!strcmp(a, "write") && argc == 3) return report(write_file(argv[2], "1\n"));
    if (!strcmp(a, "mkdir") && argc == 3) return report(mkdir(argv[2], 0755));
    if (!strcmp(a, "read") && argc == 3) return read_file(argv[2]);
    if (!strcmp(a, "mount") && argc == 5) return report(mount(argv[3], argv[4], argv[2], 0, NULL));
    if (!strcmp(a, "bind") && argc == 4) return report(mount(argv[2], argv[3], NULL, MS_BIND | MS_REC, NULL));
    if (!strcmp(a, "umount") && argc == 3) return report(umount2(argv[2], MNT_DETACH));
    if (!strcmp(a, "remount-rw") && argc == 3) return report(mount(NULL, argv[2], NULL, MS_REMOUNT | MS_BIND, NULL));
    if (!strcmp(a, "nested-proc")) return nested_proc();
    if (!strcmp(a, "chown") && argc == 4) return report(chown(argv[2], atoi(argv[3]), atoi(argv[3])));
    if (!strcmp(a, "sethostname") && argc == 3) return report(sethostname(argv[2], strlen(argv[2])));
    if (!strcmp(a, "init-module")) return report(syscall(SYS_init_module, NULL, 0, ""));
    if (!strcmp(a, "setuid") && argc == 3) return report(setuid(atoi(argv[2])));
    if (!strcmp(a, "setgid") && argc == 3) return report(setgid(atoi(argv[2])));
    if (!strcmp(a, "setgroups") && argc == 3) {
        gid_t group = (gid_t)atoi(argv[2]);
        return report(setgroups(1, &group));
    }
    if (!strcmp(a, "nested-root-write") && argc == 3) return nested_root_write(argv[2]);
    if (!strcmp(a, "open-by-handle")) return open_by_handle();
    if (!strcmp(a, "kill") && argc == 4) return report(kill(atoi(argv[2]), atoi(argv[3])));
    if (!strcmp(a, "visible-pids") && argc == 3) return visible_pids(atoi(argv[2]));
    if (!strcmp(a, "creds")) return creds();
    if (!strcmp(a, "exhaust-fds")) return exhaust_fds();
    if (!strcmp(a, "raise-nofile")) return raise_nofile();
    if (!strcmp(a, "tiocsti")) return tiocsti(0);
    if (!strcmp(a, "tiocsti-tty")) return tiocsti(-1);
    if (!strcmp(a, "connect-abstract") && argc == 3) return connect_abstract(argv[2]);
    if (!strcmp(a, "abstract-pair") && argc == 3) return abstract_pair(argv[2]);
    if (!strcmp(a, "bind-tcp") && argc == 3) return bind_tcp(atoi(argv[2]));
    if (!strcmp(a, "socket") && argc == 3) return socket_raw(strtoul(argv[2], NULL, 0));
    if (!strcmp(a, "chroot-escape")) {
        /* the classic: chroot into a subdirectory, then climb with .. (needs CAP_SYS_CHROOT) */
        return report(chroot("/tmp"));
    }
    fprintf(stderr, "probe: unknown action %s\n", a);
    return 2;
}
