/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the test programs: running the real CLI, reading files,
 * parsing instants. */
#ifndef STEWARD_TESTUTIL_H
#define STEWARD_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "steward/steward.h"

/* What a finished command printed and how it ended. */
typedef struct tu_run {
    int status; /* exit code, or 128 + signal */
    char *out;  /* stdout, NUL-terminated (free with tu_run_free) */
    char *err;  /* stderr */
} tu_run;

/*
 * Runs the steward CLI with the given arguments (NULL-terminated) and
 * optional "NAME=value" environment additions (NULL-terminated, may be
 * NULL). STEWARD_POLICY and STEWARD_NOW are cleared first so the caller
 * chooses them. Fails the test if the process cannot be started.
 */
void tu_steward(tu_run *r, const char *const *env, ...);
void tu_run_free(tu_run *r);

/* The whole file, NUL-terminated (free()); fails the test when unreadable. */
char *tu_read_file(const char *path, size_t *len);
/* A path under the source tree (static buffer per call site: copy it). */
const char *tu_src(const char *rel, char *buf, size_t n);
/* Parses an instant or fails the test. */
sw_instant tu_instant(const char *iso);
/* Loads the bundled policy or fails the test. */
sw_policy *tu_bundled(void);

#endif
