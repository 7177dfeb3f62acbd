/* The signals runf passes on to the container's PID 1, as docker run does. The handler sends
 * them through the container's pidfd itself: two syscalls, async-signal-safe, and no thread, no
 * pipe and no managed code (.NET's PosixSignalRegistration starts a thread and its signal
 * machinery, 0.9 ms of every container start in bench/README.md). Signals that arrive before
 * the container exists are held as a set, as the kernel holds standard signals, and sent on
 * attach. With a terminal (runf -t), SIGWINCH is passed on as the size it announces, and the
 * signals that would end runf put its terminal back out of raw mode first. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "signal_relay.h"

static int target = -1;              /* the copied pidfd, or -1 */
static uint64_t pending;             /* bit N: signal N arrived and is not sent yet */
static uint64_t installed;           /* bit N: the relay's handler is on signal N */
static int escalate_signal, escalations;
static int running;                  /* handlers under way: remove waits for them */
static struct sigaction previous[64];
static int resize_from = -1, resize_to = -1; /* runf's terminal and the container's master (copies) */
static int restore_fd = -1;          /* runf's terminal in raw mode, and its modes before */
static struct termios restore_modes;
/* The signals whose default action ends runf and that neither the relay nor .NET handles. */
static const int fatal[] = {SIGALRM, SIGVTALRM, SIGPROF, SIGXCPU, SIGXFSZ, SIGIO, SIGPWR, SIGSYS};

/* Sends what is pending, each signal once: the exchange hands every bit to one caller. */
static void send_pending(void)
{
    int fd = __atomic_load_n(&target, __ATOMIC_SEQ_CST);
    if (fd < 0) {
        return;
    }
    uint64_t bits = __atomic_exchange_n(&pending, 0, __ATOMIC_SEQ_CST);
    for (int sig = 1; sig < 64; sig++) {
        if (bits & (1ULL << sig)) {
            syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
        }
    }
}

static void relay(int sig)
{
    int saved_errno = errno;
    __atomic_add_fetch(&running, 1, __ATOMIC_SEQ_CST);
    if (sig == escalate_signal && __atomic_add_fetch(&escalations, 1, __ATOMIC_SEQ_CST) >= 2) {
        sig = SIGKILL;
    }
    __atomic_or_fetch(&pending, 1ULL << sig, __ATOMIC_SEQ_CST);
    send_pending();
    __atomic_sub_fetch(&running, 1, __ATOMIC_SEQ_CST);
    errno = saved_errno;
}

/* SIGWINCH: the container's terminal takes the size of runf's, and the kernel signals its
 * foreground process group in turn. Two ioctls, async-signal-safe. */
static void resize(int sig)
{
    int saved_errno = errno;
    struct winsize size;
    (void)sig;
    __atomic_add_fetch(&running, 1, __ATOMIC_SEQ_CST);
    int from = __atomic_load_n(&resize_from, __ATOMIC_SEQ_CST), to = __atomic_load_n(&resize_to, __ATOMIC_SEQ_CST);
    if (from >= 0 && to >= 0 && ioctl(from, TIOCGWINSZ, &size) == 0) {
        ioctl(to, TIOCSWINSZ, &size);
    }
    __atomic_sub_fetch(&running, 1, __ATOMIC_SEQ_CST);
    errno = saved_errno;
}

int runf_relay_resize(int32_t from_fd, int32_t to_fd)
{
    struct sigaction action;
    if (installed & (1ULL << SIGWINCH)) {
        return -EBUSY;
    }
    int from = fcntl(from_fd, F_DUPFD_CLOEXEC, 3), to = from < 0 ? -1 : fcntl(to_fd, F_DUPFD_CLOEXEC, 3);
    if (to < 0) {
        int err = errno;
        if (from >= 0) {
            close(from);
        }
        return -err;
    }
    __atomic_store_n(&resize_from, from, __ATOMIC_SEQ_CST);
    __atomic_store_n(&resize_to, to, __ATOMIC_SEQ_CST);
    memset(&action, 0, sizeof action);
    action.sa_handler = resize;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(SIGWINCH, NULL, &previous[SIGWINCH]) < 0 || sigaction(SIGWINCH, &action, NULL) < 0) {
        int err = errno;
        runf_relay_remove();
        return -err;
    }
    installed |= 1ULL << SIGWINCH;
    resize(SIGWINCH); /* a resize before the handler was there */
    return 0;
}

/* A signal that ends runf: its terminal back as it was, then the signal's default action
 * (blocked in its own handler, the raised signal is delivered on return). */
static void restore_and_end(int sig)
{
    struct sigaction dfl;
    if (restore_fd >= 0) {
        tcsetattr(restore_fd, TCSANOW, &restore_modes);
    }
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    raise(sig);
}

int runf_relay_restore_terminal(int32_t fd, const void *modes, int32_t size)
{
    struct sigaction action;
    if (size != (int32_t)sizeof restore_modes) {
        return -EINVAL;
    }
    memcpy(&restore_modes, modes, sizeof restore_modes);
    restore_fd = fd;
    memset(&action, 0, sizeof action);
    action.sa_handler = restore_and_end;
    sigemptyset(&action.sa_mask);
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        int sig = fatal[i];
        if (installed & (1ULL << sig)) {
            continue;
        }
        if (sigaction(sig, NULL, &previous[sig]) < 0) {
            return -errno;
        }
        /* An ignored signal ends nothing; one with a handler is not runf's to take. */
        if (previous[sig].sa_handler != SIG_DFL || (previous[sig].sa_flags & SA_SIGINFO)) {
            continue;
        }
        if (sigaction(sig, &action, NULL) < 0) {
            return -errno;
        }
        installed |= 1ULL << sig;
    }
    return 0;
}

int runf_relay_install(const int32_t *signals, int32_t count, int32_t escalate)
{
    if (installed != 0) {
        return -EBUSY;
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = relay;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    for (int i = 0; i < count; i++) {
        if (signals[i] < 1 || signals[i] > 63 || signals[i] == SIGKILL || signals[i] == SIGSTOP) {
            return -EINVAL;
        }
        sigaddset(&action.sa_mask, signals[i]);
    }
    escalate_signal = escalate;
    escalations = 0;
    pending = 0;
    for (int i = 0; i < count; i++) {
        int sig = signals[i];
        if (sigaction(sig, NULL, &previous[sig]) < 0) {
            int err = errno;
            runf_relay_remove();
            return -err;
        }
        /* An ignored signal stays ignored (nohup, a background job's SIGINT), as .NET does. */
        if (previous[sig].sa_handler == SIG_IGN && !(previous[sig].sa_flags & SA_SIGINFO)) {
            continue;
        }
        if (sigaction(sig, &action, NULL) < 0) {
            int err = errno;
            runf_relay_remove();
            return -err;
        }
        installed |= 1ULL << sig;
    }
    return 0;
}

int runf_relay_attach(int32_t pidfd)
{
    int fd = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) {
        return -errno;
    }
    int old = __atomic_exchange_n(&target, fd, __ATOMIC_SEQ_CST);
    if (old >= 0) {
        close(old);
    }
    send_pending();
    return 0;
}

void runf_relay_remove(void)
{
    for (int sig = 1; sig < 64; sig++) {
        if (installed & (1ULL << sig)) {
            sigaction(sig, &previous[sig], NULL);
        }
    }
    installed = 0;
    restore_fd = -1;
    int fd = __atomic_exchange_n(&target, -1, __ATOMIC_SEQ_CST);
    int from = __atomic_exchange_n(&resize_from, -1, __ATOMIC_SEQ_CST);
    int to = __atomic_exchange_n(&resize_to, -1, __ATOMIC_SEQ_CST);
    /* A handler that read the old descriptors is counted in running: wait it out before the
     * descriptors' numbers can be reused. */
    while (__atomic_load_n(&running, __ATOMIC_SEQ_CST) > 0) {
        sched_yield();
    }
    for (int i = 0, fds[3] = {fd, from, to}; i < 3; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
}
