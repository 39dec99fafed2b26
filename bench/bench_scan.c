/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The scanner's throughput (bench/bench_scan.sh compares it with ripgrep
 * over the same file): a text of SIZE MiB of survey answers and tickets,
 * about 2 % of its bytes personal data of every type (the rest prose with
 * order numbers, dates, times and versions), scanned in one streaming
 * pass of 1 MiB chunks on one thread, every candidate validated.
 *   bench_scan FILE SIZE_MIB    (writes FILE when it is not that size)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "steward/scan.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char *const prose[] = {
    "The app works well most of the time, but the last update made the "
    "message list slow to open. ",
    "Order 482913 arrived on 2024-03-12 at 14:30, two days late, version "
    "4.19.2 of the app. ",
    "Support answered quickly and the problem with the delivery reports was "
    "solved the same day. ",
    "Cijene su u redu, ali bih volio bolji pregled potrošnje po mjesecu i "
    "po kampanji. ",
    "We send about 12000 messages a week; the dashboard shows 99.7% "
    "delivered, which is fine. ",
};

static const char *const pii[] = {
    "ana.kovacevic@example.hr",
    "+385 91 234 5678",
    "HR1210010051863000160",
    "4111 1111 1111 1111",
    "192.168.10.20",
    "2001:db8::8a2e:370:7334",
    "35-209900-176148-1",
    "00:1A:2B:3C:4D:5E",
    "AB 12 34 56 C",
    "69435151530",
    "123-45-6789",
    "+44 20 7946 0018",
    "(415) 555-0132",
    "my name is Marko Horvat",
    "born on 12.03.1985",
};

static int make_file(const char *path, size_t bytes)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    size_t n = 0, i = 0, k = 0, pii_bytes = 0;
    while (n < bytes) {
        const char *s;
        if (pii_bytes * 50 < n) { /* about one byte in fifty */
            s = pii[k++ % (sizeof(pii) / sizeof(pii[0]))];
            pii_bytes += strlen(s);
            n += (size_t)fprintf(f, "Contact: %s. ", s);
        } else {
            s = prose[i % (sizeof(prose) / sizeof(prose[0]))];
            n += (size_t)fprintf(f, "%s%s", s, i % 7 == 0 ? "\n" : "");
        }
        i++;
    }
    fprintf(stderr, "bench_scan: wrote %s: %zu bytes, %.1f%% personal data\n",
            path, n, 100.0 * (double)pii_bytes / (double)n);
    return fclose(f) != 0;
}

static int count(const sw_finding *f, const char *v, void *ctx)
{
    (void)f;
    (void)v;
    (*(size_t *)ctx)++;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_scan FILE SIZE_MIB\n");
        return 2;
    }
    size_t bytes = (size_t)atol(argv[2]) << 20;
    struct stat sb;
    if ((stat(argv[1], &sb) != 0 || (size_t)sb.st_size < bytes) &&
        make_file(argv[1], bytes) != 0) {
        fprintf(stderr, "bench_scan: cannot write %s\n", argv[1]);
        return 1;
    }
    /* mapped and fed in chunks of 1 MiB, as steward scan reads a file */
    int fd = open(argv[1], O_RDONLY);
    sw_scan *sc;
    char why[200];
    if (fd < 0 || fstat(fd, &sb) != 0 ||
        sw_scan_new(0, &sc, why, sizeof(why)) != SW_OK) {
        fprintf(stderr, "bench_scan: cannot start\n");
        return 1;
    }
    size_t total = (size_t)sb.st_size, found = 0, sum = 0;
    const char *map = mmap(NULL, total, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        fprintf(stderr, "bench_scan: cannot map %s\n", argv[1]);
        return 1;
    }
    madvise((void *)map, total, MADV_SEQUENTIAL);
    /* the page cache warm for both: one read first */
    for (size_t i = 0; i < total; i += 4096)
        sum += (unsigned char)map[i];
    sw_scan_stream *st;
    sw_scan_open(sc, count, &found, &st);
    double t0 = now_s();
    for (size_t off = 0; off < total; off += 1u << 20) {
        size_t n = total - off < (1u << 20) ? total - off : (1u << 20);
        if (sw_scan_feed(st, map + off, n) != SW_OK)
            return 1;
    }
    sw_scan_close(st);
    double t1 = now_s();
    volatile size_t sink = sum; /* the warming read is kept */
    (void)sink;
    printf("%.3f %zu %zu\n", t1 - t0, total, found);
    munmap((void *)map, total);
    close(fd);
    sw_scan_free(sc);
    return 0;
}
