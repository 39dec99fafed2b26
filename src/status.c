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
    }
    return "unknown status";
}
