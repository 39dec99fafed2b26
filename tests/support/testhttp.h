/* SPDX-License-Identifier: Apache-2.0 */
/* The real stewardd for integration tests: started on 127.0.0.1 with a
 * fresh store, and a small HTTP/1.1 client (one request per connection). */
#ifndef STEWARD_TESTHTTP_H
#define STEWARD_TESTHTTP_H

#include <jansson.h>
#include <sys/types.h>

#include "testutil.h"

#define DAEMON STEWARD_BUILD_DIR "/stewardd"

typedef struct daemon {
    char *dir;
    char store[512];
    char log[512];
    char outbox[512];
    pid_t pid;
    int port;
} daemon_t;

typedef struct resp {
    int status;
    char *head; /* the header lines */
    char *body;
    size_t len;
    json_t *json;
} resp;

/* A port free on 127.0.0.1 now. */
int free_port(void);
/* A connection to 127.0.0.1:port, or -1. */
int connect_to(int port);
/* The same from a source address of the loopback network (127.0.0.2...). */
int connect_from(const char *src, int port);
void send_all(int fd, const char *p, size_t n);
/* Reads the whole answer and closes fd. */
void read_resp(int fd, resp *r);
void resp_free(resp *r);
/* method path [key] [content type] [body] [extra header lines] */
void http(int port, const char *method, const char *path, const char *key,
          const char *ctype, const char *body, size_t blen, const char *extra,
          resp *r);
/* A JSON body (its reference taken) or none. */
void http_json(int port, const char *method, const char *path, const char *key,
               json_t *body, resp *r);

/* A new store in a temp dir and a free port. */
void daemon_start(daemon_t *d);
/* stewardd on it with these more arguments (NULL-terminated); returns once
 * it answers. */
void daemon_run(daemon_t *d, const char *const *args);
/* The six-digit code of the last message in the daemon's outbox (code:
 * 8 bytes); fails the test when there is none. */
void outbox_last_code(const daemon_t *d, char *code);
/* SIGTERM; its exit status. */
int daemon_stop(daemon_t *d);
void daemon_free(daemon_t *d);
/* A key of a role: its text into out, its id into id (may be NULL). */
void make_key_id(daemon_t *d, const char *role, char *out, size_t n, char *id);
void make_key(daemon_t *d, const char *role, char *out, size_t n);

#endif
