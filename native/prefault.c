/* Runs before the .NET runtime starts (a constructor of the runf binary). NativeAOT fills its
 * ".hydrated" area (1.3 MB of runf's .bss) at start-up, one page fault per 4 KiB page; asking
 * the kernel to populate the whole .bss in one call costs a fraction of those faults. */
#include <stdint.h>
#include <sys/mman.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels say EINVAL and nothing changes */
#endif

extern char __bss_start[], _end[];

__attribute__((constructor)) static void runf_prefault_bss(void)
{
    uintptr_t page = 4096, start = ((uintptr_t)__bss_start + page - 1) & ~(page - 1);
    uintptr_t end = ((uintptr_t)_end + page - 1) & ~(page - 1);
    if (end > start)
        madvise((void *)start, end - start, MADV_POPULATE_WRITE);
}
