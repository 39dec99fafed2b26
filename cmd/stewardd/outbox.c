/* SPDX-License-Identifier: Apache-2.0 */
/* The outbox: the messages stewardd would have the platform send to people
 * (verification codes, confirmation links), one JSON line each in a file
 * of mode 0600. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stewardd.h"

int outbox_send(server *srv, const char *channel, const char *to,
                const char *subject, const char *body)
{
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
