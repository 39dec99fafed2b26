/* SPDX-License-Identifier: Apache-2.0 */
/* The real stewardd for integration tests, and a small HTTP client. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testhttp.h"

int connect_from(const char *src, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in me = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &me.sin_addr);
    if (bind(fd, (struct sockaddr *)&me, sizeof(me)) != 0) {
        close(fd);
        return -1;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    socklen_t len = sizeof(sa);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    close(fd);
    return ntohs(sa.sin_port);
}

/* ---- a small HTTP/1.1 client: one request per connection ---- */

void resp_free(resp *r)
{
    free(r->head);
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof(*r));
}

int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        assert_true(w > 0);
        p += w;
        n -= (size_t)w;
    }
}

void read_resp(int fd, resp *r)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 65536 > cap) {
            cap = (len + 65536) * 2;
            buf = realloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    assert_non_null(buf);
    buf[len] = '\0';
    memset(r, 0, sizeof(*r));
    assert_true(sscanf(buf, "HTTP/1.%*d %d", &r->status) == 1);
    char *end = strstr(buf, "\r\n\r\n");
    assert_non_null(end);
    r->head = strndup(buf, (size_t)(end - buf));
    r->len = len - (size_t)(end + 4 - buf);
    r->body = malloc(r->len + 1);
    memcpy(r->body, end + 4, r->len);
    r->body[r->len] = '\0';
    free(buf);
    if (strstr(r->head, "Content-Type: application/json"))
        r->json = json_loadb(r->body, r->len, 0, NULL);
}

/* method path [key] [content type] [body] */
void http(int port, const char *method, const char *path, const char *key,
          const char *ctype, const char *body, size_t blen, const char *extra,
          resp *r)
{
    int fd = connect_to(port);
    assert_true(fd >= 0);
    char head[4096];
    int n = snprintf(
        head, sizeof(head),
        "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        "%s%s%s%s%s%s",
        method, path, key ? "Authorization: Bearer " : "", key ? key : "",
        key ? "\r\n" : "", ctype ? "Content-Type: " : "", ctype ? ctype : "",
        ctype ? "\r\n" : "");
    if (body)
        n += snprintf(head + n, sizeof(head) - (size_t)n,
                      "Content-Length: %zu\r\n", blen);
    n += snprintf(head + n, sizeof(head) - (size_t)n, "%s\r\n",
                  extra ? extra : "");
    send_all(fd, head, (size_t)n);
    if (body)
        send_all(fd, body, blen);
    read_resp(fd, r);
}

void http_json(int port, const char *method, const char *path, const char *key,
               json_t *body, resp *r)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    http(port, method, path, key, body ? "application/json" : NULL, text,
         text ? strlen(text) : 0, NULL, r);
    free(text);
    json_decref(body);
}

/* ---- the daemon ---- */

void daemon_start(daemon_t *d)
{
    memset(d, 0, sizeof(*d));
    d->dir = tu_tmpdir();
    tu_db(d->dir, d->store, sizeof(d->store));
    tu_path(d->dir, "daemon.log", d->log, sizeof(d->log));
    tu_path(d->dir, "outbox.ndjson", d->outbox, sizeof(d->outbox));
    tu_run r;
    tu_steward(&r, NULL, "init", "--store", d->store, NULL);
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    d->port = free_port();
}

void daemon_run(daemon_t *d, const char *const *args)
{
    char listen[64];
    snprintf(listen, sizeof(listen), "127.0.0.1:%d", d->port);
    const char *argv[32] = {DAEMON,
                            "--store",
                            d->store,
                            "--listen",
                            listen,
                            "--outbox",
                            d->outbox,
                            "--sweep-every",
                            "0",
                            "--web",
                            STEWARD_SOURCE_DIR "/web"};
    int argc = 11;
    for (size_t i = 0; args && args[i] && argc < 31; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    fflush(NULL);
    d->pid = fork();
    assert_true(d->pid >= 0);
    if (d->pid == 0) {
        /* dies with the test, even when an assertion ends it early */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        dup2(fd, 2);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 0);
        unsetenv("STEWARD_NOW");
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) { /* up to 5 s */
        int fd = connect_to(d->port);
        if (fd >= 0) {
            close(fd);
            return;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fail_msg("stewardd did not start: see %s", d->log);
}

int daemon_stop(daemon_t *d)
{
    if (d->pid <= 0)
        return -1;
    kill(d->pid, SIGTERM);
    int st;
    assert_true(waitpid(d->pid, &st, 0) == d->pid);
    d->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void daemon_free(daemon_t *d)
{
    if (d->pid > 0)
        daemon_stop(d);
    tu_db_drop(d->store);
    tu_rmtree(d->dir);
    free(d->dir);
}

/* A key of a role: its text into out, its id into id (may be NULL). */
void make_key_id(daemon_t *d, const char *role, char *out, size_t n, char *id)
{
    tu_run r;
    tu_steward(&r, NULL, "key", "create", "--role", role, "--json", "--store",
               d->store, NULL);
    assert_int_equal(r.status, 0);
    json_t *o = json_loads(r.out, 0, NULL);
    assert_non_null(o);
    snprintf(out, n, "%s", json_string_value(json_object_get(o, "key")));
    if (id)
        snprintf(id, SW_ID_BUFSZ, "%s",
                 json_string_value(json_object_get(o, "id")));
    json_decref(o);
    tu_run_free(&r);
}

void make_key(daemon_t *d, const char *role, char *out, size_t n)
{
    make_key_id(d, role, out, n, NULL);
}

void outbox_last_code(const daemon_t *d, char *code)
{
    char *box = tu_read_file(d->outbox, NULL);
    char *last = box, *nl;
    while ((nl = strchr(last, '\n')) && nl[1])
        last = nl + 1;
    const char *p = strstr(last, " is ");
    if (!p || strspn(p + 4, "0123456789") != 6)
        fail_msg("no code in the outbox's last message: %s", last);
    snprintf(code, 8, "%.6s", p + 4);
    free(box);
}
