/*
 * rt_agg.c — grouped state of the runtime: per-key-group hash tables of
 * groups (open addressing, linear probing on the key hash) and the
 * aggregate accumulators count, count(DISTINCT), sum, avg, min, max with
 * PostgreSQL's result types and NULL rules.
 *
 * A group and its keys live in the arena of its key group, so a key group
 * can be snapshotted, restored or handed to another task as a unit.
 */
#include <stdlib.h>
#include <string.h>

#include "rt_int.h"

/* ======================================================= DISTINCT sets */

struct RtDistinct {
    SlValue *vals;
    uint64_t *hashes;        /* 0 marks an empty slot */
    size_t n, cap;
};

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

/* Adds v; true when it was not there yet. */
static bool distinct_add(RtDistinct *s, const SlValue *v, SlArena *a)
{
    uint64_t h = sl_value_hash(v) | 1;
    if ((s->n + 1) * 4 >= s->cap * 3) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        SlValue *nv = sl_alloc(a, sizeof(SlValue) * ncap);
        uint64_t *nh = sl_alloc0(a, sizeof(uint64_t) * ncap);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->hashes[i])
                continue;
            size_t j = s->hashes[i] & (ncap - 1);
            while (nh[j])
                j = (j + 1) & (ncap - 1);
            nh[j] = s->hashes[i];
            nv[j] = s->vals[i];
        }
        /* the old arrays stay in the key group's arena until it is freed */
        s->vals = nv;
        s->hashes = nh;
        s->cap = ncap;
    }
    size_t j = h & (s->cap - 1);
    while (s->hashes[j]) {
        if (s->hashes[j] == h && value_equal(&s->vals[j], v))
            return false;
        j = (j + 1) & (s->cap - 1);
    }
    s->hashes[j] = h;
    sl_value_copy(v, a, &s->vals[j]);
    s->n++;
    return true;
}

/* ========================================================= accumulators */

static void sum_numeric(RtAcc *acc, __int128 x, int scale)
{
    if (scale > acc->scale) {
        for (int i = acc->scale; i < scale; i++)
            if (__builtin_mul_overflow(acc->isum, 10, &acc->isum))
                acc->overflow = true;
        acc->scale = (int16_t)scale;
    } else {
        for (int i = scale; i < acc->scale; i++)
            if (__builtin_mul_overflow(x, 10, &x))
                acc->overflow = true;
    }
    if (__builtin_add_overflow(acc->isum, x, &acc->isum))
        acc->overflow = true;
}

void rt_acc_update(const PlAgg *ag, RtAcc *acc, const SlValue *v, SlArena *arena)
{
    if (ag->kind == PL_AGG_COUNT_STAR) {
        acc->count++;
        return;
    }
    if (v->isnull)
        return;
    if (ag->distinct) {
        if (!acc->set)
            acc->set = sl_alloc0(arena, sizeof(RtDistinct));
        if (distinct_add(acc->set, v, arena))
            acc->count++;
        return;
    }
    acc->count++;
    switch (ag->kind) {
    case PL_AGG_SUM:
    case PL_AGG_AVG:
        switch (v->type) {
        case SL_T_FLOAT8:
            acc->fsum += v->u.f8;
            break;
        case SL_T_NUMERIC:
            sum_numeric(acc, v->u.num, v->scale);
            break;
        case SL_T_INT4:
            acc->isum += v->u.i4;
            break;
        default:
            acc->isum += v->u.i8;
            break;
        }
        break;
    case PL_AGG_MIN:
        if (!acc->has || sl_value_cmp(v, &acc->best) < 0) {
            sl_value_copy(v, arena, &acc->best);
            acc->has = true;
        }
        break;
    case PL_AGG_MAX:
        if (!acc->has || sl_value_cmp(v, &acc->best) > 0) {
            sl_value_copy(v, arena, &acc->best);
            acc->has = true;
        }
        break;
    default:
        break;
    }
}

int rt_acc_final(const PlAgg *ag, const RtAcc *acc, SlValue *out, SlError *err)
{
    int64_t count = acc->count;
    switch (ag->kind) {
    case PL_AGG_COUNT_STAR:
    case PL_AGG_COUNT:
        *out = sl_val_int8(count);
        return 0;
    case PL_AGG_SUM:
    case PL_AGG_AVG: {
        if (count == 0) {
            *out = sl_val_null(ag->type);
            return 0;
        }
        if (acc->overflow)
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        SlType at = ag->arg ? ag->arg->type : SL_T_INT8;
        if (at == SL_T_FLOAT8) {
            *out = sl_val_float8(ag->kind == PL_AGG_SUM ? acc->fsum : acc->fsum / (double)count);
            return 0;
        }
        if (ag->kind == PL_AGG_SUM) {
            if (ag->type == SL_T_INT8) {
                if (acc->isum > INT64_MAX || acc->isum < INT64_MIN)
                    return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
                *out = sl_val_int8((int64_t)acc->isum);
                return 0;
            }
            if (ag->type == SL_T_FLOAT8) {
                *out = sl_val_float8((double)acc->isum);
                return 0;
            }
            return sl_numeric_from_int128(acc->isum, acc->scale, out, err);
        }
        SlValue sum, cnt = sl_val_numeric(count, 0);
        if (sl_numeric_from_int128(acc->isum, acc->scale, &sum, err) < 0)
            return -1;
        return sl_numeric_div(&sum, &cnt, out, err);
    }
    case PL_AGG_MIN:
    case PL_AGG_MAX:
        *out = acc->has ? acc->best : sl_val_null(ag->type);
        return 0;
    }
    return sl_error(err, SL_E_INTERNAL_ERROR, "unknown aggregate");
}

/* ===================================================== key-group tables */

void rt_kgt_free(RtKgTable *t)
{
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

RtGroup *rt_kgt_lookup(RtKgTable *t, uint64_t h, const SlValue *keys, int nkeys, int naggs, bool *created)
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
    RtGroup *g = sl_alloc0(t->arena, sizeof(RtGroup) + sizeof(RtAcc) * (size_t)naggs);
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
