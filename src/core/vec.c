/* SPDX-License-Identifier: Apache-2.0 */
/* A growable array of fixed-size elements. */
#include "core/vec.h"

#include <stdlib.h>
#include <string.h>

void *sw_vec_push(sw_vec *vec)
{
    if (vec->n == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 64;
        void *v = realloc(vec->v, cap * vec->size);
        if (!v) {
            vec->nomem = true;
            return NULL;
        }
        vec->v = v;
        vec->cap = cap;
    }
    void *e = (char *)vec->v + vec->n++ * vec->size;
    memset(e, 0, vec->size);
    return e;
}

void sw_vec_release(sw_vec *vec)
{
    free(vec->v);
    vec->v = NULL;
    vec->n = vec->cap = 0;
}
