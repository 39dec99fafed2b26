/* SPDX-License-Identifier: Apache-2.0 */
/* One NDJSON line's fields, by name, as text: the traffic ingest's
 * parser. simdjson (C++, ndjson_simd.cpp) reads the line; the few lines
 * it cannot judge as jansson would (an escape \u..., an integer past
 * INT64_MAX, simdjson's own refusal) go to jansson, so the outcome is
 * jansson's on every line (tests/unit/test_traffic.c compares them). */
#ifndef STEWARD_TRAFFIC_NDJSON_H
#define STEWARD_TRAFFIC_NDJSON_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * line (len bytes, no newline) must be one JSON object. For each of the
 * n names, out[i] is its value as text in buf (bufsz bytes): a string as
 * it is, an integer in decimal, a real as "%.6g"; NULL when the name is
 * absent or its value is of another type (the last of a repeated name
 * counts). false when the line is not an object, or the values do not
 * fit in buf. Thread-safe: each thread has its own parser.
 */
bool sw_ndjson_fields(const char *line, size_t len, const char *const *names,
                      int n, char *buf, size_t bufsz, const char **out);

/* The same with jansson alone: the reference the fast path must agree
 * with. */
bool sw_ndjson_fields_jansson(const char *line, size_t len,
                              const char *const *names, int n, char *buf,
                              size_t bufsz, const char **out);

#ifdef __cplusplus
}
#endif
#endif
