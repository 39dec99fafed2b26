/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Traffic data: communication detail records of the platform. End users'
 * identifiers (destination, IMSI, IMEI) are sealed and blind-indexed under
 * a key per day of communication (the epoch), destroyed when that day's
 * period ends; the customer's part (sender, time, type, duration, routing,
 * price) is kept in clear in a table per month for its 10 years.
 */
#ifndef STEWARD_TRAFFIC_H
#define STEWARD_TRAFFIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "steward/clock.h"
#include "steward/diag.h"
#include "steward/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sw_ingest_options {
    bool skip_bad;     /* skip bad lines instead of refusing the whole input */
    size_t max_errors; /* diagnostics kept; 0: 100 */
    /* Called every 100 000 lines read (may be NULL): for a progress bar. */
    void (*progress)(size_t lines, void *ctx);
    void *progress_ctx;
} sw_ingest_options;

typedef struct sw_ingest_result {
    size_t lines;    /* lines read (header and blank lines excluded) */
    size_t stored;   /* detail records stored */
    size_t bad;      /* lines refused */
    size_t stripped; /* stored without identifiers: their period was over */
    bool csv;        /* the format detected */
} sw_ingest_result;

/*
 * Ingests detail records from f: NDJSON (one object per line) or CSV with a
 * header line, detected from the first character. Fields: id, account,
 * channel, time, sender, destination (MSISDN or e-mail), country, imsi,
 * imei, duration, operator, route, price, currency. Bad lines are reported
 * in diags as "<name>:<line>: ..." and, unless o->skip_bad, nothing is
 * stored (SW_ERR_INVALID). Reads line by line: memory does not grow with
 * the input. Everything is one transaction.
 */
sw_status sw_traffic_ingest(sw_store *s, FILE *f, const char *name,
                            const sw_ingest_options *o, sw_diags *diags,
                            sw_ingest_result *out);

typedef struct sw_traffic_row {
    char id[96];
    char account[96];
    char channel[32];
    sw_instant at;
    char sender[96];
    char destination[320]; /* decrypted; "" when stripped */
    char country[4];
    char imsi[24];
    char imei[24];
    long duration;
    char operator_[64];
    char route[64];
    char price[32];
    char currency[8];
    bool identifiers; /* false: the period is over, identifiers gone */
} sw_traffic_row;

/*
 * Every record of one person (type "msisdn" or "email") across every live
 * day: one blind-index probe per live day key. Audited as a disclosure.
 * cb gets rows oldest first; return non-zero to stop.
 */
sw_status sw_traffic_find(sw_store *s, const char *type, const char *value,
                          int (*cb)(const sw_traffic_row *r, void *ctx),
                          void *ctx, size_t *found);

/* A customer's documented instruction about one end user (the operator
 * processes traffic on the customer's behalf: notice section 2). */
typedef struct sw_instruction {
    const char *account;     /* the customer whose records these are */
    const char *type;        /* "msisdn" (or "phone") or "email" */
    const char *value;       /* the end user's number or address */
    const char *instruction; /* the customer's reference for it; needed to
                                erase, kept in the audit trail */
} sw_instruction;

/*
 * The end user's records in that customer's traffic only (another
 * customer's rows are never decrypted), oldest first, as sw_traffic_find
 * gives them. Audited ("traffic.export") with the account and the
 * instruction.
 */
sw_status sw_traffic_export(sw_store *s, const sw_instruction *in,
                            int (*cb)(const sw_traffic_row *r, void *ctx),
                            void *ctx, size_t *found);

typedef struct sw_traffic_erased {
    size_t erased;    /* records whose identifiers are gone */
    size_t kept_held; /* records a legal hold keeps (their identifiers
                         stay until it is released) */
} sw_traffic_erased;

/*
 * Erases the end user's identifiers (destination, IMSI, IMEI) in that
 * customer's records only, on its instruction (in->instruction needed);
 * the customer's own part of each record (time, type, duration, routing,
 * price) stays for its billing. Rows a hold keeps are left and counted.
 * One transaction, audited ("traffic.erase") with the instruction.
 */
sw_status sw_traffic_erase(sw_store *s, const sw_instruction *in,
                           sw_traffic_erased *out);

/*
 * Brings every live month's index of destinations into this handle's
 * memory (the store file is memory-mapped per handle): the first look-ups
 * of a fresh handle otherwise fault in a page per probed day. A service
 * calls it once per handle before taking look-ups; reads only. *months:
 * how many months it read (NULL allowed).
 */
sw_status sw_traffic_warm(sw_store *s, size_t *months);

/* Bill status of an account for a month ("YYYY-MM"): unpaid, disputed,
 * settled or closed. Unpaid and disputed bills keep that month's traffic
 * identifiers past their 12 months. Audited. */
sw_status sw_traffic_bill(sw_store *s, const char *account, const char *period,
                          const char *status);

#ifdef __cplusplus
}
#endif
#endif
