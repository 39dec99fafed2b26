/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Personal data in free text (docs/scan.md): one compiled vectorscan
 * database finds candidates of every type in a single streaming pass, and
 * each candidate is kept only when its validator confirms it (a checksum,
 * a numbering plan, the words around it). Redaction writes the text again
 * with each finding replaced.
 *
 * A scanner (sw_scan) is immutable once made and may be shared by
 * threads; a stream or a redactor belongs to one thread at a time.
 * Nothing here prints, and no message holds a scanned value.
 */
#ifndef STEWARD_SCAN_H
#define STEWARD_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steward/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sw_pii_type {
    SW_PII_EMAIL = 0,
    SW_PII_PHONE,
    SW_PII_IBAN,
    SW_PII_CARD,
    SW_PII_IPV4,
    SW_PII_IPV6,
    SW_PII_IMEI,
    SW_PII_IMSI,
    SW_PII_MAC,
    SW_PII_UK_NINO,
    SW_PII_HR_OIB,
    SW_PII_US_SSN,
    SW_PII_DE_TAX_ID,
    SW_PII_BIRTH_DATE,
    SW_PII_NAME,
    SW_PII_COUNT
} sw_pii_type;

/* Every type, as a set of bits (1u << type). */
#define SW_PII_ALL ((1u << SW_PII_COUNT) - 1u)

/* The type's name ("email", "phone", "iban", "card", "ipv4", "ipv6",
 * "imei", "imsi", "mac", "uk_nino", "hr_oib", "us_ssn", "de_tax_id",
 * "birth_date", "name"); sw_pii_parse is its inverse. */
const char *sw_pii_name(sw_pii_type t);
bool sw_pii_parse(const char *name, sw_pii_type *out);
/* A comma-separated list of names into a set of bits; false (and the
 * unknown name in bad, n bytes) when one is not a type. */
bool sw_pii_parse_list(const char *list, unsigned *types, char *bad, size_t n);

typedef struct sw_finding {
    uint64_t offset; /* bytes from the start of the stream */
    uint32_t length; /* bytes */
    sw_pii_type type;
    const char *rule; /* what confirmed it: "luhn", "mod97", "plan:HR"... */
} sw_finding;

typedef struct sw_scan sw_scan;

/* A scanner of the types in the set (0: every type). SW_ERR_INVALID
 * with why (n bytes) when vectorscan refuses the database. */
sw_status sw_scan_new(unsigned types, sw_scan **out, char *why, size_t n);
void sw_scan_free(sw_scan *sc);

/* Called for each finding, in the order of the text, never overlapping;
 * value: its bytes (f->length of them), valid for the call. A non-zero
 * return stops the stream (feed answers SW_ERR_IO, "stopped"). */
typedef int (*sw_finding_cb)(const sw_finding *f, const char *value, void *ctx);

typedef struct sw_scan_stream sw_scan_stream;

sw_status sw_scan_open(const sw_scan *sc, sw_finding_cb cb, void *ctx,
                       sw_scan_stream **out);
/* The next bytes of the text, in chunks of any size. */
sw_status sw_scan_feed(sw_scan_stream *st, const char *p, size_t n);
/* Ends the text: the last findings are reported; frees the stream. */
sw_status sw_scan_close(sw_scan_stream *st);
/* What went wrong in the last call that failed ("" when nothing). */
const char *sw_scan_errmsg(const sw_scan_stream *st);
/* Reports only the types in the set (0: all the scanner's), from the
 * next byte on: one scanner of every type serves any choice. */
void sw_scan_restrict(sw_scan_stream *st, unsigned types);
/* Bytes fed so far. */
uint64_t sw_scan_fed(const sw_scan_stream *st);

/* Counts by type as a JSON object ({"email": 2, ...}, the types with
 * none left out): a json_t * the caller owns, NULL when out of memory. */
void *sw_pii_counts_json(const size_t counts[SW_PII_COUNT]);

/* ---- redaction ---- */

typedef enum sw_redact_mode {
    SW_REDACT_TYPE = 0, /* "[email]" */
    SW_REDACT_MASK,     /* every letter and digit as '*', the rest kept */
    SW_REDACT_HASH,     /* "[email:" 16 hex digits "]": a keyed hash of
                           the value in normal form, the same value giving
                           the same pseudonym under the same key */
    SW_REDACT_DROP,     /* a line that holds a finding is left out whole */
} sw_redact_mode;

/* "type", "mask", "hash", "drop". */
const char *sw_redact_mode_name(sw_redact_mode m);
bool sw_redact_mode_parse(const char *name, sw_redact_mode *out);

/* Receives the redacted text in pieces; non-zero stops. */
typedef int (*sw_write_cb)(const char *p, size_t n, void *ctx);

typedef struct sw_redactor sw_redactor;

/* key: 32 bytes for SW_REDACT_HASH (NULL otherwise). */
sw_status sw_redact_open(const sw_scan *sc, sw_redact_mode mode,
                         const uint8_t *key, sw_write_cb out, void *ctx,
                         sw_redactor **r);
sw_status sw_redact_feed(sw_redactor *r, const char *p, size_t n);
/* Writes the rest, counts[type] += findings removed (counts may be
 * NULL), frees r. */
sw_status sw_redact_close(sw_redactor *r, size_t counts[SW_PII_COUNT]);
const char *sw_redact_errmsg(const sw_redactor *r);

/* The same as sw_scan_restrict, for what a redactor removes. */
void sw_redact_restrict(sw_redactor *r, unsigned types);

/* One text at once, only the types in the set redacted (0: all): *out
 * (the caller frees it, NUL-terminated, *out_n bytes) and the counts of
 * what was removed. */
sw_status sw_redact_text(const sw_scan *sc, sw_redact_mode mode, unsigned types,
                         const uint8_t *key, const char *text, size_t n,
                         char **out, size_t *out_n,
                         size_t counts[SW_PII_COUNT]);

#ifdef __cplusplus
}
#endif
#endif
