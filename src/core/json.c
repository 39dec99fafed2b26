/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>
#include <string.h>

#include "core/json.h"

char *sw_json_text(void *value)
{
    json_t *o = value;
    char *t = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return t;
}

void sw_json_wipe(void *value)
{
    json_t *j = value;
    if (json_is_string(j)) {
        /* jansson's own copy of the text, written over in place */
        memset((char *)json_string_value(j), 0, json_string_length(j));
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) sw_json_wipe(v);
    } else if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) sw_json_wipe(v);
    }
}
