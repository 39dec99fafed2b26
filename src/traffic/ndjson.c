/* SPDX-License-Identifier: Apache-2.0 */
/* The jansson reference of sw_ndjson_fields (ndjson.h), and the place its
 * fast path hands the lines it cannot judge. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "traffic/ndjson.h"

bool sw_ndjson_fields_jansson(const char *line, size_t len,
                              const char *const *names, int n, char *buf,
                              size_t bufsz, const char **out)
{
    json_error_t err;
    json_t *o = json_loadb(line, len, 0, &err);
    bool ok = json_is_object(o);
    size_t used = 0;
    for (int i = 0; i < n; i++)
        out[i] = NULL;
    for (int i = 0; ok && i < n; i++) {
        json_t *v = json_object_get(o, names[i]);
        char tmp[64];
        const char *text = NULL;
        if (json_is_string(v)) {
            text = json_string_value(v);
        } else if (json_is_integer(v)) {
            snprintf(tmp, sizeof(tmp), "%lld",
                     (long long)json_integer_value(v));
            text = tmp;
        } else if (json_is_real(v)) {
            snprintf(tmp, sizeof(tmp), "%.6g", json_real_value(v));
            text = tmp;
        }
        if (text) {
            size_t k = strlen(text) + 1;
            if (used + k > bufsz) {
                ok = false;
                break;
            }
            memcpy(buf + used, text, k);
            out[i] = buf + used;
            used += k;
        }
    }
    json_decref(o);
    return ok;
}
