/*
 * test_bench.c — sluice-bench's generator, CSV writer/parser and baseline
 * loops (clients/bench/nexmark.h), checked against the Nexmark facts and
 * against naive computations.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nexmark.h"
#include "unit.h"

#define RATE 1000000

/* all events [0, n) as tagged CSV */
static NxOut gen_all(uint64_t seed, uint64_t n)
{
    NxOut o;
    nx_out_init(&o);
    NxGen *g = nx_gen_new(seed, RATE, NX_DEFAULT_BASE_USEC);
    NxEvent ev;
    for (uint64_t i = 0; i < n; i++) {
        nx_gen_next(g, &ev);
        nx_out_reserve(&o, 1);
        o.p[o.len++] = (char)('0' + ev.kind);
        if (ev.kind == NX_PERSON)
            nx_csv_person(&o, &ev.u.person);
        else if (ev.kind == NX_AUCTION)
            nx_csv_auction(&o, &ev.u.auction);
        else
            nx_csv_bid(&o, &ev.u.bid);
    }
    nx_gen_free(g);
    return o;
}

static void test_deterministic(void)
{
    NxOut a = gen_all(7, 20000), b = gen_all(7, 20000), c = gen_all(8, 20000);
    CU_ASSERT_TRUE(a.len > 20000 * 100);
    CU_ASSERT_EQUAL(a.len, b.len);
    CU_ASSERT_TRUE(a.len == b.len && memcmp(a.p, b.p, a.len) == 0);
    CU_ASSERT_FALSE(a.len == c.len && memcmp(a.p, c.p, a.len) == 0);
    nx_out_free(&a);
    nx_out_free(&b);
    nx_out_free(&c);

    NxRng r1, r2;
    nx_rng_seed(&r1, 42);
    nx_rng_seed(&r2, 42);
    for (int i = 0; i < 1000; i++)
        CU_ASSERT_EQUAL(nx_rng_next(&r1), nx_rng_next(&r2));
    for (int i = 0; i < 10000; i++) {
        CU_ASSERT_TRUE(nx_rng_below(&r1, 7) < 7);
        double u = nx_rng_unit(&r1);
        CU_ASSERT_TRUE(u >= 0 && u < 1);
    }
}

static void test_event_mix(void)
{
    NxGen *g = nx_gen_new(3, RATE, NX_DEFAULT_BASE_USEC);
    uint64_t count[3] = {0};
    NxEvent ev;
    for (uint64_t n = 0; n < 50 * 2000; n++) {
        nx_gen_next(g, &ev);
        count[ev.kind]++;
        uint64_t r = n % 50;
        CU_ASSERT_EQUAL(ev.kind, r == 0 ? NX_PERSON : r < 4 ? NX_AUCTION : NX_BID);
    }
    /* exactly 2 / 6 / 92 % */
    CU_ASSERT_EQUAL(count[NX_PERSON], 2000);
    CU_ASSERT_EQUAL(count[NX_AUCTION], 6000);
    CU_ASSERT_EQUAL(count[NX_BID], 92000);
    CU_ASSERT_EQUAL(nx_gen_count(g), 100000);
    nx_gen_free(g);
}

static void test_ids_and_ranges(void)
{
    NxGen *g = nx_gen_new(11, RATE, NX_DEFAULT_BASE_USEC);
    NxEvent ev;
    int64_t next_person = 1000, next_auction = 1000;
    uint64_t bids = 0, hot_auction = 0, hot_bidder = 0, hot_channel = 0, cheap = 0;
    uint64_t cold_with_id = 0, cold = 0, hot_seller = 0, auctions = 0;
    const uint64_t N = 500000;
    for (uint64_t n = 0; n < N; n++) {
        nx_gen_next(g, &ev);
        int64_t lp = nx_last_person_base0(n), la = nx_last_auction_base0(n);
        switch (ev.kind) {
        case NX_PERSON: {
            NxPerson *p = &ev.u.person;
            CU_ASSERT_EQUAL(p->id, next_person++);
            CU_ASSERT_EQUAL(p->id, lp + 1000);
            CU_ASSERT_EQUAL(p->date_time, NX_DEFAULT_BASE_USEC + (int64_t)n);
            CU_ASSERT_EQUAL(p->email.len, 7 + 1 + 5 + 4);
            CU_ASSERT_EQUAL(p->credit_card.len, 19);
            CU_ASSERT_EQUAL(p->state.len, 2);
            uint32_t d = 200 - nx_person_used(p), delta = (2 * d + 5) / 10;
            CU_ASSERT_TRUE(p->extra.len >= d - delta && p->extra.len < d + delta);
            break;
        }
        case NX_AUCTION: {
            NxAuction *a = &ev.u.auction;
            auctions++;
            CU_ASSERT_EQUAL(a->id, next_auction++);
            CU_ASSERT_EQUAL(a->id, la + 1000);
            CU_ASSERT_TRUE(a->category >= 10 && a->category < 15);
            CU_ASSERT_TRUE(a->initial_bid >= 100 && a->initial_bid <= 100000000);
            CU_ASSERT_TRUE(a->reserve > a->initial_bid);
            CU_ASSERT_TRUE(a->expires > a->date_time);
            /* 1 ms + [0, 2 * horizon): horizon = 1666 events at 1 µs = 1 ms */
            CU_ASSERT_TRUE(a->expires - a->date_time <= 3000);
            CU_ASSERT_TRUE(a->item_name.len <= 19 && a->description.len <= 99);
            if (a->seller == (lp / 100) * 100 + 1000)
                hot_seller++;
            else
                CU_ASSERT_TRUE(a->seller >= 1000 && a->seller <= lp + 1000 + 10);
            uint32_t d = 500 - nx_auction_used(a), delta = (2 * d + 5) / 10;
            CU_ASSERT_TRUE(a->extra.len >= d - delta && a->extra.len < d + delta);
            break;
        }
        case NX_BID: {
            NxBid *b = &ev.u.bid;
            bids++;
            int64_t hot_a = (la / 100) * 100 + 1000;
            if (b->auction == hot_a)
                hot_auction++;
            int64_t lo = la - 100 < 0 ? 0 : la - 100;
            CU_ASSERT_TRUE(b->auction == hot_a ||
                           (b->auction >= lo + 1000 && b->auction <= la + 10 + 1000));
            int64_t hot_b = (lp / 100) * 100 + 1 + 1000;
            int64_t people = lp + 1, active = people < 1000 ? people : 1000;
            if (b->bidder == hot_b)
                hot_bidder++;
            CU_ASSERT_TRUE(b->bidder == hot_b || (b->bidder >= people - active + 1000 &&
                                                  b->bidder < people + 10 + 1000));
            CU_ASSERT_TRUE(b->price >= 100 && b->price <= 100000000);
            if (b->price < 100000)   /* below 10^(6 / 2) dollars: half, log-uniform */
                cheap++;
            bool hot = false;
            for (int c = 0; c < NX_HOT_CHANNELS; c++)
                hot = hot || (b->channel.len == strlen(nx_hot_channels[c]) &&
                              memcmp(b->channel.p, nx_hot_channels[c], b->channel.len) == 0);
            if (hot) {
                hot_channel++;
                CU_ASSERT_TRUE(b->url.len >= 16 && memcmp(b->url.p + b->url.len - 16,
                                                          "item.htm?query=1", 16) == 0);
            } else {
                cold++;
                CU_ASSERT_TRUE(b->channel.len > 8 && memcmp(b->channel.p, "channel-", 8) == 0);
                char want[40];
                int wl = snprintf(want, sizeof want, "&channel_id=%.*s", (int)b->channel.len - 8,
                                  b->channel.p + 8);
                if (b->url.len > (uint32_t)wl &&
                    memcmp(b->url.p + b->url.len - wl, want, (size_t)wl) == 0)
                    cold_with_id++;
            }
            CU_ASSERT_TRUE(b->url.len > 24 && memcmp(b->url.p, "https://www.nexmark.com/", 24) == 0);
            CU_ASSERT_EQUAL(b->date_time, NX_DEFAULT_BASE_USEC + (int64_t)n);
            /* 100 - 32 = 68 +- round(13.6) = 14 */
            CU_ASSERT_TRUE(b->extra.len >= 54 && b->extra.len <= 81);
            break;
        }
        }
    }
    double fb = (double)bids;
    /* the hot auction: 1/2 plus the uniform draws that hit it */
    CU_ASSERT_TRUE(hot_auction / fb > 0.49 && hot_auction / fb < 0.53);
    CU_ASSERT_TRUE(hot_bidder / fb > 0.74 && hot_bidder / fb < 0.77);
    CU_ASSERT_TRUE(hot_channel / fb > 0.49 && hot_channel / fb < 0.51);
    CU_ASSERT_TRUE(cheap / fb > 0.49 && cheap / fb < 0.51);
    /* per channel, not per bid: about 90 % of the 10000 cold channels */
    CU_ASSERT_TRUE((double)cold_with_id / (double)cold > 0.87 && (double)cold_with_id / (double)cold < 0.93);
    CU_ASSERT_TRUE((double)hot_seller / (double)auctions > 0.72 && (double)hot_seller / (double)auctions < 0.78);
    nx_gen_free(g);

    /* the date_time spacing follows the rate */
    CU_ASSERT_EQUAL(nx_time_of(3, 1000, 0), 3000);
    CU_ASSERT_EQUAL(nx_time_of(7, 3, 0), 2333333);
    CU_ASSERT_EQUAL(nx_last_auction_base0(0), -1);
    CU_ASSERT_EQUAL(nx_last_auction_base0(1), 0);
    CU_ASSERT_EQUAL(nx_last_auction_base0(3), 2);
    CU_ASSERT_EQUAL(nx_last_auction_base0(49), 2);
    CU_ASSERT_EQUAL(nx_last_auction_base0(50), 2);
    CU_ASSERT_EQUAL(nx_last_auction_base0(51), 3);
    CU_ASSERT_EQUAL(nx_last_person_base0(99), 1);
}

static bool str_eq(NxStr a, NxStr b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static void test_csv_round_trip(void)
{
    NxGen *g = nx_gen_new(5, RATE, NX_DEFAULT_BASE_USEC);
    enum { N = 20000 };
    NxBid *want = calloc(N, sizeof *want), *got = calloc(N + 1, sizeof *got);
    char *texts = malloc(N * 256), *tp = texts;
    NxOut o;
    nx_out_init(&o);
    NxEvent ev;
    int n = 0;
    while (n < N) {
        nx_gen_next(g, &ev);
        if (ev.kind != NX_BID)
            continue;
        NxBid b = ev.u.bid;
        /* keep copies: the generator's strings are reused */
        NxStr *f[3] = {&b.channel, &b.url, &b.extra};
        for (int k = 0; k < 3; k++) {
            memcpy(tp, f[k]->p, f[k]->len);
            f[k]->p = tp;
            tp += f[k]->len;
        }
        /* a few rows with text that needs quoting, and an empty string */
        if (n % 1000 == 1) {
            b.channel = (NxStr){"a,\"b\"\nc", 7};
            b.extra = (NxStr){"", 0};
        }
        want[n++] = b;
        nx_csv_bid(&o, &b);
    }
    size_t consumed;
    long bad = 0;
    long got_n = nx_parse_bids(o.p, o.len, got, N + 1, &consumed, &bad);
    CU_ASSERT_EQUAL(got_n, N);
    CU_ASSERT_EQUAL(consumed, o.len);
    int diff = 0;
    for (int i = 0; i < N && got_n == N; i++) {
        NxBid *a = &want[i], *b = &got[i];
        if (a->auction != b->auction || a->bidder != b->bidder || a->price != b->price ||
            a->date_time != b->date_time || !str_eq(a->channel, b->channel) ||
            !str_eq(a->url, b->url) || !str_eq(a->extra, b->extra) || b->extra.p == NULL)
            diff++;
    }
    CU_ASSERT_EQUAL(diff, 0);

    /* an incomplete last line is left for the next buffer */
    NxOut t;
    nx_out_init(&t);
    nx_csv_bid(&t, &want[0]);
    nx_csv_bid(&t, &want[2]);
    long k = nx_parse_bids(t.p, t.len - 5, got, 10, &consumed, &bad);
    CU_ASSERT_EQUAL(k, 1);
    CU_ASSERT_EQUAL(consumed, (size_t)(memchr(t.p, '\n', t.len) - (void *)t.p) + 1);

    /* malformed lines */
    char bad1[] = "1,2,3,Google,u,2020-01-01 00:00:00,x\n1,2,oops,Google,u,2020-01-01 00:00:00,x\n";
    CU_ASSERT_EQUAL(nx_parse_bids(bad1, strlen(bad1), got, 10, &consumed, &bad), -1);
    CU_ASSERT_EQUAL(bad, 2);
    char bad2[] = "1,2,3,Google,u,2020-01-01 00:00:00\n";
    CU_ASSERT_EQUAL(nx_parse_bids(bad2, strlen(bad2), got, 10, &consumed, &bad), -1);
    char bad3[] = "1,2,3,Google,u,2020-13-01 00:00:00,x\n";
    CU_ASSERT_EQUAL(nx_parse_bids(bad3, strlen(bad3), got, 10, &consumed, &bad), -1);
    char nul[] = "1,2,3,,u,2020-01-01 00:00:00,\"\"\n";
    CU_ASSERT_EQUAL(nx_parse_bids(nul, strlen(nul), got, 10, &consumed, &bad), 1);
    CU_ASSERT_PTR_NULL(got[0].channel.p);          /* unquoted empty: NULL */
    CU_ASSERT_PTR_NOT_NULL(got[0].extra.p);        /* quoted empty: '' */
    CU_ASSERT_EQUAL(got[0].extra.len, 0);

    nx_out_free(&t);
    nx_out_free(&o);
    free(want);
    free(got);
    free(texts);
    nx_gen_free(g);
}

static void test_formatting(void)
{
    char buf[64];
    int64_t vals[] = {0, 7, -7, 99, 100, 123456789, INT64_MAX, INT64_MIN + 1, -1000};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        size_t n = nx_fmt_i64(buf, vals[i]);
        buf[n] = '\0';
        char want[32];
        snprintf(want, sizeof want, "%lld", (long long)vals[i]);
        CU_ASSERT_STRING_EQUAL(buf, want);
        int64_t back;
        CU_ASSERT_TRUE(nx_parse_i64(buf, n, &back) && back == vals[i]);
    }
    CU_ASSERT_FALSE(nx_parse_i64("9223372036854775808", 19, &vals[0]));
    CU_ASSERT_FALSE(nx_parse_i64("", 0, &vals[0]));

    struct { int64_t us; const char *s; } ts[] = {
        {0, "1970-01-01 00:00:00.000000"},
        {NX_DEFAULT_BASE_USEC, "2020-01-01 00:00:00.000000"},
        {INT64_C(951782400000000) + 1, "2000-02-29 00:00:00.000001"},
        {INT64_C(1709251199999999), "2024-02-29 23:59:59.999999"},
        {-1, "1969-12-31 23:59:59.999999"},
    };
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        size_t n = nx_fmt_timestamp(buf, ts[i].us);
        buf[n] = '\0';
        CU_ASSERT_STRING_EQUAL(buf, ts[i].s);
        int64_t back;
        CU_ASSERT_TRUE(nx_parse_timestamp(buf, n, &back) && back == ts[i].us);
    }
    int64_t us;
    CU_ASSERT_TRUE(nx_parse_timestamp("2020-01-01 00:00:01", 19, &us) &&
                   us == NX_DEFAULT_BASE_USEC + 1000000);
    CU_ASSERT_TRUE(nx_parse_timestamp("2020-01-01 00:00:01.5", 21, &us) &&
                   us == NX_DEFAULT_BASE_USEC + 1500000);

    __int128 v;
    CU_ASSERT_TRUE(nx_parse_scaled("908.000", 7, 3, &v) && v == 908000);
    CU_ASSERT_TRUE(nx_parse_scaled("12", 2, 3, &v) && v == 12000);
    CU_ASSERT_TRUE(nx_parse_scaled("1.23456", 7, 2, &v) && v == 123);
    CU_ASSERT_TRUE(nx_parse_scaled("1.235", 5, 2, &v) && v == 124);
    CU_ASSERT_TRUE(nx_parse_scaled("-1.235", 6, 2, &v) && v == -124);
    CU_ASSERT_FALSE(nx_parse_scaled("1.2.3", 5, 2, &v));
    CU_ASSERT_FALSE(nx_parse_scaled("x", 1, 2, &v));
}

typedef struct Pair {
    int64_t a, b;
    const char *c;
} Pair;

static int cmp_pair(const void *pa, const void *pb)
{
    const Pair *x = pa, *y = pb;
    int c = strcmp(x->c, y->c);
    if (c)
        return c;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

static void test_baselines_vs_naive(void)
{
    NxGen *g = nx_gen_new(9, RATE, NX_DEFAULT_BASE_USEC);
    enum { N = 30000 };
    NxBid *rows = calloc(N, sizeof *rows);
    char (*chan)[16] = calloc(N, 16);
    NxEvent ev;
    int n = 0;
    while (n < N) {
        nx_gen_next(g, &ev);
        if (ev.kind != NX_BID)
            continue;
        rows[n] = ev.u.bid;
        memcpy(chan[n], ev.u.bid.channel.p, ev.u.bid.channel.len);
        rows[n].channel.p = chan[n];
        rows[n].extra.len = 0;   /* the pad is reused; q0's hash reads it */
        n++;
    }
    nx_gen_free(g);

    NxAnswer agg, dis, q2, q0a, q0b;
    nx_answer_init(&agg, NX_AGG);
    nx_answer_init(&dis, NX_DISTINCT);
    nx_answer_init(&q2, NX_Q2);
    nx_answer_init(&q0a, NX_Q0);
    nx_answer_init(&q0b, NX_Q0);
    /* in pieces, as the modes feed it */
    nx_answer_add(&agg, rows, 1000);
    nx_answer_add(&agg, rows + 1000, N - 1000);
    nx_answer_add(&dis, rows, N);
    nx_answer_add(&q2, rows, N);
    nx_answer_add(&q0a, rows, N);
    /* the checksum does not depend on the order */
    for (int i = N - 1; i >= 0; i--)
        nx_answer_add(&q0b, &rows[i], 1);
    CU_ASSERT_EQUAL(q0a.rows, N);
    CU_ASSERT_EQUAL(q0a.checksum, q0b.checksum);

    /* naive per-auction aggregate: sort (auction, price) pairs, scan each group */
    Pair *pairs = malloc(N * sizeof *pairs);
    for (int i = 0; i < N; i++)
        pairs[i] = (Pair){rows[i].auction, rows[i].price, ""};
    qsort(pairs, N, sizeof *pairs, cmp_pair);
    size_t groups = 0, mismatches = 0;
    for (int i = 0; i < N;) {
        int j = i;
        int64_t cnt = 0, mx = INT64_MIN, sum = 0;
        for (; j < N && pairs[j].a == pairs[i].a; j++) {
            cnt++;
            sum += pairs[j].b;
            if (pairs[j].b > mx)
                mx = pairs[j].b;
        }
        groups++;
        const NxAggSlot *s = nx_agg_find(&agg.agg, pairs[i].a);
        if (!s || s->count != cnt || s->max != mx || s->sum != sum)
            mismatches++;
        i = j;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT_EQUAL(agg.rows, groups);
    CU_ASSERT_PTR_NULL(nx_agg_find(&agg.agg, -5));

    /* naive count(DISTINCT bidder) per channel: sort (channel, bidder) */
    for (int i = 0; i < N; i++)
        pairs[i] = (Pair){0, rows[i].bidder, chan[i]};
    qsort(pairs, N, sizeof *pairs, cmp_pair);
    size_t chans = 0;
    mismatches = 0;
    for (int i = 0; i < N;) {
        int j = i;
        size_t distinct = 0;
        for (; j < N && strcmp(pairs[j].c, pairs[i].c) == 0; j++)
            distinct += j == i || pairs[j].b != pairs[j - 1].b;
        chans++;
        const NxChan *c = nx_distinct_find(&dis.distinct, pairs[i].c, (uint32_t)strlen(pairs[i].c));
        if (!c || c->bidders.n != distinct)
            mismatches++;
        i = j;
    }
    CU_ASSERT_EQUAL(mismatches, 0);
    CU_ASSERT_EQUAL(dis.rows, chans);
    CU_ASSERT_PTR_NULL(nx_distinct_find(&dis.distinct, "nope", 4));

    /* q2: the filter */
    uint64_t want = 0, sum = 0;
    for (int i = 0; i < N; i++)
        if (rows[i].auction % 123 == 0) {
            want++;
            sum += nx_row_hash_q2(rows[i].auction, rows[i].price);
        }
    CU_ASSERT_EQUAL(q2.rows, want);
    CU_ASSERT_EQUAL(q2.checksum, sum);
    CU_ASSERT_TRUE(want > 0);

    free(pairs);
    nx_answer_free(&agg);
    nx_answer_free(&dis);
    nx_answer_free(&q2);
    nx_answer_free(&q0a);
    nx_answer_free(&q0b);
    free(rows);
    free(chan);
}

static void test_workloads(void)
{
    NxWorkload w;
    CU_ASSERT_EQUAL(nx_workload_parse("agg", &w), 0);
    CU_ASSERT_EQUAL(w, NX_AGG);
    CU_ASSERT_EQUAL(nx_workload_parse("q9", &w), -1);
    for (int i = 0; i < NX_WORKLOADS; i++) {
        CU_ASSERT_EQUAL(nx_workload_parse(nx_workload_name((NxWorkload)i), &w), 0);
        CU_ASSERT_PTR_NOT_NULL(strstr(nx_workload_sql((NxWorkload)i), "FROM bid"));
    }
}

static const SlUnitTest bench_tests[] = {
    {"generator is deterministic for a seed", test_deterministic},
    {"event mix is exactly 2/6/92 %", test_event_mix},
    {"ids, hot keys, prices, channels, padding", test_ids_and_ranges},
    {"CSV round-trips through the ingestion parser", test_csv_round_trip},
    {"number and timestamp formatting", test_formatting},
    {"baseline loops agree with naive answers", test_baselines_vs_naive},
    {"workload names and SQL", test_workloads},
    {NULL, NULL},
};
SL_UNIT_SUITE("bench", bench_tests)
