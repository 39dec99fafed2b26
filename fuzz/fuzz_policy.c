/* SPDX-License-Identifier: Apache-2.0 */
/* The policy loader (YAML): any text either loads or is refused with
 * positioned diagnostics; a loaded policy lints and reports. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "steward/steward.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sw_diags *d = sw_diags_new();
    sw_policy *p = NULL;
    sw_status st =
        sw_policy_load_buffer("fuzz.yaml", (const char *)data, size, d, &p);
    char line[1024];
    for (size_t i = 0; i < sw_diags_count(d); i++)
        sw_diag_format(sw_diags_at(d, i), line, sizeof(line));
    if (st == SW_OK) {
        sw_policy_lint(p, d);
        static const sw_format formats[] = {SW_FORMAT_MD, SW_FORMAT_JSON,
                                            SW_FORMAT_CSV};
        for (size_t i = 0; i < 3; i++) {
            char *text = NULL;
            if (sw_report_ropa(p, formats[i], &text) == SW_OK)
                free(text);
            if (sw_report_schedule(p, formats[i], &text) == SW_OK)
                free(text);
        }
        char *json = NULL;
        if (sw_policy_to_json(p, &json) == SW_OK)
            free(json);
        sw_policy_free(p);
    } else if (st == SW_ERR_INVALID && sw_diags_errors(d) == 0) {
        abort(); /* refused without saying why */
    }
    sw_diags_free(d);
    return 0;
}
