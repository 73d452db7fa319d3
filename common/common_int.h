/*
 * common_int.h — internals shared by the files of common/ (not public).
 */
#ifndef SL_COMMON_INT_H
#define SL_COMMON_INT_H

#include "sl_common.h"

/* numeric.c */
__int128 sl_pow10_i128(int n);
int sl_numeric_ndigits(__int128 v);
bool sl_numeric_fits(__int128 v);
int sl_numeric_overflow(SlError *err);
__int128 sl_numeric_round_div(__int128 v, int n);
int sl_numeric_rescale(__int128 v, int from, int to, __int128 *out, SlError *err);
int sl_numeric_parse(const char *s, size_t n, __int128 *v, int *scale, bool *bad);
void sl_numeric_format(__int128 v, int scale, SlBuf *out);
int sl_numeric_div_scale(const SlValue *a, const SlValue *b);
int sl_numeric_mod(const SlValue *a, const SlValue *b, SlValue *out, SlError *err);
void sl_numeric_send(__int128 v, int scale, SlBuf *out);
int sl_numeric_recv(const char *data, size_t len, SlValue *out, SlError *err);
double sl_numeric_to_double(__int128 v, int scale);
/* a * b at scale sa + sb (rounded to SL_NUMERIC_MAX_SCALE when larger),
 * exact through a 256-bit product. */
int sl_numeric_mul(const SlValue *a, const SlValue *b, SlValue *out, SlError *err);

/* datetime.c */
#define SL_TS_NOBEGIN INT64_MIN
#define SL_TS_NOEND INT64_MAX
#define SL_USECS_PER_DAY 86400000000LL
/* PostgreSQL's range: 4714-11-24 00:00:00 BC up to, not including,
 * 294277-01-01 00:00:00 (microseconds since 2000-01-01). */
#define SL_TS_MIN (-211813488000000000LL)
#define SL_TS_END (9223371331200000000LL)
bool sl_timestamp_in_range(int64_t ts);
bool sl_is_leap(int64_t y);
int64_t sl_days_from_civil(int64_t y, int m, int d);
void sl_civil_from_days(int64_t days, int64_t *y, int *m, int *d);
/* 0 ok, -1 bad syntax, -2 field out of range, -3 timestamp out of range,
 * -4 time zone displacement out of range */
int sl_timestamp_parse(const char *s, size_t n, bool with_tz, int64_t *out);
void sl_timestamp_format(int64_t ts, bool with_tz, SlBuf *out);
/* 0 ok, -1 bad syntax, -2 field out of range */
int sl_interval_parse(const char *s, size_t n, SlInterval *out);
/* interval * factor and interval / factor as PostgreSQL computes them
 * (fractional months spill into days, fractional days into time). */
int sl_interval_mul(const SlInterval *iv, double factor, bool divide, SlInterval *out,
                    SlError *err);
/* The comparison key: a month counts as 30 days, a day as 24 hours. */
__int128 sl_interval_key(const SlInterval *iv);
void sl_interval_format(const SlInterval *iv, SlBuf *out);

/* value_io.c */
void sl_float8_format(double d, SlBuf *out);

#endif
