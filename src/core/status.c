/* SPDX-License-Identifier: Apache-2.0 */
/* Static text for status codes. */
#include "steward/status.h"

const char *sw_strerror(sw_status st)
{
    switch (st) {
    case SW_OK: return "ok";
    case SW_ERR_NOMEM: return "out of memory";
    case SW_ERR_IO: return "input/output error";
    case SW_ERR_SYNTAX: return "malformed input";
    case SW_ERR_INVALID: return "invalid input";
    case SW_ERR_NOTFOUND: return "not found";
    case SW_ERR_RANGE: return "value out of range";
    case SW_ERR_UNSPECIFIED: return "no period stated";
    case SW_ERR_LIMIT: return "size limit reached";
    case SW_ERR_CONFLICT: return "conflicts with existing data";
    case SW_ERR_CRYPTO: return "wrong key or tampered data";
    case SW_ERR_CORRUPT: return "damaged or foreign data";
    case SW_ERR_VERSION: return "written by a newer steward";
    case SW_ERR_EXISTS: return "already exists";
    case SW_ERR_BUSY: return "store is busy";
    case SW_ERR_STORE: return "database error";
    case SW_ERR_DENIED: return "denied";
    case SW_ERR_UNSUPPORTED: return "not supported yet";
    case SW_ERR_RATE: return "too many attempts; try again later";
    }
    return "unknown status";
}
