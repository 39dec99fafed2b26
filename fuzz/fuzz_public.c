/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The privacy centre's public routes end to end in-process, as a stranger
 * on the Internet reaches them (no key): the first byte picks the route;
 * the input then holds "ID-OR-QUERY\nHEADERS\n\nBODY" (a request number or
 * a query string, header lines such as "Cookie: ..." and "Sec-GPC: 1",
 * then the body).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    const char *method, *path; /* "%s": the number or the query */
} public_routes[] = {
    {"POST", "/privacy/api/requests"},
    {"POST", "/privacy/api/requests/%s/verify"},
    {"GET", "/privacy/api/requests/%s"},
    {"GET", "/privacy/api/preferences?%s"},
    {"POST", "/privacy/api/unsubscribe?%s"},
    {"POST", "/privacy/api/subscribe?%s"},
    {"POST", "/privacy/api/confirm?%s"},
    {"GET", "/privacy/api/cookies"},
    {"POST", "/privacy/api/cookies"},
    {"POST", "/privacy/unsubscribe?%s"},
    {"GET", "/healthz"},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_server();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = sizeof(public_routes) / sizeof(public_routes[0]);
    size_t k = data[0] % n;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    size_t len = size - 1;
    /* the first line, the header lines up to an empty one, the body */
    char *first = text, *heads = "", *body = text + len;
    char *nl = memchr(text, '\n', len);
    if (nl) {
        *nl = '\0';
        heads = nl + 1;
        char *end = strstr(heads, "\n\n");
        if (end) {
            *end = '\0';
            body = end + 2;
        } else {
            body = text + len;
        }
    }
    size_t blen = (size_t)(text + len - body);
    if (strchr(first, '/') && strstr(public_routes[k].path, "requests/%s"))
        first[strcspn(first, "/")] = '\0'; /* a number is one segment */
    char path[600];
    const char *tmpl = public_routes[k].path, *hole = strstr(tmpl, "%s");
    if (hole)
        snprintf(path, sizeof(path), "%.*s%s%s", (int)(hole - tmpl), tmpl,
                 first, hole + 2);
    else
        snprintf(path, sizeof(path), "%s", tmpl);
    char headers[1200];
    snprintf(headers, sizeof(headers), "%s%sContent-Type: application/json",
             heads, *heads ? "\n" : "");
    fuzz_call(fuzz_server(), public_routes[k].method, path, headers, body,
              blen);
    free(text);
    return 0;
}
