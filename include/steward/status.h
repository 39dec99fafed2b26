/* SPDX-License-Identifier: Apache-2.0 */
/* steward status codes: every library call that can fail returns one. */
#ifndef STEWARD_STATUS_H
#define STEWARD_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Status codes. Append-only: a code keeps its number forever, because the
 * daemon maps them to HTTP statuses and scripts test CLI exit paths.
 */
typedef enum sw_status {
    SW_OK = 0,
    SW_ERR_NOMEM = 1,       /* an allocation failed */
    SW_ERR_IO = 2,          /* a file could not be read or written */
    SW_ERR_SYNTAX = 3,      /* input is not well-formed (YAML, ISO-8601...) */
    SW_ERR_INVALID = 4,     /* input is well-formed but violates a rule */
    SW_ERR_NOTFOUND = 5,    /* the named object does not exist */
    SW_ERR_RANGE = 6,       /* a number or date is outside what is supported */
    SW_ERR_UNSPECIFIED = 7, /* the policy states no period for this rule */
    SW_ERR_LIMIT = 8,       /* a size cap was reached */
    SW_ERR_CONFLICT = 9,    /* the change clashes with existing data */
    SW_ERR_CRYPTO = 10,     /* a key is wrong or ciphertext was tampered with */
    SW_ERR_CORRUPT = 11,    /* stored data is damaged or not steward's */
    SW_ERR_VERSION = 12,    /* the store was written by a newer steward */
    SW_ERR_EXISTS = 13,     /* refusing to overwrite an existing file */
    SW_ERR_BUSY = 14,       /* the store is locked by another process */
    SW_ERR_STORE = 15,      /* the database refused an operation */
    SW_ERR_DENIED = 16,     /* a check failed (a wrong verification code) */
    SW_ERR_UNSUPPORTED = 17, /* not something this steward can do yet */
    SW_ERR_RATE = 18,        /* too many attempts: try again later */
} sw_status;

/* Static English text for a status; never NULL, never freed. Thread-safe. */
const char *sw_strerror(sw_status st);

#ifdef __cplusplus
}
#endif
#endif
