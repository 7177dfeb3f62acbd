/* The signal relay's interface to C# (src/RunF.Runtime/Launch/SignalForwarder.cs). */
#ifndef RUNF_SIGNAL_RELAY_H
#define RUNF_SIGNAL_RELAY_H

#include <stdint.h>

/* Installs the relay's handler for count signals (1..63). A signal the process ignores stays
 * ignored. The second arrival of escalate (0: none) is relayed as SIGKILL. When stop_timeout_us
 * is above 0, the first SIGTERM, SIGINT or SIGHUP relayed starts a timer (SIGALRM, whose handler
 * the relay takes), and SIGKILL is relayed when it runs out. Once per process until
 * runf_relay_remove. Returns 0 or -errno. */
int runf_relay_install(const int32_t *signals, int32_t count, int32_t escalate, int64_t stop_timeout_us);

/* The stop signal whose timeout ran out and made the relay send SIGKILL, or 0. */
int runf_relay_stopped_by(void);

/* Relays the signals from now on, and those that arrived before, to the process behind pidfd
 * (the descriptor is copied). Returns 0 or -errno. */
int runf_relay_attach(int32_t pidfd);

/* On SIGWINCH, and once now: the window size of from_fd (runf's terminal) is set on to_fd (the
 * container's terminal master). Both descriptors are copied. Once until runf_relay_remove.
 * Returns 0 or -errno. */
int runf_relay_resize(int32_t from_fd, int32_t to_fd);

/* Stops passing sizes on and lets the copied descriptors go (the terminal is being closed). */
void runf_relay_resize_stop(void);

/* While runf's terminal (fd) is in raw mode: a signal that would end runf (SIGALRM, SIGXCPU...,
 * not the relayed ones, which end the container instead) first sets modes (a struct termios of
 * size bytes) back on it. Until runf_relay_remove. Returns 0 or -errno. */
int runf_relay_restore_terminal(int32_t fd, const void *modes, int32_t size);

/* Puts the previous handlers back and lets the copied descriptors go once no handler is running. */
void runf_relay_remove(void);

#endif
