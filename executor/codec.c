/*
 * codec.c — the bytes of rows and values in the stream log and in
 * checkpoints.
 *
 * A value is one type byte (SlType; 0x80 set when NULL, 0x40 for the
 * short form) followed, unless NULL, by its payload in host byte order
 * (logs and checkpoints are read back by the same build on the same
 * machine):
 *   bool 1 byte; int4 4; int8, float8, timestamp(tz) 8, or 4 in the short
 *   form (the value fits in int32: sign-extended back); numeric 2-byte
 *   scale then 16 bytes; text 4-byte length then the bytes, or in the
 *   short form a 1-byte length (under 256 bytes); interval 4 (months) +
 *   4 (days) + 8 (usec).
 * Writers use the short form wherever it fits; readers take both (bytes
 * written before it existed have only the long one).
 * Decoding checks every length against the end of the buffer: corrupt
 * bytes are XX001, never a read past the end.
 */
#include <string.h>

#include "ex_int.h"

/* The bytes after a non-NULL value's type byte, not counting a text's
 * bytes after its 4-byte length; -1 for a type that is never stored. */
static int payload_size(SlType t)
{
    switch (t) {
    case SL_T_BOOL: return 1;
    case SL_T_INT4: return 4;
    case SL_T_INT8:
    case SL_T_FLOAT8:
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ: return 8;
    case SL_T_NUMERIC: return 18;
    case SL_T_TEXT: return 4;
    case SL_T_INTERVAL: return 16;
    default: return -1;
    }
}

/* The payload size of a short form (0x40) of type t, its text length byte
 * included; -1 where t has none. */
static inline int short_size(SlType t)
{
    switch (t) {
    case SL_T_INT8:
    case SL_T_FLOAT8:
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ: return 4;
    case SL_T_TEXT: return 1;
    default: return -1;
    }
}

static int corrupt(SlError *err)
{
    return sl_error(err, SL_E_DATA_CORRUPTED, "could not decode a stored value: the bytes are corrupt");
}

int ex_value_decode(const uint8_t **pp, const uint8_t *end, SlArena *arena, bool copy_text, SlValue *v,
                    SlError *err)
{
    const uint8_t *p = *pp;
    if (p >= end)
        return corrupt(err);
    uint8_t hdr = *p++;
    memset(v, 0, sizeof *v);
    v->type = hdr & EX_ENC_TYPE;
    if (v->type >= SL_T__COUNT)
        return corrupt(err);
    if (hdr & EX_ENC_NULL) {
        if (hdr & EX_ENC_SHORT)
            return corrupt(err);
        v->isnull = 1;
        *pp = p;
        return 0;
    }
    if (hdr & EX_ENC_SHORT) {
        int fixed = short_size((SlType)v->type);
        if (fixed < 0 || end - p < fixed)
            return corrupt(err);
        if (v->type == SL_T_TEXT) {
            uint32_t n = p[0];
            if ((size_t)(end - p - 1) < n)
                return corrupt(err);
            const char *s = (const char *)p + 1;
            v->u.s.p = copy_text ? sl_strndup(arena, s, n) : s;
            v->u.s.len = n;
            *pp = p + 1 + n;
        } else {
            int32_t x;
            memcpy(&x, p, 4);
            v->u.i8 = x;
            *pp = p + 4;
        }
        return 0;
    }
    int fixed = payload_size((SlType)v->type);
    if (fixed < 0)
        return corrupt(err);
    size_t need = (size_t)fixed;
    if ((size_t)(end - p) < need)
        return corrupt(err);
    switch ((SlType)v->type) {
    case SL_T_BOOL: v->u.b = *p != 0; break;
    case SL_T_INT4: memcpy(&v->u.i4, p, 4); break;
    case SL_T_NUMERIC:
        memcpy(&v->scale, p, 2);
        memcpy(&v->u.num, p + 2, 16);
        break;
    case SL_T_TEXT: {
        uint32_t n;
        memcpy(&n, p, 4);
        if ((size_t)(end - p - 4) < n)
            return corrupt(err);
        const char *s = (const char *)p + 4;
        v->u.s.p = copy_text ? sl_strndup(arena, s, n) : s;
        v->u.s.len = n;
        need += n;
        break;
    }
    case SL_T_INTERVAL:
        memcpy(&v->u.iv.months, p, 4);
        memcpy(&v->u.iv.days, p + 4, 4);
        memcpy(&v->u.iv.usec, p + 8, 8);
        break;
    default: memcpy(&v->u.i8, p, 8); break;
    }
    *pp = p + need;
    return 0;
}

/* At least the encoded size of one value (the long form's). */
static inline size_t value_size(const SlValue *v)
{
    int fixed = v->isnull ? -1 : payload_size((SlType)v->type);
    if (fixed < 0)
        return 1; /* the type byte alone: NULL, or an untyped value */
    return 1 + (size_t)fixed + (v->type == SL_T_TEXT ? (size_t)v->u.s.len : 0);
}

/* Writes one value at p (at most value_size(v) bytes); returns the byte
 * after it. */
static inline uint8_t *value_put(uint8_t *p, const SlValue *v)
{
    if (v->isnull)
        return ex_enc_null(p, (SlType)v->type);
    switch ((SlType)v->type) {
    case SL_T_INT4: return ex_enc_i4(p, v->u.i4);
    case SL_T_INT8:
    case SL_T_FLOAT8:
    case SL_T_TIMESTAMP:
    case SL_T_TIMESTAMPTZ: return ex_enc_i8(p, (SlType)v->type, v->u.i8);
    case SL_T_TEXT: return ex_enc_text(p, v->u.s.p, v->u.s.len);
    default: break;
    }
    *p++ = v->type;
    switch ((SlType)v->type) {
    case SL_T_BOOL: *p++ = v->u.b ? 1 : 0; break;
    case SL_T_NUMERIC:
        memcpy(p, &v->scale, 2);
        memcpy(p + 2, &v->u.num, 16);
        p += 18;
        break;
    case SL_T_INTERVAL:
        memcpy(p, &v->u.iv.months, 4);
        memcpy(p + 4, &v->u.iv.days, 4);
        memcpy(p + 8, &v->u.iv.usec, 8);
        p += 16;
        break;
    default:
        p[-1] = (uint8_t)(SL_T_UNKNOWN | 0x80);
        break;
    }
    return p;
}

size_t ex_row_bound(const SlValue *vals, int64_t nvals)
{
    size_t n = 0;
    for (int64_t k = 0; k < nvals; k++)
        n += value_size(&vals[k]);
    return n;
}

uint8_t *ex_row_put(uint8_t *p, const SlValue *vals, int64_t nvals)
{
    for (int64_t k = 0; k < nvals; k++)
        p = value_put(p, &vals[k]);
    return p;
}

void ex_value_encode(SlBuf *out, const SlValue *v)
{
    sl_buf_reserve(out, value_size(v));
    uint8_t *start = (uint8_t *)out->data + out->len;
    out->len += (size_t)(value_put(start, v) - start);
}

void ex_rows_encode(SlBuf *out, const SlValue *rows, int64_t nrows, int ncols)
{
    /* one pass for the size, one reservation, then plain stores */
    int64_t nv = nrows * ncols;
    sl_buf_reserve(out, ex_row_bound(rows, nv));
    uint8_t *start = (uint8_t *)out->data + out->len;
    out->len += (size_t)(ex_row_put(start, rows, nv) - start);
}

int ex_rows_decode(const void *data, size_t len, int ncols, SlArena *arena, bool copy_text, SlValue *rows,
                   int64_t nrows, SlError *err)
{
    const uint8_t *p = data, *end = p + len;
    for (int64_t i = 0; i < nrows * ncols; i++)
        if (ex_value_decode(&p, end, arena, copy_text, &rows[i], err) < 0)
            return -1;
    if (p != end)
        return corrupt(err);
    return 0;
}

/* Steps over one value without decoding it. */
static int value_skip(const uint8_t **pp, const uint8_t *end, SlError *err)
{
    const uint8_t *p = *pp;
    if (p >= end)
        return corrupt(err);
    uint8_t hdr = *p++;
    SlType t = (SlType)(hdr & EX_ENC_TYPE);
    size_t need = 0;
    if (t >= SL_T__COUNT || (hdr & EX_ENC_NULL && hdr & EX_ENC_SHORT))
        return corrupt(err);
    if (!(hdr & EX_ENC_NULL)) {
        int fixed = hdr & EX_ENC_SHORT ? short_size(t) : payload_size(t);
        if (fixed < 0 || end - p < fixed)
            return corrupt(err);
        need = (size_t)fixed;
        if (t == SL_T_TEXT && hdr & EX_ENC_SHORT) {
            need += p[0];
        } else if (t == SL_T_TEXT) {
            uint32_t n;
            memcpy(&n, p, 4);
            need += n;
        }
    }
    if ((size_t)(end - p) < need)
        return corrupt(err);
    *pp = p + need;
    return 0;
}

int ex_row_spans(const uint8_t **pp, const uint8_t *end, int ncols, const uint8_t **at, SlError *err)
{
    for (int c = 0; c < ncols; c++) {
        at[c] = *pp;
        if (value_skip(pp, end, err) < 0)
            return -1;
    }
    at[ncols] = *pp;
    return 0;
}

int ex_rows_decode_next(const uint8_t **pp, const uint8_t *end, int ncols, const bool *want, SlValue *rows,
                        int64_t nrows, SlError *err)
{
    const uint8_t *p = *pp;
    for (int64_t r = 0; r < nrows; r++) {
        SlValue *row = rows + (size_t)r * (size_t)ncols;
        for (int c = 0; c < ncols; c++) {
            int rc = !want || want[c] ? ex_value_decode(&p, end, NULL, false, &row[c], err) : value_skip(&p, end, err);
            if (rc < 0)
                return -1;
        }
    }
    *pp = p;
    return 0;
}

int ex_rows_decode_some(const void *data, size_t len, int ncols, const bool *want, SlValue *rows, int64_t nrows,
                        SlError *err)
{
    const uint8_t *p = data, *end = p + len;
    if (ex_rows_decode_next(&p, end, ncols, want, rows, nrows, err) < 0)
        return -1;
    if (p != end)
        return corrupt(err);
    return 0;
}

int ex_rows_skip(const uint8_t **pp, const uint8_t *end, int ncols, int64_t nrows, SlError *err)
{
    const uint8_t *p = *pp;
    for (int64_t i = 0; i < nrows * ncols; i++)
        if (value_skip(&p, end, err) < 0)
            return -1;
    *pp = p;
    return 0;
}

/* payload size + 1 per type byte without the NULL flag (0: never stored),
 * for the inline skip; a text's bytes come on top */
#define S_ EX_ENC_SHORT
static const uint8_t skip_size[EX_ENC_NULL] = {
    [SL_T_BOOL] = 2,          [SL_T_INT4] = 5,          [SL_T_INT8] = 9,          [SL_T_FLOAT8] = 9,
    [SL_T_TIMESTAMP] = 9,     [SL_T_TIMESTAMPTZ] = 9,   [SL_T_NUMERIC] = 19,      [SL_T_TEXT] = 5,
    [SL_T_INTERVAL] = 17,     [SL_T_INT8 | S_] = 5,     [SL_T_FLOAT8 | S_] = 5,   [SL_T_TIMESTAMP | S_] = 5,
    [SL_T_TIMESTAMPTZ | S_] = 5, [SL_T_TEXT | S_] = 2,
};
#undef S_

/* One row of ex_rows_decode_cols_next, every length checked against end. */
static int decode_cols_row(const uint8_t **pp, const uint8_t *end, int ncols, const int *slot_of_col,
                           const SlType *types, int64_t *const *vals, uint8_t *const *nulls, int64_t r, SlError *err)
{
    const uint8_t *p = *pp;
    for (int c = 0; c < ncols; c++) {
        int s = slot_of_col[c];
        if (p >= end)
            return corrupt(err);
        uint8_t hdr = *p++;
        if (s < 0) {
            /* step over it (value_skip, inline: most columns are this) */
            if (hdr & EX_ENC_NULL) {
                if ((hdr & (EX_ENC_SHORT | EX_ENC_TYPE)) >= SL_T__COUNT)
                    return corrupt(err);
                continue;
            }
            size_t need = skip_size[hdr];
            if (need == 0)
                return corrupt(err);
            need--;
            if (hdr == (SL_T_TEXT | EX_ENC_SHORT)) {
                if (end - p < 1)
                    return corrupt(err);
                need += p[0];
            } else if (hdr == SL_T_TEXT) {
                uint32_t n;
                if (end - p < 4)
                    return corrupt(err);
                memcpy(&n, p, 4);
                need += n;
            }
            if ((size_t)(end - p) < need)
                return corrupt(err);
            p += need;
            continue;
        }
        if ((hdr & EX_ENC_TYPE) != types[s])
            return 1;
        if (hdr & EX_ENC_NULL) {
            if (hdr & EX_ENC_SHORT)
                return corrupt(err);
            nulls[s][r] = 1;
            vals[s][r] = 0;
            continue;
        }
        nulls[s][r] = 0;
        if (types[s] == SL_T_INT4 || hdr & EX_ENC_SHORT) {
            if (end - p < 4 || (hdr & EX_ENC_SHORT && types[s] == SL_T_INT4))
                return corrupt(err);
            int32_t x;
            memcpy(&x, p, 4);
            vals[s][r] = x;
            p += 4;
        } else {
            if (end - p < 8)
                return corrupt(err);
            memcpy(&vals[s][r], p, 8);
            p += 8;
        }
    }
    *pp = p;
    return 0;
}

/* The most bytes a value takes that the fast path below steps over or
 * reads without checking its length: a short text (type byte, length
 * byte, 255 bytes); other values are at most EX_ENC_MAX_FIXED. */
#define FAST_VALUE_MAX 257

/* Decodes the columns a columnar plan reads straight into arrays: for
 * stream column c with slot = slot_of_col[c] >= 0, row r's value goes to
 * vals[slot][r] (int4 widened; timestamps as their int64) and
 * nulls[slot][r]; other columns are stepped over. Returns 1, having
 * decoded nothing usable, when a value's type is not the one expected
 * (the caller takes the general path), 0 when done, -1 when corrupt.
 *
 * While a whole row of values at most FAST_VALUE_MAX bytes long fits
 * before end, a row is read without a length check per value: a value
 * that may be longer (a text in the long form) or any byte the fast path
 * does not know sends the row to decode_cols_row, which checks it all.
 * The next row's place then depends only on the texts' length bytes
 * (the other steps are constants the branch predictor foresees), which
 * is what makes this loop faster than decode_cols_row's. */
int ex_rows_decode_cols_next(const uint8_t **pp, const uint8_t *end, int ncols, const int *slot_of_col,
                             const SlType *types, int64_t *const *vals, uint8_t *const *nulls, int64_t r0,
                             int64_t nrows, SlError *err)
{
    const uint8_t *p = *pp;
    const size_t fast_room = (size_t)ncols * FAST_VALUE_MAX;
    for (int64_t r = r0; r < r0 + nrows; r++) {
        const uint8_t *row = p;
        if ((size_t)(end - p) < fast_room)
            goto checked;
        for (int c = 0; c < ncols; c++) {
            int s = slot_of_col[c];
            uint8_t hdr = p[0];
            if (s < 0) {
                if (hdr == (SL_T_TEXT | EX_ENC_SHORT)) {
                    p += 2 + (size_t)p[1];
                    continue;
                }
                if (hdr & EX_ENC_NULL) {
                    if ((hdr & (EX_ENC_SHORT | EX_ENC_TYPE)) >= SL_T__COUNT)
                        goto checked;
                    p++;
                    continue;
                }
                size_t need = skip_size[hdr];
                if (need == 0 || hdr == SL_T_TEXT)
                    goto checked;
                p += need;
                continue;
            }
            if ((hdr & EX_ENC_TYPE) != types[s] || (hdr & EX_ENC_NULL && hdr & EX_ENC_SHORT))
                goto checked;
            if (hdr & EX_ENC_NULL) {
                nulls[s][r] = 1;
                vals[s][r] = 0;
                p++;
            } else if (types[s] == SL_T_INT4 || hdr & EX_ENC_SHORT) {
                if (hdr & EX_ENC_SHORT && types[s] == SL_T_INT4)
                    goto checked;
                int32_t x;
                memcpy(&x, p + 1, 4);
                nulls[s][r] = 0;
                vals[s][r] = x;
                p += 5;
            } else {
                nulls[s][r] = 0;
                memcpy(&vals[s][r], p + 1, 8);
                p += 9;
            }
        }
        continue;
    checked:
        p = row;
        int rc = decode_cols_row(&p, end, ncols, slot_of_col, types, vals, nulls, r, err);
        if (rc != 0)
            return rc;
    }
    *pp = p;
    return 0;
}

int ex_rows_decode_cols(const void *data, size_t len, int ncols, const int *slot_of_col, const SlType *types,
                        int64_t *const *vals, uint8_t *const *nulls, int64_t nrows, SlError *err)
{
    const uint8_t *p = data, *end = p + len;
    int rc = ex_rows_decode_cols_next(&p, end, ncols, slot_of_col, types, vals, nulls, 0, nrows, err);
    if (rc != 0)
        return rc;
    if (p != end)
        return corrupt(err);
    return 0;
}
