/* SPDX-License-Identifier: Apache-2.0 */
#include <jansson.h>

#include "core/json.h"

char *sw_json_text(void *value)
{
    json_t *o = value;
    char *t = o ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(o);
    return t;
}
