/* The LANDLOCK op: a Landlock domain for the container (network rules and scopes only; no
 * filesystem rules, which the read-only mounts already make). */
#ifndef RUNF_LANDLOCK_H
#define RUNF_LANDLOCK_H

#include <stdint.h>

/* Restricts the calling process: handled_net and scoped as the kernel's struct
 * landlock_ruleset_attr takes them, and the TCP ports that stay bindable. Raw syscalls only;
 * returns 0 or -errno. */
long runf_landlock(uint64_t handled_net, uint64_t scoped, const uint8_t *ports, uint64_t port_count);

#endif
