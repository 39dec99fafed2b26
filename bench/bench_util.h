/* SPDX-License-Identifier: Apache-2.0 */
/* What every benchmark needs: a monotonic clock and sorting latencies. */
#ifndef STEWARD_BENCH_UTIL_H
#define STEWARD_BENCH_UTIL_H

#include <time.h>

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#endif
