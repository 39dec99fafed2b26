/* SPDX-License-Identifier: Apache-2.0 */
/* The outbox's e-mail through an SMTP relay (libcurl): messages wait in a
 * bounded queue in memory and a thread of their own hands each to the
 * relay, trying again with a doubling wait when the relay is away or
 * answers a temporary failure (4xx); a permanent refusal (5xx) or the last
 * attempt ends it. The log says what happened to a message, never to
 * whom or what it said; a delivered message is wiped from memory. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stewardd.h"

#define MAIL_QUEUE 1024

typedef struct mail_item {
    char to[SW_IDENT_MAX];
    char subject[128];
    char body[1200];
    unsigned attempts;
    double next_at; /* mono() */
} mail_item;

typedef struct mailer mailer;

struct mailer {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    bool running, stopping;
    mail_item *q; /* a ring */
    size_t head, n;
    char from[SW_IDENT_MAX];
};

/* No line break in what becomes a header: a header cannot be injected. */
static bool header_safe(const char *s)
{
    return s && !strpbrk(s, "\r\n");
}

typedef struct payload {
    const char *data;
    size_t len, off;
} payload;

static size_t read_payload(char *buf, size_t size, size_t n, void *p)
{
    payload *pl = p;
    size_t room = size * n, left = pl->len - pl->off;
    size_t k = left < room ? left : room;
    memcpy(buf, pl->data + pl->off, k);
    pl->off += k;
    return k;
}

/* The message as RFC 5322 text (CRLF lines; libcurl escapes leading
 * dots). NULL when it does not fit. */
static char *message_text(server *srv, const mail_item *m, const char *from)
{
    char date[64];
    time_t now = (time_t)srv_now(srv);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
    uint8_t raw[12];
    char id[25];
    randombytes_buf(raw, sizeof(raw));
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(id + 2 * i, 3, "%02x", raw[i]);
    size_t cap = sizeof(m->body) * 2 + 1024;
    char *text = malloc(cap);
    if (!text)
        return NULL;
    int k = snprintf(text, cap,
                     "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
                     "Message-ID: <%s@stewardd>\r\nMIME-Version: 1.0\r\n"
                     "Content-Type: text/plain; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: 8bit\r\n\r\n",
                     date, from, m->to, m->subject, id);
    for (const char *b = m->body; k > 0 && (size_t)k < cap - 3 && *b; b++) {
        if (*b == '\n' && (b == m->body || b[-1] != '\r'))
            text[k++] = '\r';
        text[k++] = *b;
    }
    if (k <= 0 || (size_t)k >= cap - 3) {
        free(text);
        return NULL;
    }
    memcpy(text + k, "\r\n", 3);
    return text;
}

/* One attempt: 0 sent, 1 try again later, -1 refused for good. *why
 * (n bytes) says what went wrong. */
static int send_one(server *srv, const mail_item *m, const char *from,
                    char *why, size_t n)
{
    char *text = message_text(srv, m, from);
    if (!text) {
        snprintf(why, n, "message too long");
        return -1;
    }
    CURL *h = curl_easy_init();
    if (!h) {
        free(text);
        snprintf(why, n, "libcurl could not start");
        return 1;
    }
    char rcpt_to[SW_IDENT_MAX + 2], mail_from[SW_IDENT_MAX + 2];
    snprintf(rcpt_to, sizeof(rcpt_to), "<%s>", m->to);
    snprintf(mail_from, sizeof(mail_from), "<%s>", from);
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_to);
    payload pl = {text, strlen(text), 0};
    const char *url = srv->o.smtp_url;
    bool loopback = strncmp(url, "smtp://127.0.0.1", 16) == 0 ||
                    strncmp(url, "smtp://localhost", 16) == 0 ||
                    strncmp(url, "smtp://[::1]", 12) == 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_payload);
    curl_easy_setopt(h, CURLOPT_READDATA, &pl);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    /* smtps:// is TLS from the start; a relay elsewhere than this machine
     * must offer STARTTLS: no message crosses a network in clear */
    curl_easy_setopt(h, CURLOPT_USE_SSL,
                     loopback ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
    const char *user = getenv("STEWARD_SMTP_USER"),
               *pass = getenv("STEWARD_SMTP_PASSWORD");
    if (user && pass) {
        curl_easy_setopt(h, CURLOPT_USERNAME, user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, pass);
    }
    CURLcode rc = curl_easy_perform(h);
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(h);
    explicit_bzero(text, pl.len);
    free(text);
    if (rc == CURLE_OK)
        return 0;
    snprintf(why, n, "%s (relay answered %ld)", curl_easy_strerror(rc), code);
    return code >= 500 && code < 600 ? -1 : 1;
}

static void log_mail(const char *result, unsigned attempt, const char *why)
{
    json_t *o = json_pack("{s:s, s:s, s:i}", "event", "mail", "result", result,
                          "attempt", (int)attempt);
    if (why)
        json_object_set_new(o, "error", json_string(why));
    log_line(o);
}

/* The item due first, or NULL; *wait: seconds until it is. */
static mail_item *due_first(mailer *m, double now, double *wait)
{
    mail_item *best = NULL;
    for (size_t i = 0; i < m->n; i++) {
        mail_item *it = &m->q[(m->head + i) % MAIL_QUEUE];
        if (!best || it->next_at < best->next_at)
            best = it;
    }
    *wait = best ? best->next_at - now : 3600;
    return best;
}

static void drop(mailer *m, mail_item *it)
{
    /* the ring keeps its order: move the head's item into the hole */
    mail_item *head = &m->q[m->head];
    if (it != head)
        *it = *head;
    explicit_bzero(head, sizeof(*head));
    m->head = (m->head + 1) % MAIL_QUEUE;
    m->n--;
}

static void *mail_thread(void *p)
{
    server *srv = p;
    mailer *m = srv->mail;
    pthread_mutex_lock(&m->mu);
    for (;;) {
        double wait;
        mail_item *it = due_first(m, mono(), &wait);
        if (!it && m->stopping)
            break;
        if (!it || (wait > 0 && !m->stopping)) {
            struct timespec ts = mono_deadline(mono() + (wait > 0 ? wait : 0));
            pthread_cond_timedwait(&m->cv, &m->mu, &ts);
            continue;
        }
        mail_item work = *it;
        pthread_mutex_unlock(&m->mu);
        char why[256] = "";
        int r = send_one(srv, &work, m->from, why, sizeof(why));
        work.attempts++;
        pthread_mutex_lock(&m->mu);
        /* it is still there: only this thread removes items */
        bool last =
            r != 1 || work.attempts >= srv->o.smtp_attempts || m->stopping;
        if (r == 0)
            log_mail("sent", work.attempts, NULL);
        else
            log_mail(last ? "failed" : "retry", work.attempts, why);
        if (last) {
            drop(m, it);
        } else {
            it->attempts = work.attempts;
            it->next_at = mono() + srv->o.smtp_retry_s *
                                       (double)(1u << (work.attempts - 1));
        }
        explicit_bzero(&work, sizeof(work));
    }
    pthread_mutex_unlock(&m->mu);
    return NULL;
}

int mailer_start(server *srv, char *err, size_t n)
{
    if (!srv->o.smtp_url)
        return 0;
    if (strncmp(srv->o.smtp_url, "smtp://", 7) != 0 &&
        strncmp(srv->o.smtp_url, "smtps://", 8) != 0) {
        snprintf(err, n,
                 "--smtp %s: expected smtp://HOST[:PORT] or "
                 "smtps://HOST[:PORT]",
                 srv->o.smtp_url);
        return -1;
    }
    if (!srv->o.mail_from || !header_safe(srv->o.mail_from) ||
        !strchr(srv->o.mail_from, '@')) {
        snprintf(err, n, "--smtp needs --mail-from ADDRESS (the sender)");
        return -1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, n, "libcurl could not start");
        return -1;
    }
    mailer *m = calloc(1, sizeof(*m));
    if (m)
        m->q = calloc(MAIL_QUEUE, sizeof(mail_item));
    if (!m || !m->q) {
        if (m)
            free(m);
        curl_global_cleanup();
        snprintf(err, n, "out of memory");
        return -1;
    }
    snprintf(m->from, sizeof(m->from), "%s", srv->o.mail_from);
    pthread_mutex_init(&m->mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&m->cv, &attr);
    pthread_condattr_destroy(&attr);
    srv->mail = m;
    if (pthread_create(&m->th, NULL, mail_thread, srv) != 0) {
        srv->mail = NULL;
        free(m->q);
        free(m);
        curl_global_cleanup();
        snprintf(err, n, "cannot start the mail thread");
        return -1;
    }
    m->running = true;
    return 0;
}

int mailer_queue(server *srv, const char *to, const char *subject,
                 const char *body)
{
    mailer *m = srv->mail;
    if (!header_safe(to) || !header_safe(subject) ||
        strlen(to) >= SW_IDENT_MAX ||
        strlen(subject) >= sizeof(m->q->subject) ||
        strlen(body) >= sizeof(m->q->body))
        return -1;
    pthread_mutex_lock(&m->mu);
    int rc = -1;
    if (m->n < MAIL_QUEUE && !m->stopping) {
        mail_item *it = &m->q[(m->head + m->n) % MAIL_QUEUE];
        snprintf(it->to, sizeof(it->to), "%s", to);
        snprintf(it->subject, sizeof(it->subject), "%s", subject);
        snprintf(it->body, sizeof(it->body), "%s", body);
        it->attempts = 0;
        it->next_at = mono();
        m->n++;
        rc = 0;
        pthread_cond_signal(&m->cv);
    }
    pthread_mutex_unlock(&m->mu);
    return rc;
}

void mailer_stop(server *srv)
{
    mailer *m = srv->mail;
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->stopping = true; /* what waits gets one last attempt */
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    if (m->running)
        pthread_join(m->th, NULL);
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    explicit_bzero(m->q, MAIL_QUEUE * sizeof(mail_item));
    free(m->q);
    free(m);
    srv->mail = NULL;
    curl_global_cleanup();
}
