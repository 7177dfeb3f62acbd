/* When runf's own code first ran, for --debug-timing (src/RunF.Runtime/Launch/TimingReport.cs). */
#ifndef RUNF_START_TIME_H
#define RUNF_START_TIME_H

#include <stdint.h>

/* CLOCK_MONOTONIC nanoseconds stamped by a constructor, before the .NET runtime initialises; 0
 * if it did not run. */
uint64_t runf_started_ns(void);

#endif
