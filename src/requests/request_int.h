/* SPDX-License-Identifier: Apache-2.0 */
/* Private to libsteward: the answers to requests (fulfilment.c), called
 * by sw_request_fulfil (requests.c) inside its change. */
#ifndef STEWARD_REQUEST_INT_H
#define STEWARD_REQUEST_INT_H

#include "consent/consent_int.h"
#include "core/json.h"
#include "holds/holds_sql.h"
#include "requests/requests_sql.h"
#include "steward/request.h"
#include "store/chain.h"

/* systems: the subject's rows in the policy's systems (the array of
 * sw_system_rows_json, borrowed), or NULL when it declares none. */
sw_status sw_answer_access(sw_store *s, const char *subject,
                           const char *request, sw_answer_format f,
                           json_t *systems, sw_fulfilment *out);
sw_status sw_answer_portability(sw_store *s, const char *subject,
                                sw_answer_format f, json_t *systems,
                                sw_fulfilment *out);
/* The erasure's part in the policy's systems, before the store's: each
 * system not done yet is erased and its progress kept; *pending: how many
 * are still waiting, named with why in names (n bytes); when none, names
 * says what each system erased ("crm 3 rows, billing 1 row"). */
sw_status sw_request_systems_erase(sw_store *s, const sw_request_row *r,
                                   size_t *pending, char *names, size_t n);
sw_status sw_answer_know(sw_store *s, const char *subject, sw_fulfilment *out);
sw_status sw_answer_rectify(sw_store *s, const char *subject,
                            const sw_fulfil_options *o, sw_fulfilment *out);
/* *shredded: nothing had to stay, the subject's key is destroyed. */
sw_status sw_answer_erase(sw_store *s, const char *subject, sw_fulfilment *out,
                          bool *shredded);
sw_status sw_answer_forward(sw_store *s, const char *subject,
                            const char *request, const char *type,
                            sw_fulfilment *out);

/* A person steward knows only from traffic (an end user of customers,
 * with no subject): when live detail records reach the number or address
 * t names, a subject of the policy's processor kind is made with it
 * (audited) so that the request can be verified by a code to it and
 * forwarded to each customer; t then names that subject. Nothing changes
 * otherwise. */
sw_status sw_request_traffic_only(sw_store *s, sw_target *t);

/* Where a message to the subject goes: "email ADDRESS" or "phone NUMBER":
 * the identifier whose blind index is via (the address a request was
 * verified through), else its first e-mail address or phone number on
 * file (read as a disclosure); SW_ERR_INVALID when it has none. */
sw_status sw_request_recipient(sw_store *s, const char *subject,
                               const uint8_t *via, char *buf, size_t n);

/* Keeps a completed answer (out->answer) of request for download, when
 * the policy states requests.answer_download, and fills out->link with
 * the message to send; nothing otherwise. Inside the caller's change. */
sw_status sw_answer_keep(sw_store *s, const sw_request_row *r,
                         sw_answer_format f, const char *link_base,
                         sw_fulfilment *out);

/* What every new request must state; SW_ERR_INVALID saying what not. */
sw_status sw_request_check_spec(sw_store *s, const sw_request_spec *spec);

/* For the public door (public.c): the open request of spec's type of the
 * subject t names, or a new one. A code is issued (*issued, the message in
 * out) for a new request, or for one still verifying whose code expired
 * or ended; a valid code survives filing again. Without may_issue (no
 * message may go) nothing is created or issued. out->req is the request
 * (an empty id when there is none). */
sw_status sw_request_file(sw_store *s, const sw_who *who, const sw_target *t,
                          const sw_request_spec *spec, bool may_issue,
                          bool *issued, sw_request_opened *out);

#endif
