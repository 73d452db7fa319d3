/*
 * baseline.c — the limit loops: what one core does with the same rows and
 * no server. The ingestion limit parses CSV bid lines into binary rows in
 * memory; the processing limits fold binary rows into each workload's
 * answer (a projection/filter checksum, a per-auction aggregate in an
 * open-addressing table, a set of bidders per channel). The same answers
 * are what the server's views are checked against.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nexmark.h"

/* ======================================================================== */
/* Hashing                                                                  */
/* ======================================================================== */

uint64_t nx_mix64(uint64_t x)
{
    /* a 64-bit finalizer (xor-shift-multiply rounds) */
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x *= UINT64_C(0xc4ceb9fe1a85ec53);
    x ^= x >> 33;
    return x;
}

uint64_t nx_hash_bytes(const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = UINT64_C(0x243f6a8885a308d3) ^ (n * UINT64_C(0x9e3779b97f4a7c15));
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ nx_mix64(w)) * UINT64_C(0x100000001b3);
        s += 8;
        n -= 8;
    }
    uint64_t w = 0;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)s[i] << (8 * i);
    return nx_mix64(h ^ nx_mix64(w ^ n));
}

uint64_t nx_row_hash_q0(int64_t auction, int64_t bidder, int64_t price_milli,
                        int64_t date_time, const char *extra, size_t extra_len)
{
    uint64_t h = nx_mix64((uint64_t)auction ^ UINT64_C(0x5851f42d4c957f2d));
    h = nx_mix64(h + (uint64_t)bidder);
    h = nx_mix64(h + (uint64_t)price_milli);
    h = nx_mix64(h + (uint64_t)date_time);
    return nx_mix64(h + nx_hash_bytes(extra, extra_len));
}

uint64_t nx_row_hash_q2(int64_t auction, int64_t price)
{
    return nx_mix64(nx_mix64((uint64_t)auction ^ UINT64_C(0x14057b7ef767814f)) + (uint64_t)price);
}

/* ======================================================================== */
/* CSV parsing                                                              */
/* ======================================================================== */

bool nx_parse_i64(const char *p, size_t n, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        i = 1;
    }
    if (i == n || n - i > 19)
        return false;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9)
            return false;
        v = v * 10 + d;
    }
    if (v > (uint64_t)INT64_MAX + neg)
        return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool digits(const char *p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d > 9)
            return false;
        v = v * 10 + (int)d;
    }
    *out = v;
    return true;
}

bool nx_parse_timestamp(const char *p, size_t n, int64_t *usec)
{
    /* YYYY-MM-DD[ T]HH:MM:SS[.f{1,6}] */
    int y, mo, d, h, mi, s;
    if (n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != ' ' && p[10] != 'T') ||
        p[13] != ':' || p[16] != ':')
        return false;
    if (!digits(p, 4, &y) || !digits(p + 5, 2, &mo) || !digits(p + 8, 2, &d) ||
        !digits(p + 11, 2, &h) || !digits(p + 14, 2, &mi) || !digits(p + 17, 2, &s))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
        return false;
    int64_t frac = 0;
    if (n > 19) {
        if (p[19] != '.' || n == 20 || n > 26)
            return false;
        int f;
        if (!digits(p + 20, (int)(n - 20), &f))
            return false;
        frac = f;
        for (size_t k = n - 20; k < 6; k++)
            frac *= 10;
    }
    *usec = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * INT64_C(1000000) + frac;
    return true;
}

bool nx_parse_scaled(const char *p, size_t n, int scale, __int128 *out)
{
    size_t i = 0;
    bool neg = false;
    if (n > 0 && (p[0] == '-' || p[0] == '+')) {
        neg = p[0] == '-';
        i++;
    }
    __int128 v = 0;
    int nd = 0, fd = 0;
    bool dot = false, dropped = false, round_up = false;
    for (; i < n; i++) {
        if (p[i] == '.') {
            if (dot)
                return false;
            dot = true;
            continue;
        }
        unsigned dg = (unsigned)(p[i] - '0');
        if (dg > 9)
            return false;
        if (dot) {
            if (fd == scale) {
                /* the first dropped digit decides: half away from zero */
                if (!dropped)
                    round_up = dg >= 5;
                dropped = true;
                continue;
            }
            fd++;
        }
        if (++nd > 36)
            return false;
        v = v * 10 + dg;
    }
    if (nd == 0)
        return false;
    for (; fd < scale; fd++)
        v *= 10;
    if (round_up)
        v += 1;
    *out = neg ? -v : v;
    return true;
}

/* one field: [b, e) after unescaping; *null for an unquoted empty field.
 * Returns the position after the field's terminator, or NULL if the line
 * is not complete in the buffer. *eol is set when the terminator is '\n'. */
static char *csv_field(char *p, char *end, char **fb, size_t *fl, bool *null, bool *eol)
{
    if (p < end && *p == '"') {
        char *w = ++p, *b = p;
        for (;;) {
            if (p >= end)
                return NULL;
            if (*p == '"') {
                if (p + 1 < end && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                    continue;
                }
                if (p + 1 >= end)
                    return NULL;
                p++;
                break;
            }
            *w++ = *p++;
        }
        *fb = b;
        *fl = (size_t)(w - b);
        *null = false;
        if (*p == ',') {
            *eol = false;
            return p + 1;
        }
        if (*p == '\r' && p + 1 < end && p[1] == '\n')
            p++;
        if (*p != '\n')
            return p;  /* garbage after the quote: the caller sees !eol && no ',' */
        *eol = true;
        return p + 1;
    }
    static const uint8_t stop[256] = {[','] = 1, ['\n'] = 1};
    char *b = p;
    while (p < end && !stop[(uint8_t)*p])
        p++;
    if (p >= end)
        return NULL;
    *fb = b;
    *fl = (size_t)(p - b);
    *eol = *p == '\n';
    if (*eol && *fl > 0 && b[*fl - 1] == '\r')
        (*fl)--;
    *null = *fl == 0;
    return p + 1;
}

long nx_parse_bids(char *buf, size_t len, NxBid *rows, size_t max,
                   size_t *consumed, long *bad_line)
{
    char *p = buf, *end = buf + len;
    size_t nrows = 0;
    *consumed = 0;
    while (p < end && nrows < max) {
        char *f[7];
        size_t fl[7];
        bool null[7], eol = false;
        char *q = p;
        int nf = 0;
        for (; nf < 7; nf++) {
            char *next = csv_field(q, end, &f[nf], &fl[nf], &null[nf], &eol);
            if (!next)
                goto done;   /* incomplete line */
            q = next;
            if (eol) {
                nf++;
                break;
            }
            if (q[-1] != ',')
                goto bad;
        }
        if (nf != 7 || !eol)
            goto bad;
        NxBid *b = &rows[nrows];
        if (null[0] || null[1] || null[2] || null[5] ||
            !nx_parse_i64(f[0], fl[0], &b->auction) ||
            !nx_parse_i64(f[1], fl[1], &b->bidder) ||
            !nx_parse_i64(f[2], fl[2], &b->price) ||
            !nx_parse_timestamp(f[5], fl[5], &b->date_time))
            goto bad;
        b->channel = (NxStr){null[3] ? NULL : f[3], (uint32_t)fl[3]};
        b->url = (NxStr){null[4] ? NULL : f[4], (uint32_t)fl[4]};
        b->extra = (NxStr){null[6] ? NULL : f[6], (uint32_t)fl[6]};
        nrows++;
        p = q;
    }
done:
    *consumed = (size_t)(p - buf);
    return (long)nrows;
bad:
    if (bad_line) {
        long line = 1;
        for (char *c = buf; c < p; c++)
            line += *c == '\n';
        *bad_line = line;
    }
    *consumed = (size_t)(p - buf);
    return -1;
}

/* ======================================================================== */
/* Workloads                                                                */
/* ======================================================================== */

static const char *const workload_names[NX_WORKLOADS] = {"q0", "q1", "q2", "agg", "distinct"};

static const char *const workload_sql[NX_WORKLOADS] = {
    "SELECT auction, bidder, price, date_time, extra FROM bid",
    "SELECT auction, bidder, 0.908 * price AS price, date_time, extra FROM bid",
    "SELECT auction, price FROM bid WHERE auction % 123 = 0",
    "SELECT auction, count(*) AS bids, max(price) AS max_price, avg(price) AS avg_price "
    "FROM bid GROUP BY auction",
    "SELECT channel, count(DISTINCT bidder) AS bidders FROM bid GROUP BY channel",
};

const char *nx_workload_name(NxWorkload w)
{
    return (unsigned)w < NX_WORKLOADS ? workload_names[w] : "?";
}

int nx_workload_parse(const char *s, NxWorkload *out)
{
    for (int i = 0; i < NX_WORKLOADS; i++)
        if (strcmp(s, workload_names[i]) == 0) {
            *out = (NxWorkload)i;
            return 0;
        }
    return -1;
}

const char *nx_workload_sql(NxWorkload w)
{
    return (unsigned)w < NX_WORKLOADS ? workload_sql[w] : NULL;
}

/* ---- per-auction aggregate -------------------------------------------------- */

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        fprintf(stderr, "sluice-bench: out of memory\n");
        exit(2);
    }
    return p;
}

void nx_agg_init(NxAggTable *t, size_t expect)
{
    size_t cap = 64;
    while (cap < expect * 2)
        cap *= 2;
    t->slots = xcalloc(cap, sizeof *t->slots);
    t->cap = cap;
    t->n = 0;
}

void nx_agg_free(NxAggTable *t)
{
    free(t->slots);
    t->slots = NULL;
    t->cap = t->n = 0;
}

static NxAggSlot *agg_slot(NxAggSlot *slots, size_t cap, int64_t key)
{
    size_t mask = cap - 1, i = (size_t)nx_mix64((uint64_t)key) & mask;
    while (slots[i].used && slots[i].key != key)
        i = (i + 1) & mask;
    return &slots[i];
}

NxAggSlot *nx_agg_find(const NxAggTable *t, int64_t key)
{
    NxAggSlot *s = agg_slot(t->slots, t->cap, key);
    return s->used ? s : NULL;
}

static void agg_grow(NxAggTable *t)
{
    size_t cap = t->cap * 2;
    NxAggSlot *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].used)
            *agg_slot(slots, cap, t->slots[i].key) = t->slots[i];
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
}

void nx_agg_add(NxAggTable *t, int64_t key, int64_t price)
{
    NxAggSlot *s = agg_slot(t->slots, t->cap, key);
    if (!s->used) {
        if ((t->n + 1) * 2 > t->cap) {
            agg_grow(t);
            s = agg_slot(t->slots, t->cap, key);
        }
        s->used = true;
        s->key = key;
        s->count = 0;
        s->max = price;
        s->sum = 0;
        t->n++;
    }
    s->count++;
    if (price > s->max)
        s->max = price;
    s->sum += price;
}

/* ---- sets and count(DISTINCT) ---------------------------------------------- */

static void set_init(NxSet *s)
{
    s->cap = 16;
    s->n = 0;
    s->keys = xcalloc(s->cap, sizeof *s->keys);
    s->used = xcalloc(s->cap, 1);
}

static void set_free(NxSet *s)
{
    free(s->keys);
    free(s->used);
}

static void set_put(NxSet *s, int64_t k);

static void set_grow(NxSet *s)
{
    NxSet old = *s;
    s->cap *= 2;
    s->n = 0;
    s->keys = xcalloc(s->cap, sizeof *s->keys);
    s->used = xcalloc(s->cap, 1);
    for (size_t i = 0; i < old.cap; i++)
        if (old.used[i])
            set_put(s, old.keys[i]);
    set_free(&old);
}

static void set_put(NxSet *s, int64_t k)
{
    size_t mask = s->cap - 1, i = (size_t)nx_mix64((uint64_t)k) & mask;
    while (s->used[i]) {
        if (s->keys[i] == k)
            return;
        i = (i + 1) & mask;
    }
    if ((s->n + 1) * 2 > s->cap) {
        set_grow(s);
        set_put(s, k);
        return;
    }
    s->used[i] = 1;
    s->keys[i] = k;
    s->n++;
}

void nx_distinct_init(NxDistinct *d)
{
    d->cap = 64;
    d->n = 0;
    d->chans = xcalloc(d->cap, sizeof *d->chans);
}

void nx_distinct_free(NxDistinct *d)
{
    for (size_t i = 0; i < d->cap; i++)
        if (d->chans[i].name) {
            free(d->chans[i].name);
            set_free(&d->chans[i].bidders);
        }
    free(d->chans);
    d->chans = NULL;
    d->cap = d->n = 0;
}

static NxChan *chan_slot(NxChan *chans, size_t cap, const char *p, uint32_t len, uint64_t h)
{
    size_t mask = cap - 1, i = (size_t)h & mask;
    while (chans[i].name &&
           !(chans[i].hash == h && chans[i].len == len && memcmp(chans[i].name, p, len) == 0))
        i = (i + 1) & mask;
    return &chans[i];
}

const NxChan *nx_distinct_find(const NxDistinct *d, const char *chan, uint32_t len)
{
    NxChan *c = chan_slot(d->chans, d->cap, chan, len, nx_hash_bytes(chan, len));
    return c->name ? c : NULL;
}

void nx_distinct_add(NxDistinct *d, const char *chan, uint32_t len, int64_t bidder)
{
    uint64_t h = nx_hash_bytes(chan, len);
    NxChan *c = chan_slot(d->chans, d->cap, chan, len, h);
    if (!c->name) {
        if ((d->n + 1) * 2 > d->cap) {
            size_t cap = d->cap * 2;
            NxChan *chans = xcalloc(cap, sizeof *chans);
            for (size_t i = 0; i < d->cap; i++)
                if (d->chans[i].name)
                    *chan_slot(chans, cap, d->chans[i].name, d->chans[i].len, d->chans[i].hash) =
                        d->chans[i];
            free(d->chans);
            d->chans = chans;
            d->cap = cap;
            c = chan_slot(d->chans, d->cap, chan, len, h);
        }
        c->name = xcalloc(len + 1, 1);
        memcpy(c->name, chan, len);
        c->len = len;
        c->hash = h;
        set_init(&c->bidders);
        d->n++;
    }
    set_put(&c->bidders, bidder);
}

/* ---- answers ---------------------------------------------------------------- */

void nx_answer_init(NxAnswer *a, NxWorkload w)
{
    memset(a, 0, sizeof *a);
    a->w = w;
    if (w == NX_AGG)
        nx_agg_init(&a->agg, 1024);
    if (w == NX_DISTINCT)
        nx_distinct_init(&a->distinct);
}

void nx_answer_free(NxAnswer *a)
{
    if (a->agg.slots)
        nx_agg_free(&a->agg);
    if (a->distinct.chans)
        nx_distinct_free(&a->distinct);
}

void nx_answer_add(NxAnswer *a, const NxBid *rows, size_t n)
{
    switch (a->w) {
    case NX_Q0:
        for (size_t i = 0; i < n; i++) {
            const NxBid *b = &rows[i];
            a->checksum += nx_row_hash_q0(b->auction, b->bidder, b->price * 1000, b->date_time,
                                          b->extra.p, b->extra.len);
        }
        a->rows += n;
        break;
    case NX_Q1:
        for (size_t i = 0; i < n; i++) {
            const NxBid *b = &rows[i];
            /* 0.908 * price, exact, in thousandths */
            a->checksum += nx_row_hash_q0(b->auction, b->bidder, b->price * 908, b->date_time,
                                          b->extra.p, b->extra.len);
        }
        a->rows += n;
        break;
    case NX_Q2:
        for (size_t i = 0; i < n; i++) {
            const NxBid *b = &rows[i];
            if (b->auction % 123 == 0) {
                a->checksum += nx_row_hash_q2(b->auction, b->price);
                a->rows++;
            }
        }
        break;
    case NX_AGG:
        for (size_t i = 0; i < n; i++)
            nx_agg_add(&a->agg, rows[i].auction, rows[i].price);
        a->rows = a->agg.n;
        break;
    case NX_DISTINCT:
        for (size_t i = 0; i < n; i++)
            nx_distinct_add(&a->distinct, rows[i].channel.p ? rows[i].channel.p : "",
                            rows[i].channel.len, rows[i].bidder);
        a->rows = a->distinct.n;
        break;
    case NX_WORKLOADS:
        break;
    }
}
