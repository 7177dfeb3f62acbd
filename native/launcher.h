/* The launcher's interface to C# (src/RunF.Runtime/Launch/NativeLauncher.cs). */
#ifndef RUNF_LAUNCHER_H
#define RUNF_LAUNCHER_H

#include <stddef.h>
#include <stdint.h>

struct runf_spawned {
    int32_t pid;
    int32_t sync_fd;  /* write one byte to let the child run its plan, or close it to abort */
    int32_t error_fd; /* read: a struct runf_step_error, or EOF once the command is executing */
    int32_t pidfd;
    void *handle;     /* for runf_release */
};

/* Clones a child with clone_flags that runs the plan. Returns 0 or -errno. */
int runf_spawn(const uint8_t *plan, uint32_t length, uint64_t clone_flags, struct runf_spawned *out);

/* The per-step timestamps (header.op_count + 1 of them), or NULL without RUNF_PLAN_TIMING.
 * Valid once error_fd has reported. */
const uint64_t *runf_step_times(void *handle);

/* The most descriptors runf_dispatch hands over: stdin, stdout, stderr and fd 3 (an OpenWhisk
 * actionloop action writes its results there). */
#define RUNF_DISPATCH_MAX_FDS 4

/* For a plan with an AWAIT op, once the child has reported ready: hands it count descriptors
 * (3 or RUNF_DISPATCH_MAX_FDS), installed as its fds 0 to count-1 (they are copied, the caller
 * keeps and closes its own), and the command of exec_plan (a plan whose last op is EXEC; its
 * flags are ignored), which must stay valid until error_fd reports. Once per child. Returns 0 or
 * -errno (EPIPE: the child is gone; EINVAL: a bad count). */
int runf_dispatch(void *handle, const uint8_t *exec_plan, uint32_t length, const int *fds, int count);

/* For a plan with a TERMINAL op, once error_fd has reported EOF: the terminal's master, which
 * the child sent before it executed its command (close-on-exec, the caller's to close). Returns
 * the descriptor or -errno (EAGAIN: none was sent). */
int runf_receive_fd(void *handle);

/* Frees what runf_spawn allocated. Call once the child has executed its command or exited. */
void runf_release(void *handle);

#endif
