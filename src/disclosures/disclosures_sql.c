/* SPDX-License-Identifier: Apache-2.0 */
/* The disclosures table's SQL. */
#include <string.h>

#include "disclosures/disclosures_sql.h"
#include "store/sql.h"

sw_status sw_disclosures_insert(sw_store *s, const sw_disclosure_row *r)
{
    return sw_sql_run(
        s, "recording a disclosure",
        "INSERT INTO disclosures(id, at, recipient_kind, recipient, basis,"
        " reference, scope_kind, scope_bi, subject_id, scope_enc,"
        " wrapped_key, categories, confidential_until, actor)"
        " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
        SW_ARGS(sw_v_text(r->id), sw_v_int(r->at), sw_v_text(r->recipient_kind),
                sw_v_text(r->recipient), sw_v_text(r->basis),
                sw_v_text(r->reference), sw_v_text(r->scope_kind),
                r->scope_bi ? sw_v_blob(r->scope_bi, SW_BLIND_BYTES)
                            : sw_v_text(NULL),
                sw_v_text(r->subject),
                sw_v_blob(r->scope_enc, r->scope_enc_len),
                sw_v_blob(r->wrapped, r->wrapped_len), sw_v_text(r->categories),
                sw_v_opt(r->has_confidential_until, r->confidential_until),
                sw_v_text(r->actor)),
        NULL);
}

static void disclosure_row_of(const sw_row *r, sw_disclosure_row *d)
{
    memset(d, 0, sizeof(*d));
    d->id = sw_row_text(r, 0);
    d->at = sw_row_int(r, 1);
    d->recipient_kind = sw_row_text(r, 2);
    d->recipient = sw_row_text(r, 3);
    d->basis = sw_row_text(r, 4);
    d->reference = sw_row_text(r, 5);
    d->scope_kind = sw_row_text(r, 6);
    d->subject = sw_row_text(r, 7);
    d->scope_enc = sw_row_blob(r, 8, &d->scope_enc_len);
    d->wrapped = sw_row_blob(r, 9, &d->wrapped_len);
    d->categories = sw_row_text(r, 10);
    d->has_confidential_until = !sw_row_null(r, 11);
    d->confidential_until = sw_row_int(r, 11);
    d->actor = sw_row_text(r, 12);
}
SW_ROWS(disclosure_rows, sw_disclosure_row, disclosure_row_of)

sw_status sw_disclosures_list(sw_store *s, const char *subject,
                              sw_disclosure_cb cb, void *ctx)
{
    disclosure_rows_ctx c = {cb, ctx};
    return sw_sql(
        s, "listing disclosures",
        "SELECT id, at, recipient_kind, recipient, basis, reference,"
        " scope_kind, subject_id, scope_enc, wrapped_key, categories,"
        " confidential_until, actor FROM disclosures"
        " WHERE CAST(?1 AS TEXT) IS NULL OR subject_id = ?1"
        " OR scope_bi IN (SELECT blind FROM identifiers WHERE subject_id = ?1)"
        " OR scope_bi IN (SELECT account_bi FROM subjects WHERE id = ?1"
        " AND account_bi IS NOT NULL)"
        " ORDER BY at DESC, id DESC",
        SW_ARGS(sw_v_text(subject)), disclosure_rows, &c);
}
