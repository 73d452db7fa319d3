/*
 * rt_agg.c — grouped state of the runtime: per-key-group hash tables of
 * groups (open addressing, linear probing on the key hash) holding agg.c's
 * accumulators.
 *
 * A group and its keys live in the arena of its key group, so a key group
 * can be snapshotted, restored or handed to another task as a unit.
 */
#include <stdlib.h>
#include <string.h>

#include "rt_int.h"

static bool value_equal(const SlValue *a, const SlValue *b)
{
    if (a->isnull || b->isnull)
        return a->isnull == b->isnull;
    return sl_value_cmp(a, b) == 0;
}

bool rt_rows_equal(const SlValue *a, const SlValue *b, int n)
{
    for (int i = 0; i < n; i++) {
        if (a[i].isnull != b[i].isnull)
            return false;
        if (a[i].isnull)
            continue;
        /* same type and same value: a changed type is a change too */
        if (a[i].type != b[i].type || sl_value_cmp(&a[i], &b[i]) != 0)
            return false;
        if (a[i].type == SL_T_NUMERIC && a[i].scale != b[i].scale)
            return false;
    }
    return true;
}

/* ===================================================== key-group tables */

void rt_kgt_free(RtKgTable *t, int naggs)
{
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i])
            for (int a = 0; a < naggs; a++)
                ex_agg_free(&t->slots[i]->acc[a]);
    free(t->slots);
    free(t->hashes);
    sl_arena_free(t->arena);
    memset(t, 0, sizeof *t);
}

static bool keys_equal(const SlValue *a, const SlValue *b, int n)
{
    for (int i = 0; i < n; i++)
        if (!value_equal(&a[i], &b[i]))
            return false;
    return true;
}

static void kgt_grow(RtKgTable *t)
{
    size_t ncap = t->cap ? t->cap * 2 : 16;
    RtGroup **ns = sl_calloc(ncap, sizeof(RtGroup *));
    uint64_t *nh = sl_calloc(ncap, sizeof(uint64_t));
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i])
            continue;
        size_t j = (t->hashes[i] >> 7) & (ncap - 1);
        while (ns[j])
            j = (j + 1) & (ncap - 1);
        ns[j] = t->slots[i];
        nh[j] = t->hashes[i];
    }
    free(t->slots);
    free(t->hashes);
    t->slots = ns;
    t->hashes = nh;
    t->cap = ncap;
}

RtGroup *rt_kgt_lookup(RtKgTable *t, uint64_t h, const SlValue *keys, int nkeys, const PlAgg *aggs, int naggs,
                       bool *created)
{
    if ((t->n + 1) * 4 >= t->cap * 3)
        kgt_grow(t);
    /* the low bits chose the key group (h mod K); probe with the higher */
    size_t j = (h >> 7) & (t->cap - 1);
    for (;;) {
        RtGroup *g = t->slots[j];
        if (!g)
            break;
        if (t->hashes[j] == h && keys_equal(g->keys, keys, nkeys)) {
            *created = false;
            return g;
        }
        j = (j + 1) & (t->cap - 1);
    }
    if (!t->arena)
        t->arena = sl_arena_new(4096);
    RtGroup *g = sl_alloc0(t->arena, sizeof(RtGroup) + sizeof(ExAggState) * (size_t)naggs);
    for (int a = 0; a < naggs; a++)
        ex_agg_init(&aggs[a], &g->acc[a]);
    g->hash = h;
    g->touched = -1;
    g->keys = sl_alloc(t->arena, sizeof(SlValue) * (size_t)(nkeys ? nkeys : 1));
    for (int i = 0; i < nkeys; i++)
        sl_value_copy(&keys[i], t->arena, &g->keys[i]);
    t->slots[j] = g;
    t->hashes[j] = h;
    t->n++;
    *created = true;
    return g;
}
