/* The signals runf passes on to the container's PID 1, as docker run does. The handler sends
 * them through the container's pidfd itself: two syscalls, async-signal-safe, and no thread, no
 * pipe and no managed code (.NET's PosixSignalRegistration starts a thread and its signal
 * machinery, 0.9 ms of every container start in bench/README.md). Signals that arrive before
 * the container exists are held as a set, as the kernel holds standard signals, and sent on
 * attach. The first SIGTERM, SIGINT or SIGHUP passed on starts the stop timeout (a real-time
 * timer, SIGALRM): when it runs out the container is sent SIGKILL, as docker stop does. With a
 * terminal (runf -t), SIGWINCH is passed on as the size it announces, and the signals that would
 * end runf put its terminal back out of raw mode first. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <termios.h>
#include <unistd.h>

#include "signal_relay.h"

static int target = -1;              /* the copied pidfd, or -1 */
static uint64_t pending;             /* bit N: signal N arrived and is not sent yet */
static uint64_t installed;           /* bit N: the relay's handler is on signal N */
static int escalate_signal, escalations;
static struct itimerval stop_timeout; /* zero: none */
static int stop_started;             /* the stop signal that started the timer, or 0 */
static int stop_killed;              /* the timer ran out and SIGKILL was sent */
static const uint64_t stop_signals = (1ULL << SIGTERM) | (1ULL << SIGINT) | (1ULL << SIGHUP);
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
    int unstarted = 0;
    if ((stop_signals & (1ULL << sig)) && stop_timeout.it_value.tv_sec + stop_timeout.it_value.tv_usec > 0 &&
        __atomic_compare_exchange_n(&stop_started, &unstarted, sig, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        setitimer(ITIMER_REAL, &stop_timeout, NULL);
    }
    __atomic_sub_fetch(&running, 1, __ATOMIC_SEQ_CST);
    errno = saved_errno;
}

static void restore_and_end(int sig);

/* SIGALRM: the stop timeout ran out; or, before any stop signal, one sent to runf from outside,
 * which ends runf as its default action would. */
static void stop_expired(int sig)
{
    int saved_errno = errno;
    if (!__atomic_load_n(&stop_started, __ATOMIC_SEQ_CST)) {
        restore_and_end(sig);
        return;
    }
    __atomic_add_fetch(&running, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&stop_killed, 1, __ATOMIC_SEQ_CST);
    __atomic_or_fetch(&pending, 1ULL << SIGKILL, __ATOMIC_SEQ_CST);
    send_pending();
    __atomic_sub_fetch(&running, 1, __ATOMIC_SEQ_CST);
    errno = saved_errno;
}

int runf_relay_stopped_by(void)
{
    return __atomic_load_n(&stop_killed, __ATOMIC_SEQ_CST) ? __atomic_load_n(&stop_started, __ATOMIC_SEQ_CST) : 0;
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
        runf_relay_resize_stop();
        return -err;
    }
    installed |= 1ULL << SIGWINCH;
    resize(SIGWINCH); /* a resize before the handler was there */
    return 0;
}

/* Lets the copies go once no handler is running: after this the handler has nothing to do. */
static void close_when_idle(int fds[], int count)
{
    while (__atomic_load_n(&running, __ATOMIC_SEQ_CST) > 0) {
        sched_yield();
    }
    for (int i = 0; i < count; i++) {
        if (fds[i] >= 0) {
            close(fds[i]);
        }
    }
}

void runf_relay_resize_stop(void)
{
    int fds[2] = {__atomic_exchange_n(&resize_from, -1, __ATOMIC_SEQ_CST), __atomic_exchange_n(&resize_to, -1, __ATOMIC_SEQ_CST)};
    close_when_idle(fds, 2);
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

int runf_relay_install(const int32_t *signals, int32_t count, int32_t escalate, int64_t stop_timeout_us)
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
    if (stop_timeout_us < 0) {
        return -EINVAL;
    }
    escalate_signal = escalate;
    escalations = 0;
    pending = 0;
    stop_started = 0;
    stop_killed = 0;
    memset(&stop_timeout, 0, sizeof stop_timeout);
    if (stop_timeout_us > 0) {
        struct sigaction alarm_action;
        memset(&alarm_action, 0, sizeof alarm_action);
        alarm_action.sa_handler = stop_expired;
        alarm_action.sa_flags = SA_RESTART;
        sigemptyset(&alarm_action.sa_mask);
        if (sigaction(SIGALRM, NULL, &previous[SIGALRM]) < 0 || sigaction(SIGALRM, &alarm_action, NULL) < 0) {
            return -errno;
        }
        installed |= 1ULL << SIGALRM;
        stop_timeout.it_value.tv_sec = stop_timeout_us / 1000000;
        stop_timeout.it_value.tv_usec = stop_timeout_us % 1000000;
    }
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
    if (__atomic_load_n(&stop_started, __ATOMIC_SEQ_CST)) {
        struct itimerval off;
        memset(&off, 0, sizeof off);
        setitimer(ITIMER_REAL, &off, NULL);
    }
    for (int sig = 1; sig < 64; sig++) {
        if (installed & (1ULL << sig)) {
            sigaction(sig, &previous[sig], NULL);
        }
    }
    installed = 0;
    restore_fd = -1;
    /* A handler that read the old descriptors is counted in running: wait it out before the
     * descriptors' numbers can be reused. */
    int fds[3] = {__atomic_exchange_n(&target, -1, __ATOMIC_SEQ_CST), __atomic_exchange_n(&resize_from, -1, __ATOMIC_SEQ_CST),
                  __atomic_exchange_n(&resize_to, -1, __ATOMIC_SEQ_CST)};
    close_when_idle(fds, 3);
}
