/* The signals runf passes on to the container's PID 1, as docker run does. The handler sends
 * them through the container's pidfd itself: two syscalls, async-signal-safe, and no thread, no
 * pipe and no managed code (.NET's PosixSignalRegistration starts a thread and its signal
 * machinery, 0.9 ms of every container start in bench/README.md). Signals that arrive before
 * the container exists are held as a set, as the kernel holds standard signals, and sent on
 * attach. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "signal_relay.h"

static int target = -1;              /* the copied pidfd, or -1 */
static uint64_t pending;             /* bit N: signal N arrived and is not sent yet */
static uint64_t installed;           /* bit N: the relay's handler is on signal N */
static int escalate_signal, escalations;
static int running;                  /* handlers under way: remove waits for them */
static struct sigaction previous[64];

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
    int fd = __atomic_exchange_n(&target, -1, __ATOMIC_SEQ_CST);
    /* A handler that read the old descriptor is counted in running: wait it out before the
     * descriptor's number can be reused. */
    while (__atomic_load_n(&running, __ATOMIC_SEQ_CST) > 0) {
        sched_yield();
    }
    if (fd >= 0) {
        close(fd);
    }
}
