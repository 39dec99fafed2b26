/* SPDX-License-Identifier: Apache-2.0 */
/* The policy model as JSON, driven by the same schema tables as parsing. */
#include <jansson.h>
#include <stdlib.h>

#include "policy/policy_int.h"

static json_t *object_json(const schema *s, const char *base);

static json_t *strs_json(const sw_strs *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < v->n; i++)
        json_array_append_new(a, json_string(v->v[i]));
    return a;
}

static json_t *field_json(const field *f, const char *base)
{
    const char *p = base + f->off;
    char buf[SW_DURATION_BUFSZ];
    switch (f->type) {
    case F_STR: {
        const char *s = *(const char *const *)p;
        return s ? json_string(s) : NULL;
    }
    case F_STRS: return strs_json((const sw_strs *)p);
    case F_BOOL: return json_boolean(*(const bool *)p);
    case F_INT: return json_integer(*(const int *)p);
    case F_ENUM:
        if (f->flags & ENUM_STR) {
            const char *s = *(const char *const *)p;
            return s ? json_string(s) : NULL;
        }
        return json_string(f->enums[*(const int *)p]);
    case F_DURATION:
        return json_string(sw_duration_format(*(const sw_duration *)p, buf));
    case F_KEEP:
        return json_string(sw_rule_keep_text((const sw_rule *)base, buf));
    case F_OBJ: return object_json(f->sub, p);
    case F_LIST: {
        const char *arr = *(const char *const *)p;
        size_t n = *(const size_t *)(base + f->noff);
        json_t *a = json_array();
        for (size_t i = 0; a && i < n; i++)
            json_array_append_new(a,
                                  object_json(f->sub, arr + i * f->sub->size));
        return a;
    }
    }
    return NULL;
}

static json_t *object_json(const schema *s, const char *base)
{
    json_t *o = json_object();
    for (const field *f = s->fields; o && f->key; f++) {
        json_t *v = field_json(f, base);
        if (v)
            json_object_set_new(o, f->key, v);
    }
    return o;
}

sw_status sw_policy_to_json(const sw_policy *p, char **out)
{
    *out = NULL;
    json_t *o = object_json(&sw_policy_schema_, (const char *)p);
    if (!o)
        return SW_ERR_NOMEM;
    *out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return *out ? SW_OK : SW_ERR_NOMEM;
}
