/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the scanner (src/scan): the patterns vectorscan compiles and
 * the validators that confirm what they find. A pattern reports where a
 * candidate ends; its validator looks back from there over the bytes
 * before it (a view of up to SCAN_VIEW bytes) and answers how long the
 * finding is (0: none) and what confirmed it.
 */
#ifndef STEWARD_SCAN_INT_H
#define STEWARD_SCAN_INT_H

#include <stddef.h>
#include <stdint.h>

#include <hs/hs.h>

#include "steward/scan.h"

/* The longest finding (an e-mail address may have 254 bytes) and the
 * bytes a validator may see before a candidate's end. */
#define SCAN_MAXLEN 256
#define SCAN_VIEW 320

/* Confirms a candidate ending at end (avail bytes readable before it):
 * the finding's length, its type (*type preset to the pattern's) and its
 * rule; 0 when nothing is confirmed. *trim (preset 0): bytes of the match
 * after the finding (what a pattern needed to see after it). */
typedef uint32_t (*scan_check)(const char *end, size_t avail, sw_pii_type *type,
                               const char **rule, uint32_t *trim);

/* A validator and the types it may answer (type: the one it presets). */
typedef struct scan_validator {
    sw_pii_type type;
    unsigned types;
    scan_check check;
} scan_validator;

#define SCAN_MAX_CHECKS 4

/* A pattern says where a candidate may end; each of its validators (up
 * to the first with no check) is asked about it. */
typedef struct scan_pattern {
    const char *re;
    unsigned flags; /* HS_FLAG_* beyond the defaults */
    scan_validator v[SCAN_MAX_CHECKS];
} scan_pattern;

/* The types a pattern's validators may answer. */
unsigned sw_scan_pattern_types(const scan_pattern *p);

/* The patterns, in id order; *n their count. */
const scan_pattern *sw_scan_patterns(size_t *n);

#define SCAN_MAX_PATTERNS 32

/* The patterns that may find one of types, compiled for platform (NULL:
 * this machine) into *db; why (n bytes) says what failed. */
sw_status sw_scan_compile(unsigned types, const hs_platform_info_t *platform,
                          hs_database_t **db, char *why, size_t n);

/* The database of every type, serialized at build time (dbgen.c). */
extern const unsigned char sw_scan_db_bytes[];
extern const size_t sw_scan_db_size;

/* The value of a finding in normal form (lower-case address, digits of a
 * number, letters and digits upper case), for the keyed hash; n bytes of
 * out, the length written. */
size_t sw_scan_normal(sw_pii_type t, const char *v, size_t len, char *out,
                      size_t n);

/* Where the stream's text is settled: every finding that starts before
 * it has been reported (the redactor writes the text up to it). */
uint64_t sw_scan_settled(const sw_scan_stream *st);

#endif
