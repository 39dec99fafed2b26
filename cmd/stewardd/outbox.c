/* SPDX-License-Identifier: Apache-2.0 */
/* The outbox: the messages stewardd sends people (verification codes,
 * confirmation and download links). One way in, two ways out, chosen by
 * configuration: e-mails go to an SMTP relay when --smtp names one
 * (mail.c), and everything else (text messages, or every message without
 * a relay) to a file of mode 0600, one JSON line each, that the platform
 * reads, kept while what the messages carry can still be used. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stewardd.h"

int outbox_send(server *srv, const char *channel, const char *to,
                const char *subject, const char *body)
{
    if (srv->mail && strcmp(channel, "email") == 0)
        return mailer_queue(srv, to, subject, body);
    if (!srv->o.outbox)
        return 0;
    char at[SW_INSTANT_BUFSZ];
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "at",
                          sw_instant_format(srv_now(srv), at), "channel",
                          channel, "to", to, "subject", subject, "body", body);
    char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!line)
        return -1;
    pthread_mutex_lock(&srv->out_mu);
    int fd =
        open(srv->o.outbox, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = -1;
    if (fd >= 0) {
        size_t n = strlen(line);
        line[n] = '\n';
        rc = write(fd, line, n + 1) == (ssize_t)(n + 1) ? 0 : -1;
        close(fd);
    }
    pthread_mutex_unlock(&srv->out_mu);
    free(line);
    return rc;
}

/* A message lives as long as the longest thing it can carry: a
 * confirmation link (the policy's consent.confirmation_valid) or an
 * answer's download link (requests.answer_download). */
static sw_duration message_life(const server *srv)
{
    sw_duration d = srv->policy->consent.confirmation_valid;
    sw_duration a = srv->policy->requests.answer_download;
    if (sw_duration_is_zero(d))
        d.days = 7;
    return sw_instant_add(0, a) > sw_instant_add(0, d) ? a : d;
}

/* Whether an outbox line is past its life at now; a line that cannot be
 * read is kept (nothing is lost on a line this code did not write). */
static bool line_past(const char *line, sw_duration life, sw_instant now)
{
    json_t *o = json_loads(line, 0, NULL);
    const char *at = o ? json_string_value(json_object_get(o, "at")) : NULL;
    sw_instant t;
    bool past = at && sw_instant_parse(at, &t) == SW_OK &&
                sw_instant_add(t, life) <= now;
    json_decref(o);
    return past;
}

int outbox_trim(server *srv, sw_instant now, size_t *removed)
{
    *removed = 0;
    if (!srv->o.outbox)
        return 0;
    sw_duration life = message_life(srv);
    char tmp[1100];
    snprintf(tmp, sizeof(tmp), "%s.trim", srv->o.outbox);
    pthread_mutex_lock(&srv->out_mu);
    FILE *in = fopen(srv->o.outbox, "r");
    if (!in) {
        pthread_mutex_unlock(&srv->out_mu);
        return 0; /* nothing sent yet */
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
    int rc = out ? 0 : -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (!rc && (n = getline(&line, &cap, in)) > 0) {
        if (line_past(line, life, now))
            (*removed)++;
        else if (fwrite(line, 1, (size_t)n, out) != (size_t)n)
            rc = -1;
    }
    free(line);
    fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    else if (!out && fd >= 0)
        close(fd);
    if (!rc && *removed)
        rc = rename(tmp, srv->o.outbox);
    else
        unlink(tmp);
    pthread_mutex_unlock(&srv->out_mu);
    if (rc)
        *removed = 0;
    return rc;
}
