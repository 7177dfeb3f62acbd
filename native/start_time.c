/* A constructor runs after the kernel's exec and the dynamic loader, but before main() and so
 * before the NativeAOT runtime initialises: its stamp lets --debug-timing show what the runtime's
 * own start costs, which no managed clock can see. One vDSO call per start. */
#include <time.h>

#include "start_time.h"

static uint64_t started_ns;

__attribute__((constructor)) static void stamp_start(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
        started_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t runf_started_ns(void)
{
    return started_ns;
}
