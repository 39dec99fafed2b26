/* SPDX-License-Identifier: Apache-2.0 */
/* Private to libsteward: the answers to requests (answer.c), called by
 * sw_request_fulfil (request.c) inside its change. */
#ifndef STEWARD_REQUEST_INT_H
#define STEWARD_REQUEST_INT_H

#include "steward/request.h"
#include "consent_int.h"

sw_status sw_answer_access(sw_store *s, const char *subject,
                           const char *request, sw_answer_format f,
                           sw_fulfilment *out);
sw_status sw_answer_portability(sw_store *s, const char *subject,
                                sw_answer_format f, sw_fulfilment *out);
sw_status sw_answer_know(sw_store *s, const char *subject, sw_fulfilment *out);
sw_status sw_answer_rectify(sw_store *s, const char *subject,
                            const sw_fulfil_options *o, sw_fulfilment *out);
/* *shredded: nothing had to stay, the subject's key is destroyed. */
sw_status sw_answer_erase(sw_store *s, const char *subject,
                          sw_fulfilment *out, bool *shredded);
sw_status sw_answer_forward(sw_store *s, const char *subject,
                            const char *request, const char *type,
                            sw_fulfilment *out);

#endif
