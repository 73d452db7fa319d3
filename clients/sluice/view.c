/*
 * view.c — the client's copy of a subscribed view.
 *
 * A subscription sends rows "progress, diff, col1, ..., colN" in COPY text
 * format. The view is a multiset of rows: a row's count is the sum of its
 * diffs, and a row is shown count times while its count is positive. Rows
 * live in an open-addressing hash table keyed by their encoded values
 * (one allocation per distinct row, freed when its count returns to 0).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

typedef struct ViewRow {
    char *key;     /* encoded row: per column a tag byte ('N' or 'V'), text, NUL */
    size_t keylen;
    uint64_t hash;
    int64_t count;
    const char **cols; /* ncols pointers into key (NULL = SQL NULL) */
} ViewRow;

struct SlcView {
    int ncols;
    int64_t progress;
    size_t cap;   /* slots, a power of two */
    size_t used;  /* live rows */
    ViewRow **slots; /* NULL = empty; tombstones are not needed: we rehash */
};

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

SlcView *slc_view_new(int ncols)
{
    SlcView *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    v->ncols = ncols;
    v->cap = 64;
    v->slots = calloc(v->cap, sizeof *v->slots);
    if (!v->slots) {
        free(v);
        return NULL;
    }
    return v;
}

static void row_free(ViewRow *r)
{
    free(r->key);
    free(r->cols);
    free(r);
}

void slc_view_free(SlcView *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->cap; i++)
        if (v->slots[i])
            row_free(v->slots[i]);
    free(v->slots);
    free(v);
}

int slc_view_ncols(const SlcView *v)
{
    return v->ncols;
}

int64_t slc_view_progress(const SlcView *v)
{
    return v->progress;
}

static void encode(SlcStr *key, int ncols, const char *const *cols)
{
    for (int c = 0; c < ncols; c++) {
        if (cols[c]) {
            slc_str_putc(key, 'V');
            slc_str_append(key, cols[c], strlen(cols[c]) + 1);
        } else {
            slc_str_putc(key, 'N');
            slc_str_append(key, "", 1);
        }
    }
}

static void rehash(SlcView *v, size_t cap)
{
    ViewRow **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return; /* keep the old table; it still works, only fuller */
    for (size_t i = 0; i < v->cap; i++) {
        ViewRow *r = v->slots[i];
        if (!r)
            continue;
        size_t j = r->hash & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = r;
    }
    free(v->slots);
    v->slots = slots;
    v->cap = cap;
}

/* Remove slot i and re-place the rest of its cluster (linear probing). */
static void remove_slot(SlcView *v, size_t i)
{
    row_free(v->slots[i]);
    v->slots[i] = NULL;
    v->used--;
    size_t j = (i + 1) & (v->cap - 1);
    while (v->slots[j]) {
        ViewRow *r = v->slots[j];
        v->slots[j] = NULL;
        size_t k = r->hash & (v->cap - 1);
        while (v->slots[k])
            k = (k + 1) & (v->cap - 1);
        v->slots[k] = r;
        j = (j + 1) & (v->cap - 1);
    }
}

void slc_view_apply(SlcView *v, int64_t diff, const char *const *cols)
{
    if (diff == 0)
        return;
    SlcStr key = {0};
    encode(&key, v->ncols, cols);
    uint64_t h = fnv1a(key.data ? key.data : "", key.len);
    size_t i = h & (v->cap - 1);
    while (v->slots[i]) {
        ViewRow *r = v->slots[i];
        if (r->hash == h && r->keylen == key.len && memcmp(r->key, key.data, key.len) == 0) {
            r->count += diff;
            if (r->count == 0)
                remove_slot(v, i);
            slc_str_free(&key);
            return;
        }
        i = (i + 1) & (v->cap - 1);
    }
    ViewRow *r = calloc(1, sizeof *r);
    const char **cp = calloc((size_t)(v->ncols ? v->ncols : 1), sizeof *cp);
    if (!r || !cp) {
        free(r);
        free(cp);
        slc_str_free(&key);
        return;
    }
    r->key = key.data ? key.data : strdup("");
    r->keylen = key.len;
    r->hash = h;
    r->count = diff;
    r->cols = cp;
    const char *p = r->key;
    for (int c = 0; c < v->ncols; c++) {
        r->cols[c] = *p == 'V' ? p + 1 : NULL;
        p += 1 + strlen(p + 1) + 1;
    }
    v->slots[i] = r;
    v->used++;
    if (v->used * 2 > v->cap)
        rehash(v, v->cap * 2);
}

long slc_view_nrows(const SlcView *v)
{
    long n = 0;
    for (size_t i = 0; i < v->cap; i++)
        if (v->slots[i] && v->slots[i]->count > 0)
            n += (long)v->slots[i]->count;
    return n;
}

long slc_view_negative(const SlcView *v)
{
    long n = 0;
    for (size_t i = 0; i < v->cap; i++)
        if (v->slots[i] && v->slots[i]->count < 0)
            n++;
    return n;
}

/* ---- sorted snapshot --------------------------------------------------- */

static const bool *sort_right;
static int sort_ncols;

static int cmp_rows(const void *a, const void *b)
{
    const ViewRow *x = *(ViewRow *const *)a, *y = *(ViewRow *const *)b;
    for (int c = 0; c < sort_ncols; c++) {
        const char *p = x->cols[c], *q = y->cols[c];
        if (!p || !q) {
            if (p != q)
                return p ? -1 : 1; /* NULLs last */
            continue;
        }
        int r;
        if (sort_right && sort_right[c]) {
            double dp = strtod(p, NULL), dq = strtod(q, NULL);
            r = dp < dq ? -1 : dp > dq ? 1 : strcmp(p, q);
        } else {
            r = strcmp(p, q);
        }
        if (r)
            return r;
    }
    return 0;
}

long slc_view_snapshot(const SlcView *v, const bool *right, const char ***cells)
{
    size_t nr = 0;
    for (size_t i = 0; i < v->cap; i++)
        if (v->slots[i] && v->slots[i]->count > 0)
            nr++;
    ViewRow **rows = malloc((nr ? nr : 1) * sizeof *rows);
    nr = 0;
    for (size_t i = 0; i < v->cap; i++)
        if (v->slots[i] && v->slots[i]->count > 0)
            rows[nr++] = v->slots[i];
    /* qsort has no context argument; the client is single-threaded */
    sort_right = right;
    sort_ncols = v->ncols;
    qsort(rows, nr, sizeof *rows, cmp_rows);
    long total = slc_view_nrows(v);
    const char **out = malloc((size_t)(total ? total : 1) * (size_t)(v->ncols ? v->ncols : 1) *
                              sizeof *out);
    long k = 0;
    for (size_t i = 0; i < nr; i++)
        for (int64_t copy = 0; copy < rows[i]->count; copy++, k++)
            for (int c = 0; c < v->ncols; c++)
                out[k * v->ncols + c] = rows[i]->cols[c];
    free(rows);
    *cells = out;
    return k;
}

/* ---- COPY text format -------------------------------------------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int slc_copy_text_split(char *line, size_t len, char **fields, int max)
{
    int nf = 0;
    size_t i = 0;
    if (len && line[len - 1] == '\n')
        len--;
    for (;;) {
        char *start = line + i;
        char *w = start;
        bool is_null = false;
        size_t fstart = i;
        while (i < len && line[i] != '\t') {
            char c = line[i];
            if (c == '\\' && i + 1 < len) {
                char e = line[i + 1];
                i += 2;
                switch (e) {
                case 'b': *w++ = '\b'; break;
                case 'f': *w++ = '\f'; break;
                case 'n': *w++ = '\n'; break;
                case 'r': *w++ = '\r'; break;
                case 't': *w++ = '\t'; break;
                case 'v': *w++ = '\v'; break;
                case 'N':
                    if (i - fstart == 2 && (i == len || line[i] == '\t'))
                        is_null = true;
                    else
                        *w++ = 'N';
                    break;
                case 'x': {
                    int v = 0, d = 0;
                    while (d < 2 && i < len && hexval(line[i]) >= 0) {
                        v = v * 16 + hexval(line[i]);
                        i++;
                        d++;
                    }
                    *w++ = d ? (char)v : 'x';
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0', d = 1;
                        while (d < 3 && i < len && line[i] >= '0' && line[i] <= '7') {
                            v = v * 8 + (line[i] - '0');
                            i++;
                            d++;
                        }
                        *w++ = (char)v;
                    } else {
                        *w++ = e;
                    }
                }
            } else {
                *w++ = c;
                i++;
            }
        }
        bool more = i < len; /* stopped at a tab */
        *w = '\0';
        if (nf < max)
            fields[nf] = is_null ? NULL : start;
        nf++;
        if (!more)
            break;
        i++;
    }
    return nf < max ? nf : max;
}

static bool parse_int64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    /* a decimal progress number (e.g. NUMERIC) keeps its integer part */
    if (*end == '.') {
        end++;
        while (isdigit((unsigned char)*end))
            end++;
    }
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

bool slc_view_apply_line(SlcView *v, const char *line, size_t len, char *err, size_t errlen)
{
    char *copy = strndup(line, len);
    int max = v->ncols + 2;
    char **f = calloc((size_t)max + 1, sizeof *f);
    bool ok = false;
    if (!copy || !f) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    int nf = slc_copy_text_split(copy, strlen(copy), f, max + 1);
    int64_t progress, diff;
    if (nf < 1 || !parse_int64(f[0], &progress)) {
        snprintf(err, errlen, "subscription row without a progress number");
        goto done;
    }
    if (nf == 1) { /* progress only */
        if (progress > v->progress)
            v->progress = progress;
        ok = true;
        goto done;
    }
    if (nf != max) {
        snprintf(err, errlen, "subscription row has %d columns, expected %d", nf, max);
        goto done;
    }
    if (!parse_int64(f[1], &diff)) {
        snprintf(err, errlen, "subscription row with a bad diff \"%s\"", f[1] ? f[1] : "");
        goto done;
    }
    if (progress > v->progress)
        v->progress = progress;
    slc_view_apply(v, diff, (const char *const *)(f + 2));
    ok = true;
done:
    free(copy);
    free(f);
    return ok;
}
