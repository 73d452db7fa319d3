/*
 * ex_copy.h — COPY ... FROM STDIN data formats (text and CSV), internal to
 * executor/. The server feeds the CopyData bytes as they arrive, in chunks
 * of any size (a row may span chunks); the parser turns each complete
 * record into typed values and hands them to a callback, or (batch mode,
 * what COPY uses) writes them straight into the rows of an ExCopyBatch.
 * Records are read in place in the chunk (only one that spans chunks is
 * copied); text values handed to a callback point into the record or the
 * parser's unescape buffer, so a callback that keeps a row must copy its
 * text; in batch mode the text is copied once, into the batch.
 *
 * Rules follow PostgreSQL's COPY:
 *  - text: fields split by the delimiter (default tab), rows by newline
 *    (\n or \r\n), \N is NULL (or the NULL option), backslash escapes
 *    \b \f \n \r \t \v \\ \ooo \xHH, any other escaped byte is itself;
 *    a line holding only \. ends the data.
 *  - csv: delimiter ',', quote '"', escape defaults to the quote; an
 *    unquoted empty field is NULL (or the NULL option), a quoted empty
 *    field is the empty string; quoted fields may hold delimiters and
 *    newlines; HEADER skips the first record.
 * Errors carry PostgreSQL's SQLSTATEs (22P04 bad copy file format, 22P02
 * and friends from the value input functions) and a context
 * "COPY <rel>, line <n>, column <col>: "<value>"".
 */
#ifndef EX_COPY_H
#define EX_COPY_H

#include "sl_common.h"
#include "sl_parser.h"

typedef struct ExCopyFormat {
    bool csv;
    bool header;
    char delim;
    char quote;
    char escape;
    char *null_str;      /* "\\N" for text, "" for csv unless given */
} ExCopyFormat;

/* Reads COPY's WITH options (FORMAT, HEADER, DELIMITER, NULL, QUOTE,
 * ESCAPE); unknown or malformed options are 42601 / 22023 / 0A000
 * (binary). Strings are allocated in arena. */
int ex_copy_format_parse(const PsList *options, SlArena *arena,
                         ExCopyFormat *fmt, SlError *err);

/* Called once per record with ncols values, valid only during the call. */
typedef int (*ExCopyRowFn)(void *ctx, const SlValue *values, int ncols,
                           SlError *err);

/* Batch mode: the rows of a COPY, written by the parser in place (as
 * SlValue rows, or encoded for the log: see enc). Each
 * row has `width` values; value i of a record goes to column map[i], and
 * when a record gives fewer than `width` columns the row starts as a copy
 * of `blank` (the NULLs of the others). Text values point into blocks of
 * the batch. A batch is reused across COPY statements (ex_copy_batch_reset
 * keeps its memory, so the next COPY does not fault in fresh pages). */
typedef struct ExCopyTextBlock ExCopyTextBlock;

typedef struct ExCopyBatch {
    SlValue *rows;
    int64_t n;             /* rows held */
    int64_t capvals;       /* values rows has room for, whatever the width */
    int width;
    const int *map;
    const SlValue *blank;  /* NULL when every record fills every column */
    char *text, *text_end; /* free space in the current text block */
    ExCopyTextBlock *used; /* blocks holding this batch's text */
    ExCopyTextBlock *spare;/* emptied blocks, for the next text */
    bool encoded;          /* the rows go to enc instead, in the stream
                            * log's encoding (codec.c), row after row: only
                            * with the identity map and no blank (every
                            * record fills its row); rows and text unused */
    SlBuf enc;
} ExCopyBatch;

/* Empties the batch (rows and text), keeping at most keep_bytes of its
 * memory for reuse; the shape (width, map, blank) is the caller's. */
void ex_copy_batch_reset(ExCopyBatch *b, size_t keep_bytes);
void ex_copy_batch_free(ExCopyBatch *b);
/* Memory the batch holds (rows and text blocks). */
size_t ex_copy_batch_bytes(const ExCopyBatch *b);

/* One field of the current record: a slice of the record, or of the
 * parser's unescape buffer. */
typedef struct ExCopyField {
    const char *p;
    size_t len;
    bool isnull;
} ExCopyField;

typedef struct ExCopyParser {
    ExCopyFormat fmt;
    int ncols;
    const SlType *types;
    const char *const *colnames;
    const char *relname;
    ExCopyRowFn fn;
    void *ctx;
    ExCopyBatch *batch;   /* batch mode: rows go here, fn is not called */
    SlBuf pending;        /* bytes of a record begun in an earlier chunk */
    SlBuf field;          /* the current record's unescaped fields */
    SlArena *row_arena;   /* values of the current record (sl_value_in) */
    bool row_arena_used;  /* sl_value_in ran since its last reset */
    SlValue *values;
    uint8_t *conv;        /* per column: which fast conversion applies */
    ExCopyField *fields;  /* the current record's fields */
    int fields_cap;
    int *ident;           /* callback mode: value i is values[i] */
    int64_t ts_days;      /* the date of the last plain timestamp read... */
    char ts_date[10];     /* ...as it was written (YYYY-MM-DD) */
    bool ts_cached;
    size_t null_len;
    const char *rec;      /* the record being converted (error context) */
    const char *chunk_end;/* the end of the chunk its fields lie in, when
                           * they lie in one (fast path): reads of a few
                           * bytes past a field stay before it */
    size_t rec_len;
    int64_t line;         /* 1-based number of the current record's first line */
    int64_t rows;         /* records delivered */
    bool header_done;
    bool ended;           /* saw \. */
    bool general_only;    /* no fast paths (tests compare the two) */
    bool avx2;            /* the fast scanner uses AVX2 (the CPU has it) */
} ExCopyParser;

void ex_copy_parser_init(ExCopyParser *p, const ExCopyFormat *fmt, int ncols,
                         const SlType *types, const char *const *colnames,
                         const char *relname, ExCopyRowFn fn, void *ctx);
/* Consume a chunk; complete records go to fn. -1 on the first error. */
int ex_copy_parser_feed(ExCopyParser *p, const char *data, size_t len,
                        SlError *err);
/* End of data: a final record without a newline is delivered; an open
 * quoted CSV field is 22P04 "unterminated CSV quoted field". */
int ex_copy_parser_finish(ExCopyParser *p, SlError *err);
void ex_copy_parser_free(ExCopyParser *p);
/* Batch mode: records are written into b (which the caller owns and
 * sizes: width, map, blank) instead of being handed to fn. */
void ex_copy_parser_set_batch(ExCopyParser *p, ExCopyBatch *b);
/* Tests: read every record with the general scanner and every value with
 * sl_value_in, so the fast paths can be compared with them. */
void ex_copy_parser_general_only(ExCopyParser *p);
/* Tests: the SSE2 scanner even where the CPU has AVX2. */
void ex_copy_parser_no_avx2(ExCopyParser *p);

#endif
