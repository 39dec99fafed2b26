/* SPDX-License-Identifier: Apache-2.0 */
/* A stewardd in-process for the fuzzers: the same call path as the daemon
 * (route, admission, body, handler, reply) on a real SQLite store, with no
 * socket. */
#ifndef STEWARD_FUZZ_SERVER_H
#define STEWARD_FUZZ_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "stewardd.h"

/* The server (made once): a new store in a temp dir, the bundled policy,
 * a clock fixed at 2026-05-04, one handle, the outbox to /dev/null. */
server *fuzz_server(void);

/* An admin key's token for the server's store (made once). */
const char *fuzz_admin_key(void);

/* Runs one call: method, path (its query after '?'), headers as
 * "Name: value" lines, a body; from client 192.0.2.1. Returns the status. */
int fuzz_call(server *srv, const char *method, const char *path,
              const char *headers, const char *body, size_t len);

#endif
