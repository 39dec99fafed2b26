/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every JSON body of the daemon's API, through the function the daemon
 * calls for it (route, admission, body, handler), with an admin key, on a
 * real store. The first byte picks the route (of those taking a body);
 * then a line is its {id}; the rest is the body. Any body is answered, and
 * the answer can be written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const route *with_body[128];
static size_t n_body;
static char auth[256];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    server *srv = fuzz_server();
    for (size_t i = 0; i < srv->n_routes && n_body < 128; i++) {
        const route *r = &srv->routes[i];
        if (strcmp(r->method, "GET") != 0 &&
            !(r->flags & (F_STREAM | F_RAWBODY | F_PUBLIC)))
            with_body[n_body++] = r;
    }
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", fuzz_admin_key());
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || !n_body)
        return 0;
    const route *r = with_body[data[0] % n_body];
    const char *rest = (const char *)data + 1;
    size_t left = size - 1;
    const char *nl = memchr(rest, '\n', left);
    char id[48] = "x";
    if (nl) {
        size_t n = (size_t)(nl - rest);
        if (n > 0 && n < sizeof(id) && !memchr(rest, '/', n) &&
            !memchr(rest, '?', n) && !memchr(rest, '\0', n)) {
            memcpy(id, rest, n);
            id[n] = '\0';
        }
        left -= n + 1;
        rest = nl + 1;
    }
    char path[256];
    size_t o = 0;
    for (const char *p = r->path; *p && o < sizeof(path) - 50;) {
        if (*p == '{') {
            o += (size_t)snprintf(path + o, sizeof(path) - o, "%s", id);
            p = strchr(p, '}') + 1;
        } else {
            path[o++] = *p++;
        }
    }
    path[o] = '\0';
    char headers[512];
    snprintf(headers, sizeof(headers), "%s\nContent-Type: application/json",
             auth);
    fuzz_call(fuzz_server(), r->method, path, headers, rest, left);
    return 0;
}
