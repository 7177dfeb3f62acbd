/* Landlock for the cloned child, with raw system calls (it shares the parent's memory: no libc).
 * The layouts are the kernel's (include/uapi/linux/landlock.h), spelled out here because
 * Debian 12's headers predate the network rules (ABI 4) and scopes (ABI 6). */
#include <stddef.h>

#include "landlock.h"
#include "rawsys.h"

#ifndef SYS_landlock_create_ruleset /* the same numbers on x86_64 and aarch64 */
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif

#define LANDLOCK_RULE_NET_PORT 2
#define LANDLOCK_ACCESS_NET_BIND_TCP 1ull

struct ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net; /* ABI 4 */
    uint64_t scoped;             /* ABI 6 */
};

struct net_port_attr {
    uint64_t allowed_access;
    uint64_t port;
} __attribute__((packed));

long runf_landlock(uint64_t handled_net, uint64_t scoped, const uint8_t *ports, uint64_t port_count)
{
    /* An older kernel takes the larger struct as long as the fields it does not know are zero:
     * the plan only sets what this kernel's ABI has. */
    struct ruleset_attr attr = {0, handled_net, scoped};
    long fd = SYS3(SYS_landlock_create_ruleset, &attr, sizeof attr, 0), r = 0;
    if (fd < 0)
        return fd;
    for (uint64_t i = 0; i < port_count && r == 0; i++) {
        struct net_port_attr rule = {LANDLOCK_ACCESS_NET_BIND_TCP, (uint64_t)ports[2 * i] | (uint64_t)ports[2 * i + 1] << 8};
        r = SYS4(SYS_landlock_add_rule, fd, LANDLOCK_RULE_NET_PORT, &rule, 0);
    }
    if (r == 0)
        r = SYS2(SYS_landlock_restrict_self, fd, 0);
    SYS1(SYS_close, fd);
    return r;
}
