/*
 * nexmark.h — sluice-bench's internals: the Nexmark generator, the CSV
 * writer and parser, and the baseline ("limit") loops that compute each
 * workload's answer without a server. Internal to clients/bench; the unit
 * tests (tests/unit/test_bench.c) link the same code as libsl_bench.a.
 *
 * The generator follows docs of the reference Nexmark generator restated in
 * /work/shared/nexmark.md (see docs/benchmarks.md, "The generator"):
 *   - event kind by n mod 50: 0 person, 1..3 auction, 4..49 bid;
 *   - ids are base-0 internally and 1000 is added when a row is emitted;
 *   - hot auctions, bidders and sellers with the ratio 100;
 *   - log-uniform prices, padding of extra to an average size;
 *   - date_time = base + n * 1e6 / rate microseconds.
 * It is deterministic for a seed: xoshiro256** seeded by splitmix64.
 *
 * Strings of a generated event point into the generator (tables built at
 * nx_gen_init, a scratch buffer rewritten by the next event): they stay
 * valid until the next nx_gen_next call, the tables until nx_gen_free.
 */
#ifndef SL_BENCH_NEXMARK_H
#define SL_BENCH_NEXMARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- PRNG ---------------------------------------------------------------- */

typedef struct NxRng {
    uint64_t s[4];
} NxRng;

void nx_rng_seed(NxRng *r, uint64_t seed);     /* splitmix64 -> xoshiro256** */
uint64_t nx_rng_next(NxRng *r);
uint64_t nx_rng_below(NxRng *r, uint64_t n);   /* uniform in [0, n), n > 0 */
double nx_rng_unit(NxRng *r);                  /* uniform in [0, 1) */

/* ---- constants of the workload ------------------------------------------- */

enum {
    NX_PROPORTION_TOTAL = 50,
    NX_PERSON_PROPORTION = 1,
    NX_AUCTION_PROPORTION = 3,
    NX_FIRST_PERSON_ID = 1000,
    NX_FIRST_AUCTION_ID = 1000,
    NX_FIRST_CATEGORY_ID = 10,
    NX_NUM_CATEGORIES = 5,
    NX_HOT_RATIO = 100,
    NX_IN_FLIGHT_AUCTIONS = 100,
    NX_AUCTION_ID_LEAD = 10,
    NX_ACTIVE_PEOPLE = 1000,
    NX_PERSON_ID_LEAD = 10,
    NX_HOT_CHANNELS = 4,
    NX_COLD_CHANNELS = 10000,
    NX_AVG_PERSON_BYTES = 200,
    NX_AVG_AUCTION_BYTES = 500,
    NX_AVG_BID_BYTES = 100,
};

/* 2020-01-01 00:00:00 UTC in microseconds since the Unix epoch */
#define NX_DEFAULT_BASE_USEC INT64_C(1577836800000000)
#define NX_DEFAULT_RATE 1000000

typedef enum NxKind { NX_PERSON = 0, NX_AUCTION = 1, NX_BID = 2 } NxKind;

/* a text slice; not NUL-terminated */
typedef struct NxStr {
    const char *p;
    uint32_t len;
} NxStr;

typedef struct NxPerson {
    int64_t id;
    NxStr name, email, credit_card, city, state;
    int64_t date_time; /* µs since the Unix epoch, UTC */
    NxStr extra;
} NxPerson;

typedef struct NxAuction {
    int64_t id;
    NxStr item_name, description;
    int64_t initial_bid, reserve, date_time, expires, seller, category;
    NxStr extra;
} NxAuction;

typedef struct NxBid {
    int64_t auction, bidder, price, date_time;
    NxStr channel, url, extra;
} NxBid;

typedef struct NxEvent {
    NxKind kind;
    union {
        NxPerson person;
        NxAuction auction;
        NxBid bid;
    } u;
} NxEvent;

/* ---- the generator -------------------------------------------------------- */

typedef struct NxGen NxGen;

/* rate: events per second of event time (date_time spacing); > 0 */
NxGen *nx_gen_new(uint64_t seed, int64_t rate, int64_t base_usec);
void nx_gen_free(NxGen *g);
/* the event numbered n (events are generated in order: n = 0, 1, 2, ...) */
void nx_gen_next(NxGen *g, NxEvent *ev);
uint64_t nx_gen_count(const NxGen *g);          /* events generated so far */

/* pure functions of the event number */
NxKind nx_kind_of(uint64_t n);
int64_t nx_last_person_base0(uint64_t n);       /* may be -1 before the first */
int64_t nx_last_auction_base0(uint64_t n);
int64_t nx_time_of(uint64_t n, int64_t rate, int64_t base_usec);
/* the "bytes already used" before extra, as the reference generator counts them */
uint32_t nx_person_used(const NxPerson *p);
uint32_t nx_auction_used(const NxAuction *a);
uint32_t nx_bid_used(const NxBid *b);

/* hot channel names */
extern const char *const nx_hot_channels[NX_HOT_CHANNELS];

/* ---- CSV output ----------------------------------------------------------- */

/* A growable output buffer; the writers append to it. */
typedef struct NxOut {
    char *p;
    size_t len, cap;
} NxOut;

void nx_out_init(NxOut *o);
void nx_out_free(NxOut *o);
void nx_out_reserve(NxOut *o, size_t extra);

/* one CSV line (with '\n') in PostgreSQL's CSV format: text quoted only when
 * needed, the empty string as "", timestamps as YYYY-MM-DD HH:MM:SS.ffffff */
void nx_csv_person(NxOut *o, const NxPerson *p);
void nx_csv_auction(NxOut *o, const NxAuction *a);
void nx_csv_bid(NxOut *o, const NxBid *b);
/* the formatting pieces, exported for tests */
size_t nx_fmt_i64(char *dst, int64_t v);        /* no NUL; returns length */
size_t nx_fmt_timestamp(char *dst, int64_t usec); /* 26 bytes, no NUL */

/* column lists for CREATE STREAM / CREATE TABLE */
extern const char nx_bid_columns_sql[];
extern const char nx_person_columns_sql[];
extern const char nx_auction_columns_sql[];

/* ---- CSV input: the ingestion limit ---------------------------------------- */

/*
 * Parses CSV bid lines in buf[0, len) into rows, in place: quoted fields are
 * unescaped inside buf, so text slices point into buf and buf must outlive
 * the rows. Returns the number of rows parsed into rows[0, max) and sets
 * *consumed to the bytes of complete lines parsed; -1 on a malformed line
 * (its 1-based number in *bad_line).
 */
long nx_parse_bids(char *buf, size_t len, NxBid *rows, size_t max,
                   size_t *consumed, long *bad_line);
/* parse pieces, exported for tests and the answer checks */
bool nx_parse_i64(const char *p, size_t n, int64_t *out);
bool nx_parse_timestamp(const char *p, size_t n, int64_t *usec);
/* numeric text (e.g. "12.3400") times 10^scale, rounded half away from 0 */
bool nx_parse_scaled(const char *p, size_t n, int scale, __int128 *out);

/* ---- the processing limits and the answers --------------------------------- */

typedef enum NxWorkload {
    NX_Q0 = 0, NX_Q1, NX_Q2, NX_AGG, NX_DISTINCT, NX_WORKLOADS
} NxWorkload;

const char *nx_workload_name(NxWorkload w);
int nx_workload_parse(const char *s, NxWorkload *out);  /* 0 ok, -1 unknown */
/* the view's SELECT over stream `stream` */
const char *nx_workload_sql(NxWorkload w);

/* per-auction aggregate */
typedef struct NxAggSlot {
    int64_t key;         /* auction */
    int64_t count, max;
    __int128 sum;
    bool used;
} NxAggSlot;

typedef struct NxAggTable {
    NxAggSlot *slots;
    size_t cap, n;       /* cap is a power of two */
} NxAggTable;

void nx_agg_init(NxAggTable *t, size_t expect);
void nx_agg_free(NxAggTable *t);
NxAggSlot *nx_agg_find(const NxAggTable *t, int64_t key);  /* NULL if absent */
void nx_agg_add(NxAggTable *t, int64_t key, int64_t price);

/* a set of int64 (bidders), open addressing */
typedef struct NxSet {
    int64_t *keys;
    uint8_t *used;
    size_t cap, n;
} NxSet;

/* count(DISTINCT bidder) per channel */
typedef struct NxChan {
    char *name;
    uint32_t len;
    uint64_t hash;
    NxSet bidders;
} NxChan;

typedef struct NxDistinct {
    NxChan *chans;       /* open addressing on the channel's hash */
    size_t cap, n;
} NxDistinct;

void nx_distinct_init(NxDistinct *d);
void nx_distinct_free(NxDistinct *d);
void nx_distinct_add(NxDistinct *d, const char *chan, uint32_t len, int64_t bidder);
const NxChan *nx_distinct_find(const NxDistinct *d, const char *chan, uint32_t len);

/*
 * The answer of a workload over a set of rows. q0/q1/q2 (row-per-event
 * views) are compared by row count and an order-independent checksum of the
 * rows' values (sum of a 64-bit hash per row); agg and distinct by their
 * groups.
 */
typedef struct NxAnswer {
    NxWorkload w;
    uint64_t rows;       /* rows of the view (groups for agg/distinct) */
    uint64_t checksum;   /* q0/q1/q2 */
    NxAggTable agg;      /* NX_AGG */
    NxDistinct distinct; /* NX_DISTINCT */
} NxAnswer;

void nx_answer_init(NxAnswer *a, NxWorkload w);
void nx_answer_free(NxAnswer *a);
/* the processing-limit loop: fold rows into the answer */
void nx_answer_add(NxAnswer *a, const NxBid *rows, size_t n);

/* the row hashes of the checksums (also used to hash the server's rows) */
uint64_t nx_row_hash_q0(int64_t auction, int64_t bidder, int64_t price_milli,
                        int64_t date_time, const char *extra, size_t extra_len);
uint64_t nx_row_hash_q2(int64_t auction, int64_t price);
uint64_t nx_hash_bytes(const void *p, size_t n);
uint64_t nx_mix64(uint64_t x);

#endif
