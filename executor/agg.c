/*
 * agg.c — aggregate accumulators: count(*), count(x), count(DISTINCT x),
 * sum, avg, min, max with PostgreSQL's NULL rules and result types.
 *
 * A state is a fixed-size ExAggState (arrays of them live in an arena);
 * only min/max of text and DISTINCT own heap memory, released by
 * ex_agg_free. Updates never allocate except when a longer text wins a
 * min/max or a DISTINCT set grows, so there is no per-row malloc.
 *
 * Sums: int4 and int8 (and numeric, scaled) add into a 128-bit integer,
 * so sum(int8) never overflows; the result is checked against the result
 * type only at the end (sum(int4) beyond bigint is 22003, as PostgreSQL
 * says it). float8 sums add plainly, as PostgreSQL's float8 sum does.
 * avg divides at the end with numeric division (ints and numeric), float
 * division (float8) or interval division (interval).
 *
 * States serialize to a compact little-endian byte form and back, so a
 * checkpoint can store them; a corrupted or truncated form is XX001, never
 * a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "ex_agg.h"

/* --------------------------------------------------------- DISTINCT sets */

struct ExAggSet {
    SlValue *vals;
    uint64_t *hashes;        /* 0: empty slot */
    int64_t n, cap;
    SlArena *arena;          /* text bytes of the values */
};

static uint64_t set_hash(const SlValue *v)
{
    uint64_t h = sl_value_hash(v);
    return h ? h : 1;
}

static void set_insert_slot(ExAggSet *s, const SlValue *v, uint64_t h)
{
    int64_t j = (int64_t)(h & (uint64_t)(s->cap - 1));
    while (s->hashes[j])
        j = (j + 1) & (s->cap - 1);
    s->vals[j] = *v;
    s->hashes[j] = h;
}

static void set_grow(ExAggSet *s)
{
    int64_t ocap = s->cap;
    SlValue *ov = s->vals;
    uint64_t *oh = s->hashes;
    s->cap = ocap ? ocap * 2 : 16;
    s->vals = sl_calloc((size_t)s->cap, sizeof(SlValue));
    s->hashes = sl_calloc((size_t)s->cap, sizeof(uint64_t));
    for (int64_t i = 0; i < ocap; i++)
        if (oh[i])
            set_insert_slot(s, &ov[i], oh[i]);
    free(ov);
    free(oh);
}

/* Adds v (not NULL) unless an equal value is there; true when added. */
static bool set_add(ExAggSet *s, const SlValue *v)
{
    if ((s->n + 1) * 4 >= s->cap * 3)
        set_grow(s);
    uint64_t h = set_hash(v);
    int64_t j = (int64_t)(h & (uint64_t)(s->cap - 1));
    while (s->hashes[j]) {
        if (s->hashes[j] == h && sl_value_cmp(&s->vals[j], v) == 0)
            return false;
        j = (j + 1) & (s->cap - 1);
    }
    SlValue c = *v;
    if (v->type == SL_T_TEXT) {
        if (!s->arena)
            s->arena = sl_arena_new(0);
        sl_value_copy(v, s->arena, &c);
    }
    s->vals[j] = c;
    s->hashes[j] = h;
    s->n++;
    return true;
}

static void set_free(ExAggSet *s)
{
    if (!s)
        return;
    free(s->vals);
    free(s->hashes);
    if (s->arena)
        sl_arena_free(s->arena);
    free(s);
}

/* ------------------------------------------------------------- the state */

void ex_agg_init(const PlAgg *ag, ExAggState *st)
{
    (void)ag;
    memset(st, 0, sizeof *st);
}

void ex_agg_free(ExAggState *st)
{
    free(st->text);
    set_free(st->set);
    st->text = NULL;
    st->textcap = 0;
    st->set = NULL;
}

static SlType arg_type(const PlAgg *ag)
{
    return ag->arg ? ag->arg->type : SL_T_UNKNOWN;
}

/* Adds a numeric (value * 10^scale) into the 128-bit sum, aligning scales. */
static void add_scaled(ExAggState *st, __int128 x, int scale)
{
    while (st->scale < scale) {
        if (__builtin_mul_overflow(st->isum, (__int128)10, &st->isum))
            st->overflow = true;
        st->scale++;
    }
    for (int i = scale; i < st->scale; i++)
        if (__builtin_mul_overflow(x, (__int128)10, &x))
            st->overflow = true;
    if (__builtin_add_overflow(st->isum, x, &st->isum))
        st->overflow = true;
}

/* Keeps v as the new min/max; text bytes go to the state's own buffer. */
static void keep_best(ExAggState *st, const SlValue *v)
{
    st->best = *v;
    st->has = true;
    if (v->type == SL_T_TEXT) {
        if (v->u.s.len + 1 > st->textcap) {
            st->textcap = v->u.s.len + 1 > 32 ? v->u.s.len + 1 : 32;
            free(st->text);
            st->text = sl_malloc(st->textcap);
        }
        if (v->u.s.len)
            memcpy(st->text, v->u.s.p, v->u.s.len);
        st->best.u.s.p = st->text;
    }
}

static int update_plain(const PlAgg *ag, ExAggState *st, const SlValue *v, SlError *err)
{
    st->count++;
    switch (ag->kind) {
    case PL_AGG_SUM:
    case PL_AGG_AVG:
        switch (v->type) {
        case SL_T_INT4: add_scaled(st, v->u.i4, 0); break;
        case SL_T_INT8: add_scaled(st, v->u.i8, 0); break;
        case SL_T_NUMERIC: add_scaled(st, v->u.num, v->scale); break;
        case SL_T_FLOAT8: st->fsum += v->u.f8; break;
        case SL_T_INTERVAL: {
            SlValue acc = sl_val_interval(st->ivsum.months, st->ivsum.days, st->ivsum.usec), r;
            if (sl_value_op(SL_OP_ADD, &acc, v, NULL, &r, err) < 0)
                return -1;
            st->ivsum = r.u.iv;
            break;
        }
        default:
            return sl_error(err, SL_E_DATATYPE_MISMATCH, "cannot %s values of type %s", pl_agg_name(ag->kind),
                            sl_type_name((SlType)v->type));
        }
        return 0;
    case PL_AGG_MIN:
        if (!st->has || sl_value_cmp(v, &st->best) < 0)
            keep_best(st, v);
        return 0;
    case PL_AGG_MAX:
        if (!st->has || sl_value_cmp(v, &st->best) > 0)
            keep_best(st, v);
        return 0;
    default:
        return 0;
    }
}

int ex_agg_update(const PlAgg *ag, ExAggState *st, const SlValue *v, SlError *err)
{
    if (ag->kind == PL_AGG_COUNT_STAR) {
        st->count++;
        return 0;
    }
    if (v->isnull)
        return 0;
    if (ag->distinct) {
        if (!st->set)
            st->set = sl_calloc(1, sizeof(ExAggSet));
        set_add(st->set, v);
        return 0;
    }
    return update_plain(ag, st, v, err);
}

int ex_agg_merge(const PlAgg *ag, ExAggState *dst, const ExAggState *src, SlError *err)
{
    if (ag->distinct && ag->kind != PL_AGG_COUNT_STAR) {
        if (src->set) {
            if (!dst->set)
                dst->set = sl_calloc(1, sizeof(ExAggSet));
            for (int64_t i = 0; i < src->set->cap; i++)
                if (src->set->hashes[i])
                    set_add(dst->set, &src->set->vals[i]);
        }
        return 0;
    }
    dst->count += src->count;
    switch (ag->kind) {
    case PL_AGG_SUM:
    case PL_AGG_AVG:
        if (src->count == 0)
            return 0;
        dst->overflow |= src->overflow;
        dst->fsum += src->fsum;
        add_scaled(dst, src->isum, src->scale);
        if (arg_type(ag) == SL_T_INTERVAL) {
            SlValue a = sl_val_interval(dst->ivsum.months, dst->ivsum.days, dst->ivsum.usec);
            SlValue b = sl_val_interval(src->ivsum.months, src->ivsum.days, src->ivsum.usec), r;
            if (sl_value_op(SL_OP_ADD, &a, &b, NULL, &r, err) < 0)
                return -1;
            dst->ivsum = r.u.iv;
        }
        return 0;
    case PL_AGG_MIN:
        if (src->has && (!dst->has || sl_value_cmp(&src->best, &dst->best) < 0))
            keep_best(dst, &src->best);
        return 0;
    case PL_AGG_MAX:
        if (src->has && (!dst->has || sl_value_cmp(&src->best, &dst->best) > 0))
            keep_best(dst, &src->best);
        return 0;
    default:
        return 0;
    }
}

static int final_plain(const PlAgg *ag, const ExAggState *st, SlArena *arena, SlValue *out, SlError *err)
{
    switch (ag->kind) {
    case PL_AGG_COUNT_STAR:
    case PL_AGG_COUNT:
        *out = sl_val_int8(st->count);
        return 0;
    case PL_AGG_SUM:
    case PL_AGG_AVG: {
        SlType at = arg_type(ag);
        if (st->count == 0) {
            *out = sl_val_null(ag->type);
            return 0;
        }
        if (at == SL_T_FLOAT8) {
            *out = sl_val_float8(ag->kind == PL_AGG_SUM ? st->fsum : st->fsum / (double)st->count);
            return 0;
        }
        if (at == SL_T_INTERVAL) {
            SlValue sum = sl_val_interval(st->ivsum.months, st->ivsum.days, st->ivsum.usec);
            if (ag->kind == PL_AGG_SUM) {
                *out = sum;
                return 0;
            }
            SlValue n = sl_val_float8((double)st->count);
            return sl_value_op(SL_OP_DIV, &sum, &n, arena, out, err);
        }
        if (st->overflow)
            return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "numeric field overflow");
        if (ag->kind == PL_AGG_SUM && ag->type == SL_T_INT8) {
            if (st->isum > INT64_MAX || st->isum < INT64_MIN)
                return sl_error(err, SL_E_NUMERIC_VALUE_OUT_OF_RANGE, "bigint out of range");
            *out = sl_val_int8((int64_t)st->isum);
            return 0;
        }
        if (ag->kind == PL_AGG_SUM)
            return sl_numeric_from_int128(st->isum, st->scale, out, err);
        SlValue sum, cnt = sl_val_numeric(st->count, 0);
        if (sl_numeric_from_int128(st->isum, st->scale, &sum, err) < 0)
            return -1;
        return sl_numeric_div(&sum, &cnt, out, err);
    }
    case PL_AGG_MIN:
    case PL_AGG_MAX:
        if (!st->has)
            *out = sl_val_null(ag->type);
        else
            sl_value_copy(&st->best, arena, out);
        return 0;
    }
    return sl_error(err, SL_E_INTERNAL_ERROR, "unknown aggregate");
}

int ex_agg_final(const PlAgg *ag, const ExAggState *st, SlArena *arena, SlValue *out, SlError *err)
{
    if (!ag->distinct || ag->kind == PL_AGG_COUNT_STAR)
        return final_plain(ag, st, arena, out, err);
    /* DISTINCT: the aggregate over the set's values */
    if (ag->kind == PL_AGG_COUNT) {
        *out = sl_val_int8(st->set ? st->set->n : 0);
        return 0;
    }
    ExAggState tmp;
    ex_agg_init(ag, &tmp);
    int rc = 0;
    for (int64_t i = 0; st->set && i < st->set->cap && rc == 0; i++)
        if (st->set->hashes[i])
            rc = update_plain(ag, &tmp, &st->set->vals[i], err);
    if (rc == 0)
        rc = final_plain(ag, &tmp, arena, out, err);
    ex_agg_free(&tmp);
    return rc;
}

size_t ex_agg_state_bytes(const ExAggState *st)
{
    size_t n = sizeof *st + st->textcap;
    if (st->set)
        n += sizeof *st->set + (size_t)st->set->cap * (sizeof(SlValue) + sizeof(uint64_t)) +
             (st->set->arena ? sl_arena_used(st->set->arena) : 0);
    return n;
}

/* -------------------------------------------------------- serialization */

#define AGG_FORMAT 1

static void put_u8(SlBuf *b, uint8_t v)
{
    sl_buf_append(b, &v, 1);
}

static void put_le(SlBuf *b, uint64_t v, int bytes)
{
    unsigned char t[8];
    for (int i = 0; i < bytes; i++)
        t[i] = (unsigned char)(v >> (8 * i));
    sl_buf_append(b, t, (size_t)bytes);
}

static void put_i128(SlBuf *b, __int128 v)
{
    put_le(b, (uint64_t)v, 8);
    put_le(b, (uint64_t)(v >> 64), 8);
}

static void put_f8(SlBuf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    put_le(b, u, 8);
}

static void put_value(SlBuf *b, const SlValue *v)
{
    put_u8(b, v->type);
    put_u8(b, v->isnull);
    if (v->isnull)
        return;
    switch (v->type) {
    case SL_T_BOOL: put_u8(b, v->u.b); break;
    case SL_T_INT4: put_le(b, (uint32_t)v->u.i4, 4); break;
    case SL_T_INT8: put_le(b, (uint64_t)v->u.i8, 8); break;
    case SL_T_FLOAT8: put_f8(b, v->u.f8); break;
    case SL_T_NUMERIC:
        put_le(b, (uint16_t)v->scale, 2);
        put_i128(b, v->u.num);
        break;
    case SL_T_TEXT:
        put_le(b, v->u.s.len, 4);
        sl_buf_append(b, v->u.s.p, v->u.s.len);
        break;
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ: put_le(b, (uint64_t)v->u.ts, 8); break;
    case SL_T_INTERVAL:
        put_le(b, (uint32_t)v->u.iv.months, 4);
        put_le(b, (uint32_t)v->u.iv.days, 4);
        put_le(b, (uint64_t)v->u.iv.usec, 8);
        break;
    default:
        break;
    }
}

void ex_agg_serialize(const PlAgg *ag, const ExAggState *st, SlBuf *out)
{
    put_u8(out, AGG_FORMAT);
    put_u8(out, (uint8_t)ag->kind);
    put_u8(out, (uint8_t)((st->has ? 1 : 0) | (st->overflow ? 2 : 0) | (st->set ? 4 : 0)));
    put_le(out, (uint64_t)st->count, 8);
    put_le(out, (uint16_t)st->scale, 2);
    put_i128(out, st->isum);
    put_f8(out, st->fsum);
    put_le(out, (uint32_t)st->ivsum.months, 4);
    put_le(out, (uint32_t)st->ivsum.days, 4);
    put_le(out, (uint64_t)st->ivsum.usec, 8);
    if (st->has)
        put_value(out, &st->best);
    if (st->set) {
        put_le(out, (uint64_t)st->set->n, 8);
        for (int64_t i = 0; i < st->set->cap; i++)
            if (st->set->hashes[i])
                put_value(out, &st->set->vals[i]);
    }
}

typedef struct Reader {
    const unsigned char *p;
    size_t n, at;
    bool bad;
} Reader;

static uint64_t get_le(Reader *r, int bytes)
{
    if (r->bad || r->n - r->at < (size_t)bytes) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->at + (size_t)i] << (8 * i);
    r->at += (size_t)bytes;
    return v;
}

static __int128 get_i128(Reader *r)
{
    uint64_t lo = get_le(r, 8), hi = get_le(r, 8);
    return (__int128)(((unsigned __int128)hi << 64) | lo);
}

static double get_f8(Reader *r)
{
    uint64_t u = get_le(r, 8);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* Text bytes are borrowed from the reader's input; callers copy them. */
static void get_value(Reader *r, SlValue *v)
{
    memset(v, 0, sizeof *v);
    v->type = (uint8_t)get_le(r, 1);
    v->isnull = (uint8_t)get_le(r, 1);
    if (r->bad || v->type == SL_T_UNKNOWN || v->type >= SL_T__COUNT || v->isnull > 1) {
        r->bad = true;
        return;
    }
    if (v->isnull)
        return;
    switch (v->type) {
    case SL_T_BOOL: v->u.b = get_le(r, 1) != 0; break;
    case SL_T_INT4: v->u.i4 = (int32_t)(uint32_t)get_le(r, 4); break;
    case SL_T_INT8: v->u.i8 = (int64_t)get_le(r, 8); break;
    case SL_T_FLOAT8: v->u.f8 = get_f8(r); break;
    case SL_T_NUMERIC:
        v->scale = (int16_t)(uint16_t)get_le(r, 2);
        v->u.num = get_i128(r);
        if (v->scale < 0 || v->scale > SL_NUMERIC_MAX_SCALE)
            r->bad = true;
        break;
    case SL_T_TEXT: {
        uint32_t len = (uint32_t)get_le(r, 4);
        if (r->bad || r->n - r->at < len) {
            r->bad = true;
            return;
        }
        v->u.s.p = (const char *)r->p + r->at;
        v->u.s.len = len;
        r->at += len;
        break;
    }
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ: v->u.ts = (int64_t)get_le(r, 8); break;
    case SL_T_INTERVAL:
        v->u.iv.months = (int32_t)(uint32_t)get_le(r, 4);
        v->u.iv.days = (int32_t)(uint32_t)get_le(r, 4);
        v->u.iv.usec = (int64_t)get_le(r, 8);
        break;
    }
}

int ex_agg_deserialize(const PlAgg *ag, ExAggState *st, const void *data, size_t len, size_t *used, SlError *err)
{
    Reader r = {data, len, 0, false};
    ex_agg_init(ag, st);
    int fmt = (int)get_le(&r, 1), kind = (int)get_le(&r, 1), flags = (int)get_le(&r, 1);
    if (!r.bad && (fmt != AGG_FORMAT || kind != (int)ag->kind || (flags & ~7)))
        r.bad = true;
    st->count = (int64_t)get_le(&r, 8);
    st->scale = (int16_t)(uint16_t)get_le(&r, 2);
    st->isum = get_i128(&r);
    st->fsum = get_f8(&r);
    st->ivsum.months = (int32_t)(uint32_t)get_le(&r, 4);
    st->ivsum.days = (int32_t)(uint32_t)get_le(&r, 4);
    st->ivsum.usec = (int64_t)get_le(&r, 8);
    st->overflow = (flags & 2) != 0;
    if (st->count < 0 || st->scale < 0 || st->scale > 2 * SL_NUMERIC_MAX_SCALE)
        r.bad = true;
    if (!r.bad && (flags & 1)) {
        SlValue v;
        get_value(&r, &v);
        if (!r.bad)
            keep_best(st, &v);
    }
    if (!r.bad && (flags & 4)) {
        uint64_t n = get_le(&r, 8);
        /* every value takes at least two bytes: a bound on n */
        if (n > (r.n - r.at) / 2)
            r.bad = true;
        st->set = sl_calloc(1, sizeof(ExAggSet));
        for (uint64_t i = 0; i < n && !r.bad; i++) {
            SlValue v;
            get_value(&r, &v);
            if (!r.bad && (v.isnull || !set_add(st->set, &v)))
                r.bad = true; /* NULL or a duplicate cannot be in a set */
        }
    }
    if (r.bad) {
        ex_agg_free(st);
        ex_agg_init(ag, st);
        return sl_error(err, SL_E_DATA_CORRUPTED, "invalid %s aggregate state (%zu bytes)", pl_agg_name(ag->kind),
                        len);
    }
    if (used)
        *used = r.at;
    return 0;
}
