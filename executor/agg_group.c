/*
 * agg_group.c — aggregation of a one-shot SELECT: WHERE, GROUP BY keys in a
 * hash table, aggregate states (agg.c), then HAVING and the targets per
 * group. The engine feeds it the rows of a view's snapshot, a system view
 * or, for a SELECT without FROM, the one empty row.
 *
 * Everything lives in one arena that the grouping owns; only the heap
 * parts of aggregate states (min/max text, DISTINCT sets) are freed one
 * by one at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "ex_agg.h"

typedef struct Group {
    uint64_t hash;
    SlValue *keys;
    ExAggState *aggs;
} Group;

struct ExGrouping {
    const PlSelect *q;
    ExEvalCtx *ec;
    SlArena *arena;          /* groups, keys, key text */
    Group **slots;           /* open addressing, power of two */
    int64_t nslots;
    Group **groups;          /* in order of first appearance */
    int64_t ngroups, capgroups;
    SlValue *keybuf, *argbuf;
};

ExGrouping *ex_grouping_new(const PlSelect *q, ExEvalCtx *ec)
{
    ExGrouping *g = sl_calloc(1, sizeof *g);
    g->q = q;
    g->ec = ec;
    g->arena = sl_arena_new(0);
    g->keybuf = sl_alloc0(g->arena, sizeof(SlValue) * (size_t)(q->ngroup + 1));
    g->argbuf = sl_alloc0(g->arena, sizeof(SlValue) * (size_t)(q->naggs + 1));
    return g;
}

static uint64_t hash_keys(const SlValue *k, int n)
{
    uint64_t h = 0x5151u;
    for (int i = 0; i < n; i++)
        h = sl_hash_u64(h ^ sl_value_hash(&k[i]));
    return h;
}

/* GROUP BY puts NULLs together: keys match when both are NULL. */
static bool keys_equal(const SlValue *a, const SlValue *b, int n)
{
    for (int i = 0; i < n; i++) {
        if (a[i].isnull || b[i].isnull) {
            if (a[i].isnull != b[i].isnull)
                return false;
        } else if (sl_value_cmp(&a[i], &b[i]) != 0) {
            return false;
        }
    }
    return true;
}

static void slots_grow(ExGrouping *g)
{
    int64_t n = g->nslots ? g->nslots * 2 : 64;
    Group **s = sl_calloc((size_t)n, sizeof(Group *));
    for (int64_t i = 0; i < g->ngroups; i++) {
        int64_t j = (int64_t)(g->groups[i]->hash & (uint64_t)(n - 1));
        while (s[j])
            j = (j + 1) & (n - 1);
        s[j] = g->groups[i];
    }
    free(g->slots);
    g->slots = s;
    g->nslots = n;
}

static Group *group_find(ExGrouping *g, const SlValue *keys)
{
    const PlSelect *q = g->q;
    uint64_t h = hash_keys(keys, q->ngroup);
    if ((g->ngroups + 1) * 4 >= g->nslots * 3)
        slots_grow(g);
    int64_t j = (int64_t)(h & (uint64_t)(g->nslots - 1));
    while (g->slots[j]) {
        if (g->slots[j]->hash == h && keys_equal(g->slots[j]->keys, keys, q->ngroup))
            return g->slots[j];
        j = (j + 1) & (g->nslots - 1);
    }
    Group *gr = sl_alloc0(g->arena, sizeof *gr);
    gr->hash = h;
    gr->keys = sl_alloc(g->arena, sizeof(SlValue) * (size_t)(q->ngroup ? q->ngroup : 1));
    for (int i = 0; i < q->ngroup; i++)
        sl_value_copy(&keys[i], g->arena, &gr->keys[i]);
    gr->aggs = sl_alloc(g->arena, sizeof(ExAggState) * (size_t)(q->naggs ? q->naggs : 1));
    for (int i = 0; i < q->naggs; i++)
        ex_agg_init(&q->aggs[i], &gr->aggs[i]);
    g->slots[j] = gr;
    if (g->ngroups == g->capgroups) {
        g->capgroups = g->capgroups ? g->capgroups * 2 : 64;
        g->groups = sl_realloc(g->groups, sizeof(Group *) * (size_t)g->capgroups);
    }
    g->groups[g->ngroups++] = gr;
    return gr;
}

int ex_grouping_add(ExGrouping *g, const SlValue *row, SlError *err)
{
    const PlSelect *q = g->q;
    ExEvalCtx *ec = g->ec;
    if (q->where) {
        bool pass;
        if (ex_eval_bool(q->where, row, ec, &pass, err) < 0)
            return -1;
        if (!pass)
            return 0;
    }
    for (int i = 0; i < q->ngroup; i++)
        if (ex_eval(q->group[i], row, ec, &g->keybuf[i], err) < 0)
            return -1;
    for (int i = 0; i < q->naggs; i++)
        if (q->aggs[i].arg && ex_eval(q->aggs[i].arg, row, ec, &g->argbuf[i], err) < 0)
            return -1;
    Group *gr = group_find(g, g->keybuf);
    for (int i = 0; i < q->naggs; i++)
        if (ex_agg_update(&q->aggs[i], &gr->aggs[i], &g->argbuf[i], err) < 0)
            return -1;
    return 0;
}

int64_t ex_grouping_groups(const ExGrouping *g)
{
    return g->ngroups;
}

int ex_grouping_finish(ExGrouping *g, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                       SlError *err)
{
    const PlSelect *q = g->q;
    ExEvalCtx *ec = g->ec;
    /* aggregates without GROUP BY: one group, even over no rows */
    if (g->ngroups == 0 && q->ngroup == 0)
        group_find(g, g->keybuf);
    SlValue *aggv = sl_alloc(ec->arena, sizeof(SlValue) * (size_t)(q->naggs ? q->naggs : 1));
    SlValue *out = sl_alloc(ec->arena, sizeof(SlValue) * (size_t)(q->ntargets ? q->ntargets : 1));
    const SlValue *save = ec->aggs;
    int rc = 0;
    for (int64_t i = 0; i < g->ngroups && rc == 0; i++) {
        Group *gr = g->groups[i];
        for (int a = 0; a < q->naggs && rc == 0; a++)
            rc = ex_agg_final(&q->aggs[a], &gr->aggs[a], ec->arena, &aggv[a], err);
        if (rc < 0)
            break;
        ec->aggs = aggv;
        bool pass = true;
        if (q->having)
            rc = ex_eval_bool(q->having, gr->keys, ec, &pass, err);
        for (int t = 0; t < q->ntargets && rc == 0 && pass; t++)
            rc = ex_eval(q->targets[t], gr->keys, ec, &out[t], err);
        if (rc == 0 && pass)
            rc = fn(ctx, out, q->ntargets, err);
    }
    ec->aggs = save;
    return rc;
}

void ex_grouping_free(ExGrouping *g)
{
    if (!g)
        return;
    for (int64_t i = 0; i < g->ngroups; i++)
        for (int a = 0; a < g->q->naggs; a++)
            ex_agg_free(&g->groups[i]->aggs[a]);
    free(g->slots);
    free(g->groups);
    sl_arena_free(g->arena);
    free(g);
}
