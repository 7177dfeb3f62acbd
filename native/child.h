/* What the parent hands the cloned child: everything is prepared before the clone. */
#ifndef RUNF_CHILD_H
#define RUNF_CHILD_H

#include <stdint.h>

#include "plan.h"

/* "FD:STEP" as two decimal numbers and a NUL. */
#define RUNF_INIT_REPORT_SIZE 24

struct runf_child_args {
    const uint8_t *plan;
    int sync_fd;        /* read end: one byte once the id maps are written */
    int sync_write_fd;  /* the parent's ends, closed in the child */
    int error_read_fd;
    int error_fd;       /* write end, close-on-exec: (step, errno) or EOF on execve */
    int request_fd;     /* with an AWAIT or TERMINAL op: the child's end of the launcher's socket
                         * (the dispatch arrives on it, the terminal's master leaves on it), else -1 */
    int request_peer_fd; /* the parent's end, closed in the child */
    char *const *argv;  /* the EXEC op's lists as pointer arrays, NULL-terminated; AWAIT gets new ones */
    char *const *envp;
    char *const *paths;
    int init_fd;        /* with RUNF_F_VIA_INIT: a sealed memfd holding runf-init, else -1 */
    char **init_argv;   /* "runf-init", init_report and the chosen path (both filled in by the
                         * child), then argv */
    char *init_report;  /* RUNF_INIT_REPORT_SIZE bytes for "FD:STEP": where runf-init reports a
                         * failed exec of the command, as the EXEC step */
    uint64_t *times;    /* op_count + 1 timestamps when the plan asks for timing, else NULL */
};

int runf_child_main(void *arg);

#endif
