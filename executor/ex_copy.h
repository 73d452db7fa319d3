/*
 * ex_copy.h — COPY ... FROM STDIN data formats (text and CSV), internal to
 * executor/. The server feeds the CopyData bytes as they arrive, in chunks
 * of any size (a row may span chunks); the parser turns each complete
 * record into typed values and hands them to a callback. Records are
 * read in place in the chunk (only one that spans chunks is copied);
 * text values point into the record or the parser's unescape buffer,
 * so a callback that keeps a row must copy its text.
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
    SlBuf pending;        /* bytes of a record begun in an earlier chunk */
    SlBuf field;          /* the current record's unescaped fields */
    SlArena *row_arena;   /* values of the current record (sl_value_in) */
    SlValue *values;
    uint8_t *conv;        /* per column: which fast conversion applies */
    ExCopyField *fields;  /* the current record's fields */
    int fields_cap;
    size_t null_len;
    const char *rec;      /* the record being converted (error context) */
    size_t rec_len;
    int64_t line;         /* 1-based number of the current record's first line */
    int64_t rows;         /* records delivered */
    bool header_done;
    bool ended;           /* saw \. */
    bool general_only;    /* no fast paths (tests compare the two) */
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
/* Tests: read every record with the general scanner and every value with
 * sl_value_in, so the fast paths can be compared with them. */
void ex_copy_parser_general_only(ExCopyParser *p);

#endif
