/* SPDX-License-Identifier: Apache-2.0 */
#include "core/table.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define HEAD 64 /* where the mapping is noted, before the table */

typedef struct table_head {
    void *base;
    size_t len;
} table_head;

void *sw_table_alloc(size_t bytes)
{
    size_t len = bytes + HUGE_PAGE + HEAD;
    uint8_t *base = mmap(NULL, len, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return NULL;
    /* fresh pages read as zeros: nothing to clear; aligned to a huge
     * page so that the kernel can back it with them */
    uintptr_t at = ((uintptr_t)base + HEAD + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    table_head h = {base, len};
    memcpy((uint8_t *)at - HEAD, &h, sizeof(h));
#ifdef MADV_HUGEPAGE
    (void)madvise((void *)at, bytes, MADV_HUGEPAGE); /* a hint */
#endif
    return (void *)at;
}

void sw_table_free(void *p)
{
    if (!p)
        return;
    table_head h;
    memcpy(&h, (uint8_t *)p - HEAD, sizeof(h));
    munmap(h.base, h.len);
}
