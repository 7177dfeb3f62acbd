/* The setup plan's binary layout, shared with src/RunF.Runtime/Plan/PlanSerializer.cs.
 *
 * A plan is one buffer: a header, an array of fixed-size ops, then the string area. Strings are
 * referenced by byte offsets into the buffer (0 = none) and are NUL-terminated. A string list is
 * a u32 count followed by that many u32 string offsets. Everything is little-endian and aligned
 * to 8 bytes, so the launcher reads it in place without copying or allocating. */
#ifndef RUNF_PLAN_H
#define RUNF_PLAN_H

#include <stddef.h>
#include <stdint.h>

#define RUNF_PLAN_MAGIC 0x464e5552u /* "RUNF" */
#define RUNF_PLAN_VERSION 1u

/* header.flags */
#define RUNF_PLAN_TIMING 1u   /* record a CLOCK_MONOTONIC timestamp after every step */
#define RUNF_PLAN_DETACHED 2u /* no parent-death signal: an OCI container outlives the runf that
                               * created it (the engine's subreaper reaps it) */

struct runf_plan_header {
    uint32_t magic;
    uint32_t version;
    uint32_t flags;
    uint32_t op_count;
    uint32_t ops_offset;
    uint32_t length;
};

/* What each op does and which fields it reads. Paths marked "in root" are resolved beneath
 * the container's root directory with openat2(RESOLVE_IN_ROOT): they never escape it. */
enum runf_op_kind {
    RUNF_OP_MOUNT = 1,       /* s0 source, s1 target, s2 fstype, s3 data, n0 mount flags */
    RUNF_OP_ENTER_ROOT = 2,  /* s0 absolute host path: becomes the root for "in root" paths */
    RUNF_OP_ENSURE_DIR = 3,  /* s0 parent in root, s1 name, n0 mode: mkdir unless it exists */
    RUNF_OP_ENSURE_FILE = 4, /* s0 parent in root, s1 name, n0 mode: create unless it exists */
    RUNF_OP_SYMLINK = 5,     /* s0 parent in root, s1 name, s2 link content */
    RUNF_OP_MOUNT_ATTR = 6,  /* s0 mount point in root, n0 MOUNT_ATTR_* flags to set, n1 to clear */
    RUNF_OP_PIVOT_ROOT = 7,  /* pivot_root(".", ".") in the root, then detach the old root */
    RUNF_OP_HOSTNAME = 8,    /* s0 hostname */
    RUNF_OP_RLIMIT = 9,      /* n0 resource, n1 soft, n2 hard */
    RUNF_OP_CAPS = 10,       /* n0 mask of capabilities kept in the effective, permitted, inheritable
                              * and ambient sets, n1 last capability, n2 mask kept in the bounding set */
    RUNF_OP_NO_NEW_PRIVS = 11,
    RUNF_OP_CHDIR = 12,      /* s0 directory in root */
    RUNF_OP_CLOSE_FDS = 13,  /* mark every fd above 2 close-on-exec; n0 fallback fd limit */
    RUNF_OP_SECCOMP = 14,    /* s0 offset of a BPF program (struct sock_filter[]), n0 its length */
    RUNF_OP_EXEC = 15,       /* s0 argv list, s1 envp list, s2 list of candidate paths */
    RUNF_OP_NEW_SESSION = 16, /* setsid(): no controlling terminal, so no TIOCSTI into the executor's */
    RUNF_OP_AWAIT = 17,       /* a pre-warmed container stops here: it reports "ready" (step, 0) on
                               * the error pipe and waits for runf_dispatch() to send its stdio and
                               * the command that the EXEC op then runs */
    RUNF_OP_LANDLOCK = 18,    /* enter a Landlock domain (landlock.c): n0 handled network access
                               * (LANDLOCK_ACCESS_NET_*), n1 scopes (LANDLOCK_SCOPE_*), s0 offset of
                               * n2 little-endian u16 TCP ports that may still be bound */
    RUNF_OP_IDENTITY = 19,    /* become a user other than the mapped root: n0 uid, n1 gid, s0 offset
                               * of a u32 count then that many u32 supplementary gids; keeps the
                               * permitted capabilities (effective again) for the CAPS op after it */
    RUNF_OP_TERMINAL = 20,    /* s0 a devpts ptmx in root: a new pseudo-terminal becomes the controlling
                               * terminal (after NEW_SESSION) and stdin, stdout and stderr; its master
                               * goes to the parent over the launcher's socket (runf_receive_fd);
                               * n0 rows, n1 columns of its initial size (0 0: unset) */
    /* The OCI runtime's steps (src/RunF.Runtime/Oci): */
    RUNF_OP_OPEN_GATE = 21,   /* s0 absolute host path of a FIFO (the exec fifo), opened read-write
                               * and held for WAIT_GATE: opened before the pivot hides the host */
    RUNF_OP_WAIT_GATE = 22,   /* `runf create` stops here: reports "ready" (step, 0) on the error pipe,
                               * then blocks until `runf start` writes a byte into the gate */
    RUNF_OP_CAP_SETS = 23,    /* s0 offset of five u64 masks: bounding, effective, permitted,
                               * inheritable, ambient (an OCI config's sets, exactly); n0 last capability */
    RUNF_OP_NAMESPACE = 24,   /* n0 one CLONE_NEW* flag: setns into the namespace file s0 (a host
                               * path), or with s0 none unshare it (the cgroup namespace, entered
                               * once the parent has moved the child into its cgroup) */
    RUNF_OP_WRITE_FILE = 25,  /* s0 path in root, s1 content: a sysctl under /proc/sys */
};

/* op.flags */
#define RUNF_F_TARGET_IN_ROOT 1u  /* MOUNT: s1 is resolved in root */
#define RUNF_F_SOURCE_IN_ROOT 2u  /* MOUNT: s0 is resolved in root */
#define RUNF_F_OPTIONAL 4u        /* a missing path (ENOENT) skips the step */
#define RUNF_F_NO_SYMLINKS 8u     /* no symlink may appear while resolving (RESOLVE_NO_SYMLINKS) */
#define RUNF_F_SOURCE_DEVNULL 16u /* MOUNT: refuse unless the source is the char device 1:3 */
#define RUNF_F_RECURSIVE 32u      /* MOUNT_ATTR: every submount too */
#define RUNF_F_VIA_INIT 128u      /* EXEC: PID 1 is runf-init (init.c), which runs the command */

struct runf_op {
    uint32_t kind;
    uint32_t flags;
    uint32_t s[4];
    uint64_t n[3];
};

/* PlanSerializer.cs writes these sizes and offsets (HeaderSize, OpSize). */
_Static_assert(sizeof(struct runf_plan_header) == 24, "plan header is 24 bytes");
_Static_assert(sizeof(struct runf_op) == 48, "an op is 48 bytes");
_Static_assert(offsetof(struct runf_op, s) == 8 && offsetof(struct runf_op, n) == 24, "op field offsets");

/* Written to the error pipe when a step fails; the pipe closes without data on execve. */
struct runf_step_error {
    uint32_t step;
    int32_t err;
};

#endif
