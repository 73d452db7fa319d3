/*
 * ex_agg.h — internals of executor/: aggregate accumulators (agg.c) and
 * aggregation of a SELECT's rows (agg_group.c). Used by the engine and,
 * for checkpoints, by the streaming runtime.
 */
#ifndef EX_AGG_H
#define EX_AGG_H

#include "ex_int.h"

/* agg.c: aggregate accumulators (count, count(DISTINCT), sum, avg, min,
 * max) with PostgreSQL's NULL rules and result types. A state is fixed
 * size; ex_agg_free releases the heap parts (text of min/max, DISTINCT
 * sets). Update takes the evaluated argument (ignored by count(*)); merge
 * folds another partial state in (partial aggregation, rescaling); final
 * writes the result (text copied into arena; 22003 when sum(int4)
 * leaves bigint). States serialize for checkpoints: the bytes are
 * self-describing per aggregate kind and deserialize refuses anything
 * malformed with XX001. */
typedef struct ExAggSet ExAggSet;
typedef struct ExAggState {
    int64_t count;           /* rows counted (non-NULL inputs; all for count(*)) */
    __int128 isum;           /* int4/int8/numeric sums, value * 10^scale */
    double fsum;             /* float8 sums */
    SlInterval ivsum;        /* interval sums */
    int16_t scale;
    bool has;                /* min/max: best holds a value */
    bool overflow;           /* a numeric sum left 128 bits */
    SlValue best;            /* min/max; text points into `text` */
    char *text;
    size_t textcap;
    ExAggSet *set;           /* DISTINCT values */
} ExAggState;

void ex_agg_init(const PlAgg *ag, ExAggState *st);
int ex_agg_update(const PlAgg *ag, ExAggState *st, const SlValue *v, SlError *err);
int ex_agg_merge(const PlAgg *ag, ExAggState *dst, const ExAggState *src, SlError *err);
int ex_agg_final(const PlAgg *ag, const ExAggState *st, SlArena *arena, SlValue *out, SlError *err);
void ex_agg_free(ExAggState *st);
size_t ex_agg_state_bytes(const ExAggState *st);
void ex_agg_serialize(const PlAgg *ag, const ExAggState *st, SlBuf *out);
/* *used (may be NULL) gets the number of bytes read. */
int ex_agg_deserialize(const PlAgg *ag, ExAggState *st, const void *data, size_t len, size_t *used, SlError *err);

/* agg_group.c: a grouped SELECT over rows pushed one at a time. WHERE is
 * applied, rows are grouped by q->group (one global group when there are
 * no keys), aggregates accumulate; ex_grouping_finish then evaluates
 * HAVING and the targets per group and hands each output row (ntargets
 * values, hidden sort keys included) to fn. A SELECT with aggregates and
 * no GROUP BY yields one row even over no input, as PostgreSQL does. */
typedef struct ExGrouping ExGrouping;
ExGrouping *ex_grouping_new(const PlSelect *q, ExEvalCtx *ec);
int ex_grouping_add(ExGrouping *g, const SlValue *row, SlError *err);
int ex_grouping_finish(ExGrouping *g, int (*fn)(void *ctx, const SlValue *row, int n, SlError *err), void *ctx,
                       SlError *err);
int64_t ex_grouping_groups(const ExGrouping *g);
void ex_grouping_free(ExGrouping *g);

#endif
