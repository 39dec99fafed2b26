/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the policy module: the schema tables that drive parsing and
 * JSON output. */
#ifndef STEWARD_POLICY_INT_H
#define STEWARD_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "steward/policy.h"

enum ftype {
    F_STR,      /* const char * */
    F_STRS,     /* sw_strs */
    F_BOOL,     /* bool */
    F_INT,      /* int */
    F_ENUM,     /* int index into enums, or const char * with ENUM_STR */
    F_DURATION, /* sw_duration */
    F_KEEP,     /* sw_rule keep_kind + keep */
    F_OBJ,      /* an embedded object, fields relative to the same base */
    F_LIST,     /* array of sub objects: pointer at off, count at noff */
};

/* What a string must be or refer to. */
enum ref {
    R_NONE,
    R_ID,
    R_SECTION,
    R_BASIS6,
    R_BASIS9,
    R_COUNTRY,
    R_SUBJECT,
    R_CATEGORY,
    R_CATEGORY_PREFIX,
    R_PURPOSE,
    R_SOURCE,
    R_RECIPIENT,
    R_TRIGGER,
    R_HOLD,
};

#define REQ 1      /* the key must be present */
#define ID 2       /* the object's id: unique within its list */
#define ENUM_STR 4 /* F_ENUM stored as the static name */

typedef struct field {
    const char *key;
    enum ftype type;
    size_t off;
    size_t noff;
    int flags;
    enum ref ref;
    const struct schema *sub;
    const char *const *enums;
} field;

typedef struct pctx pctx;

typedef struct schema {
    const char *what; /* noun used in messages */
    size_t size;      /* element size for F_LIST */
    size_t pos_off;   /* offset of the element's sw_pos, or (size_t)-1 */
    const field *fields;
    const char *shorthand; /* key a bare scalar item stands for */
    void (*check)(pctx *c, void *obj);
} schema;

struct pctx {
    sw_policy *p;
    sw_arena *a;
    sw_diags *diags;
    const char *file;
    sw_pos here; /* position of the node being read, for messages */
    int errors;
    bool nomem;
};

extern const schema sw_policy_schema_;
/* The systems section (systems.c). */
extern const schema sw_system_schema_;

/* Records an error at position p (diagnostic code, message). */
void sw_perr_at(pctx *c, sw_pos p, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
