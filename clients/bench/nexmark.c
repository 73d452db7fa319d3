/*
 * nexmark.c — the Nexmark event generator and its CSV writer.
 *
 * Everything is a function of (seed, rate, base): the same arguments give
 * the same events, byte for byte. Bids, 92 % of the events, cost a handful
 * of PRNG draws and no copying: channel names and urls come from tables
 * built once from the seed, extra is a slice of a pad of random letters.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nexmark.h"

/* ======================================================================== */
/* PRNG: splitmix64 to seed xoshiro256** (both public-domain algorithms by  */
/* Vigna et al.; written here from their published definitions)            */
/* ======================================================================== */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void nx_rng_seed(NxRng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t nx_rng_next(NxRng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t nx_rng_below(NxRng *r, uint64_t n)
{
    /* multiply-shift: the high 64 bits of a 128-bit product */
    return (uint64_t)(((unsigned __int128)nx_rng_next(r) * n) >> 64);
}

double nx_rng_unit(NxRng *r)
{
    return (double)(nx_rng_next(r) >> 11) * 0x1.0p-53;
}

/* ======================================================================== */
/* Pure functions of the event number                                       */
/* ======================================================================== */

NxKind nx_kind_of(uint64_t n)
{
    uint64_t r = n % NX_PROPORTION_TOTAL;
    if (r < NX_PERSON_PROPORTION)
        return NX_PERSON;
    if (r < NX_PERSON_PROPORTION + NX_AUCTION_PROPORTION)
        return NX_AUCTION;
    return NX_BID;
}

int64_t nx_last_person_base0(uint64_t n)
{
    /* the person of this epoch exists from offset 0 on */
    return (int64_t)(n / NX_PROPORTION_TOTAL) * NX_PERSON_PROPORTION;
}

int64_t nx_last_auction_base0(uint64_t n)
{
    int64_t epoch = (int64_t)(n / NX_PROPORTION_TOTAL);
    int64_t off = (int64_t)(n % NX_PROPORTION_TOTAL);
    if (off < NX_PERSON_PROPORTION) {
        /* before this epoch's first auction: the previous epoch's last */
        epoch--;
        off = NX_AUCTION_PROPORTION - 1;
    } else if (off >= NX_PERSON_PROPORTION + NX_AUCTION_PROPORTION) {
        off = NX_AUCTION_PROPORTION - 1;
    } else {
        off -= NX_PERSON_PROPORTION;
    }
    return epoch * NX_AUCTION_PROPORTION + off;
}

int64_t nx_time_of(uint64_t n, int64_t rate, int64_t base_usec)
{
    /* exact: n * 1e6 / rate, without accumulating rounding */
    return base_usec + (int64_t)(((unsigned __int128)n * 1000000u) / (uint64_t)rate);
}

uint32_t nx_person_used(const NxPerson *p)
{
    return 8 + p->name.len + p->email.len + p->credit_card.len + p->city.len +
           p->state.len + 8;
}

uint32_t nx_auction_used(const NxAuction *a)
{
    return 8 + a->item_name.len + a->description.len + 6 * 8;
}

uint32_t nx_bid_used(const NxBid *b)
{
    (void)b;
    /* auction, bidder, price, date_time; channel and url were added to the
     * bid after the reference sizes were set and are not counted there */
    return 4 * 8;
}

/* ======================================================================== */
/* The generator                                                            */
/* ======================================================================== */

const char *const nx_hot_channels[NX_HOT_CHANNELS] = {"Google", "Facebook", "Baidu", "Apple"};

static const char *const first_names[11] = {
    "Anna", "Boris", "Clara", "Dmitri", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kiri"};
static const char *const last_names[9] = {
    "Adler", "Brandt", "Castillo", "Dorsey", "Engel", "Fischer", "Garcia", "Holm", "Ito"};
static const char *const cities[10] = {
    "Phoenix", "Tucson", "Los Angeles", "San Diego", "Boise",
    "Portland", "Eugene", "Seattle", "Spokane", "Cheyenne"};
static const char *const states[6] = {"AZ", "CA", "ID", "OR", "WA", "WY"};

#define PAD_SIZE 65536
#define PAD_MAX_SLICE 1024     /* longer than any extra (auction: 600) */
#define NCHANNELS (NX_HOT_CHANNELS + NX_COLD_CHANNELS)
#define AUCTION_HORIZON_EVENTS \
    (NX_IN_FLIGHT_AUCTIONS * NX_PROPORTION_TOTAL / NX_AUCTION_PROPORTION)

struct NxGen {
    NxRng rng;
    uint64_t n;
    int64_t rate, base;
    char pad[PAD_SIZE + PAD_MAX_SLICE];
    char *chan_text;             /* names and urls of every channel */
    NxStr chan_name[NCHANNELS];
    NxStr chan_url[NCHANNELS];
    char scratch[1024];          /* person and auction strings */
};

static void rand_letters(NxRng *r, char *dst, size_t n)
{
    while (n > 0) {
        uint64_t x = nx_rng_next(r);
        for (int k = 0; k < 8 && n > 0; k++, n--) {
            *dst++ = (char)('a' + (((x & 0xff) * 26) >> 8));
            x >>= 8;
        }
    }
}

static size_t put_str(char *dst, const char *s)
{
    size_t n = strlen(s);
    memcpy(dst, s, n);
    return n;
}

NxGen *nx_gen_new(uint64_t seed, int64_t rate, int64_t base_usec)
{
    NxGen *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    nx_rng_seed(&g->rng, seed);
    g->rate = rate > 0 ? rate : NX_DEFAULT_RATE;
    g->base = base_usec;
    rand_letters(&g->rng, g->pad, sizeof g->pad);

    /* channels: a name and a fixed url each; 90 % of the cold ones carry
     * &channel_id=<n> */
    g->chan_text = malloc((size_t)NCHANNELS * 96);
    if (!g->chan_text) {
        free(g);
        return NULL;
    }
    char *p = g->chan_text;
    for (int c = 0; c < NCHANNELS; c++) {
        char *name = p;
        if (c < NX_HOT_CHANNELS)
            p += put_str(p, nx_hot_channels[c]);
        else
            p += sprintf(p, "channel-%d", c - NX_HOT_CHANNELS);
        g->chan_name[c] = (NxStr){name, (uint32_t)(p - name)};
        char *url = p;
        p += put_str(p, "https://www.nexmark.com/");
        for (int k = 0; k < 3; k++) {
            rand_letters(&g->rng, p, 5);
            p += 5;
            *p++ = '/';
        }
        p += put_str(p, "item.htm?query=1");
        if (c >= NX_HOT_CHANNELS && nx_rng_below(&g->rng, 10) != 0)
            p += sprintf(p, "&channel_id=%d", c - NX_HOT_CHANNELS);
        g->chan_url[c] = (NxStr){url, (uint32_t)(p - url)};
    }
    return g;
}

void nx_gen_free(NxGen *g)
{
    if (!g)
        return;
    free(g->chan_text);
    free(g);
}

uint64_t nx_gen_count(const NxGen *g)
{
    return g->n;
}

static int64_t next_price(NxRng *r)
{
    return llround(pow(10.0, nx_rng_unit(r) * 6.0) * 100.0);
}

/* a base-0 person among the active ones, with a lead for future people */
static int64_t next_person_base0(NxRng *r, int64_t last_person)
{
    int64_t people = last_person + 1;
    int64_t active = people < NX_ACTIVE_PEOPLE ? people : NX_ACTIVE_PEOPLE;
    return people - active + (int64_t)nx_rng_below(r, (uint64_t)(active + NX_PERSON_ID_LEAD));
}

static NxStr next_extra(NxGen *g, uint32_t used, uint32_t avg)
{
    if (used >= avg)
        return (NxStr){g->pad, 0};
    uint32_t d = avg - used;
    uint32_t delta = (2 * d + 5) / 10;      /* round(d * 0.2) */
    uint32_t len = d - delta;
    if (delta > 0)
        len += (uint32_t)nx_rng_below(&g->rng, 2 * delta);
    uint64_t off = nx_rng_below(&g->rng, PAD_SIZE);
    return (NxStr){g->pad + off, len};
}

/* letters a-z with a space 1 time in 13, trimmed; length 3..max-1 before trimming */
static NxStr next_string(NxGen *g, char **at, int max)
{
    int n = 3 + (int)nx_rng_below(&g->rng, (uint64_t)(max - 3));
    char *s = *at;
    for (int i = 0; i < n; i++)
        s[i] = nx_rng_below(&g->rng, 13) == 0 ? ' ' : (char)('a' + nx_rng_below(&g->rng, 26));
    int b = 0, e = n;
    while (b < e && s[b] == ' ')
        b++;
    while (e > b && s[e - 1] == ' ')
        e--;
    *at += n;
    return (NxStr){s + b, (uint32_t)(e - b)};
}

static void gen_person(NxGen *g, uint64_t n, NxPerson *p)
{
    NxRng *r = &g->rng;
    char *at = g->scratch;
    p->id = nx_last_person_base0(n) + NX_FIRST_PERSON_ID;

    char *s = at;
    at += put_str(at, first_names[nx_rng_below(r, 11)]);
    *at++ = ' ';
    at += put_str(at, last_names[nx_rng_below(r, 9)]);
    p->name = (NxStr){s, (uint32_t)(at - s)};

    s = at;
    rand_letters(r, at, 7);
    at += 7;
    *at++ = '@';
    rand_letters(r, at, 5);
    at += 5;
    at += put_str(at, ".com");
    p->email = (NxStr){s, (uint32_t)(at - s)};

    s = at;
    for (int grp = 0; grp < 4; grp++) {
        if (grp)
            *at++ = ' ';
        for (int k = 0; k < 4; k++)
            *at++ = (char)('0' + nx_rng_below(r, 10));
    }
    p->credit_card = (NxStr){s, (uint32_t)(at - s)};

    const char *c = cities[nx_rng_below(r, 10)];
    p->city = (NxStr){c, (uint32_t)strlen(c)};
    const char *st = states[nx_rng_below(r, 6)];
    p->state = (NxStr){st, 2};
    p->date_time = nx_time_of(n, g->rate, g->base);
    p->extra = next_extra(g, nx_person_used(p), NX_AVG_PERSON_BYTES);
}

static void gen_auction(NxGen *g, uint64_t n, NxAuction *a)
{
    NxRng *r = &g->rng;
    char *at = g->scratch;
    int64_t last_person = nx_last_person_base0(n);

    a->id = nx_last_auction_base0(n) + NX_FIRST_AUCTION_ID;
    a->item_name = next_string(g, &at, 20);
    a->description = next_string(g, &at, 100);
    a->initial_bid = next_price(r);
    a->reserve = a->initial_bid + next_price(r);
    a->date_time = nx_time_of(n, g->rate, g->base);
    /* expires: 1 ms + uniform [0, 2 * horizon), the horizon being the time in
     * which 100 * 50 / 3 more events are generated; in milliseconds */
    int64_t horizon_ms = (nx_time_of(n + AUCTION_HORIZON_EVENTS, g->rate, g->base) - a->date_time) / 1000;
    uint64_t span = horizon_ms * 2 > 1 ? (uint64_t)(horizon_ms * 2) : 1;
    a->expires = a->date_time + (1 + (int64_t)nx_rng_below(r, span)) * 1000;
    if (nx_rng_below(r, 4) != 0)
        a->seller = (last_person / NX_HOT_RATIO) * NX_HOT_RATIO;
    else
        a->seller = next_person_base0(r, last_person);
    a->seller += NX_FIRST_PERSON_ID;
    a->category = NX_FIRST_CATEGORY_ID + (int64_t)nx_rng_below(r, NX_NUM_CATEGORIES);
    a->extra = next_extra(g, nx_auction_used(a), NX_AVG_AUCTION_BYTES);
}

static void gen_bid(NxGen *g, uint64_t n, NxBid *b)
{
    NxRng *r = &g->rng;
    int64_t last_auction = nx_last_auction_base0(n);
    int64_t last_person = nx_last_person_base0(n);

    if (nx_rng_below(r, 2) == 0) {
        b->auction = (last_auction / NX_HOT_RATIO) * NX_HOT_RATIO;
    } else {
        int64_t lo = last_auction - NX_IN_FLIGHT_AUCTIONS;
        if (lo < 0)
            lo = 0;
        b->auction = lo + (int64_t)nx_rng_below(r, (uint64_t)(last_auction + NX_AUCTION_ID_LEAD - lo + 1));
    }
    b->auction += NX_FIRST_AUCTION_ID;

    if (nx_rng_below(r, 4) != 0)
        b->bidder = (last_person / NX_HOT_RATIO) * NX_HOT_RATIO + 1;
    else
        b->bidder = next_person_base0(r, last_person);
    b->bidder += NX_FIRST_PERSON_ID;

    b->price = next_price(r);
    int c = nx_rng_below(r, 2) == 0 ? (int)nx_rng_below(r, NX_HOT_CHANNELS)
                                    : NX_HOT_CHANNELS + (int)nx_rng_below(r, NX_COLD_CHANNELS);
    b->channel = g->chan_name[c];
    b->url = g->chan_url[c];
    b->date_time = nx_time_of(n, g->rate, g->base);
    b->extra = next_extra(g, nx_bid_used(b), NX_AVG_BID_BYTES);
}

void nx_gen_next(NxGen *g, NxEvent *ev)
{
    uint64_t n = g->n++;
    ev->kind = nx_kind_of(n);
    switch (ev->kind) {
    case NX_PERSON:
        gen_person(g, n, &ev->u.person);
        break;
    case NX_AUCTION:
        gen_auction(g, n, &ev->u.auction);
        break;
    case NX_BID:
        gen_bid(g, n, &ev->u.bid);
        break;
    }
}

/* ======================================================================== */
/* CSV output                                                               */
/* ======================================================================== */

const char nx_bid_columns_sql[] =
    "auction BIGINT, bidder BIGINT, price BIGINT, channel TEXT, url TEXT, "
    "date_time TIMESTAMP, extra TEXT";
const char nx_person_columns_sql[] =
    "id BIGINT, name TEXT, email_address TEXT, credit_card TEXT, city TEXT, "
    "state TEXT, date_time TIMESTAMP, extra TEXT";
const char nx_auction_columns_sql[] =
    "id BIGINT, item_name TEXT, description TEXT, initial_bid BIGINT, "
    "reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, "
    "category BIGINT, extra TEXT";

void nx_out_init(NxOut *o)
{
    o->p = NULL;
    o->len = o->cap = 0;
}

void nx_out_free(NxOut *o)
{
    free(o->p);
    nx_out_init(o);
}

void nx_out_reserve(NxOut *o, size_t extra)
{
    if (o->len + extra <= o->cap)
        return;
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + extra)
        cap *= 2;
    char *p = realloc(o->p, cap);
    if (!p) {
        fprintf(stderr, "sluice-bench: out of memory (%zu bytes)\n", cap);
        exit(2);
    }
    o->p = p;
    o->cap = cap;
}

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

size_t nx_fmt_i64(char *dst, int64_t v)
{
    char tmp[24];
    char *e = tmp + sizeof tmp, *p = e;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--p = digit_pairs[d + 1];
        *--p = digit_pairs[d];
    }
    if (u >= 10) {
        *--p = digit_pairs[u * 2 + 1];
        *--p = digit_pairs[u * 2];
    } else {
        *--p = (char)('0' + u);
    }
    if (v < 0)
        *--p = '-';
    size_t n = (size_t)(e - p);
    memcpy(dst, p, n);
    return n;
}

/* days since 1970-01-01 to a civil date (the proleptic Gregorian
 * calendar, computed in 400-year eras) */
static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;                                 /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);          /* [0, 365] */
    int64_t mp = (5 * doy + 2) / 153;                               /* [0, 11] */
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static inline void put2(char *dst, unsigned v)
{
    dst[0] = digit_pairs[v * 2];
    dst[1] = digit_pairs[v * 2 + 1];
}

size_t nx_fmt_timestamp(char *dst, int64_t usec)
{
    static __thread int64_t cached_day = INT64_MIN;
    static __thread char cached_date[10];
    int64_t day = usec / INT64_C(86400000000);
    int64_t rem = usec % INT64_C(86400000000);
    if (rem < 0) {
        rem += INT64_C(86400000000);
        day--;
    }
    if (day != cached_day) {
        int y, m, d;
        civil_from_days(day, &y, &m, &d);
        put2(cached_date, (unsigned)(y / 100) % 100);
        put2(cached_date + 2, (unsigned)(y % 100));
        cached_date[4] = '-';
        put2(cached_date + 5, (unsigned)m);
        cached_date[7] = '-';
        put2(cached_date + 8, (unsigned)d);
        cached_day = day;
    }
    memcpy(dst, cached_date, 10);
    int64_t secs = rem / 1000000;
    unsigned frac = (unsigned)(rem % 1000000);
    dst[10] = ' ';
    put2(dst + 11, (unsigned)(secs / 3600));
    dst[13] = ':';
    put2(dst + 14, (unsigned)(secs / 60 % 60));
    dst[16] = ':';
    put2(dst + 17, (unsigned)(secs % 60));
    dst[19] = '.';
    put2(dst + 20, frac / 10000);
    put2(dst + 22, frac / 100 % 100);
    put2(dst + 24, frac % 100);
    return 26;
}

/* characters that force quoting in CSV */
static const uint8_t csv_special[256] = {['"'] = 1, [','] = 1, ['\n'] = 1, ['\r'] = 1, ['\\'] = 1};

/* room: 2 * len + 3 */
static inline char *put_text(char *dst, NxStr s)
{
    bool quote = s.len == 0;
    for (uint32_t i = 0; i < s.len && !quote; i++)
        quote = csv_special[(uint8_t)s.p[i]];
    if (!quote) {
        memcpy(dst, s.p, s.len);
        return dst + s.len;
    }
    *dst++ = '"';
    for (uint32_t i = 0; i < s.len; i++) {
        if (s.p[i] == '"')
            *dst++ = '"';
        *dst++ = s.p[i];
    }
    *dst++ = '"';
    return dst;
}

#define TEXT_ROOM(s) (2 * (size_t)(s).len + 3)

void nx_csv_bid(NxOut *o, const NxBid *b)
{
    nx_out_reserve(o, 4 * 21 + 26 + TEXT_ROOM(b->channel) + TEXT_ROOM(b->url) +
                          TEXT_ROOM(b->extra) + 8);
    char *p = o->p + o->len;
    p += nx_fmt_i64(p, b->auction);
    *p++ = ',';
    p += nx_fmt_i64(p, b->bidder);
    *p++ = ',';
    p += nx_fmt_i64(p, b->price);
    *p++ = ',';
    p = put_text(p, b->channel);
    *p++ = ',';
    p = put_text(p, b->url);
    *p++ = ',';
    p += nx_fmt_timestamp(p, b->date_time);
    *p++ = ',';
    p = put_text(p, b->extra);
    *p++ = '\n';
    o->len = (size_t)(p - o->p);
}

void nx_csv_person(NxOut *o, const NxPerson *x)
{
    nx_out_reserve(o, 21 + 26 + TEXT_ROOM(x->name) + TEXT_ROOM(x->email) +
                          TEXT_ROOM(x->credit_card) + TEXT_ROOM(x->city) +
                          TEXT_ROOM(x->state) + TEXT_ROOM(x->extra) + 8);
    char *p = o->p + o->len;
    p += nx_fmt_i64(p, x->id);
    *p++ = ',';
    p = put_text(p, x->name);
    *p++ = ',';
    p = put_text(p, x->email);
    *p++ = ',';
    p = put_text(p, x->credit_card);
    *p++ = ',';
    p = put_text(p, x->city);
    *p++ = ',';
    p = put_text(p, x->state);
    *p++ = ',';
    p += nx_fmt_timestamp(p, x->date_time);
    *p++ = ',';
    p = put_text(p, x->extra);
    *p++ = '\n';
    o->len = (size_t)(p - o->p);
}

void nx_csv_auction(NxOut *o, const NxAuction *a)
{
    nx_out_reserve(o, 5 * 21 + 2 * 26 + TEXT_ROOM(a->item_name) +
                          TEXT_ROOM(a->description) + TEXT_ROOM(a->extra) + 12);
    char *p = o->p + o->len;
    p += nx_fmt_i64(p, a->id);
    *p++ = ',';
    p = put_text(p, a->item_name);
    *p++ = ',';
    p = put_text(p, a->description);
    *p++ = ',';
    p += nx_fmt_i64(p, a->initial_bid);
    *p++ = ',';
    p += nx_fmt_i64(p, a->reserve);
    *p++ = ',';
    p += nx_fmt_timestamp(p, a->date_time);
    *p++ = ',';
    p += nx_fmt_timestamp(p, a->expires);
    *p++ = ',';
    p += nx_fmt_i64(p, a->seller);
    *p++ = ',';
    p += nx_fmt_i64(p, a->category);
    *p++ = ',';
    p = put_text(p, a->extra);
    *p++ = '\n';
    o->len = (size_t)(p - o->p);
}
