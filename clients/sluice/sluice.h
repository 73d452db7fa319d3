/*
 * sluice.h — internals of the sluice interactive client (clients/sluice/).
 *
 * The pure pieces (no libpq, no terminal) live behind this header so the
 * unit tests can drive them directly:
 *   split.c   — the statement splitter (quotes, dollar quoting, comments)
 *   format.c  — psql-style table output (aligned, expanded, unaligned)
 *   errpos.c  — the "LINE n:" line and caret under an error position
 *   meta.c    — backslash meta-command parsing
 *   view.c    — the local copy of a subscribed view (+1/-1 diffs)
 * main.c holds everything that talks to libpq, libedit and the terminal.
 */
#ifndef SLUICE_CLIENT_H
#define SLUICE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- a growable string --------------------------------------------------- */

typedef struct SlcStr {
    char *data; /* always NUL-terminated once anything was appended */
    size_t len;
    size_t cap;
} SlcStr;

void slc_str_append(SlcStr *s, const char *p, size_t n);
void slc_str_puts(SlcStr *s, const char *p);
void slc_str_putc(SlcStr *s, char c);
void slc_str_printf(SlcStr *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void slc_str_pad(SlcStr *s, char c, size_t n);
void slc_str_reset(SlcStr *s);
void slc_str_free(SlcStr *s);
/* The contents as a C string ("" when empty); never NULL. */
const char *slc_str_cstr(SlcStr *s);

/* ---- statement splitter ---------------------------------------------------- */

typedef enum SlcLexState {
    SLC_LEX_NORMAL = 0,
    SLC_LEX_SQUOTE,       /* '...' (standard conforming strings) */
    SLC_LEX_EQUOTE,       /* E'...' (backslash escapes) */
    SLC_LEX_DQUOTE,       /* "identifier" */
    SLC_LEX_DOLLAR,       /* $tag$ ... $tag$ */
    SLC_LEX_LINE_COMMENT, /* -- to end of line */
    SLC_LEX_BLOCK_COMMENT /* nested slash-star comments */
} SlcLexState;

typedef struct SlcSplitter {
    SlcStr buf;        /* text not yet returned as a statement */
    size_t scanned;    /* bytes of buf already scanned */
    SlcLexState state;
    int comment_depth; /* nesting of block comments */
    int paren_depth;   /* a ; inside parentheses does not end a statement */
    char tag[64];      /* the dollar-quote tag, "$tag$" */
    size_t tag_len;
} SlcSplitter;

void slc_split_init(SlcSplitter *sp);
void slc_split_free(SlcSplitter *sp);
/* Append text (lines with their newline, or any chunk). */
void slc_split_feed(SlcSplitter *sp, const char *text, size_t len);
/*
 * If a complete statement (ended by a top-level ;) is buffered, return it
 * malloc'd, without leading blank space and with its ;, and drop it from
 * the buffer. Otherwise NULL. Call repeatedly: one line may hold several.
 */
char *slc_split_next(SlcSplitter *sp);
/* The rest (a statement without ;), malloc'd, or NULL if only blank space
 * and comments remain; empties the buffer. Used at end of input and \g. */
char *slc_split_rest(SlcSplitter *sp);
/* True if the buffer holds something other than blank space. */
bool slc_split_pending(const SlcSplitter *sp);
/* Drop everything buffered (Ctrl-C, \r). */
void slc_split_reset(SlcSplitter *sp);
/* The prompt character for the current state, as psql: '-' between
 * tokens, '\'' in a string, '"' in an identifier, '$' in dollar quotes,
 * '*' in a comment, '(' inside parentheses. */
char slc_split_prompt_char(const SlcSplitter *sp);
/* True if the statement text (as returned by slc_split_next) is only
 * blank space, comments and semicolons. */
bool slc_split_is_empty(const char *stmt);

/* ---- table formatting ------------------------------------------------------ */

typedef struct SlcTable {
    int ncols;
    long nrows;
    const char *const *names;   /* ncols header names */
    const bool *right;          /* ncols: right-align (numbers); may be NULL */
    const char *const *cells;   /* nrows * ncols, row-major; NULL = SQL NULL */
    const char *title;          /* optional line printed above the table */
} SlcTable;

typedef struct SlcPrintOpt {
    bool expanded;    /* \x: one "-[ RECORD n ]" block per row */
    bool unaligned;   /* -A: fields separated by fieldsep, no padding */
    bool tuples_only; /* -t: no header, no footer */
    const char *fieldsep; /* unaligned separator, default "|" */
    const char *null_display; /* default "" */
    bool no_footer;   /* leave out "(N rows)" (\d prints its tables so) */
} SlcPrintOpt;

/* Append the table as psql prints it (footer "(N rows)" and the blank line
 * after an aligned table included). */
void slc_format_table(SlcStr *out, const SlcTable *t, const SlcPrintOpt *o);
/* Display width of UTF-8 text in terminal columns (East Asian wide = 2,
 * combining marks = 0, control characters = 0). */
size_t slc_display_width(const char *s, size_t len);

/* ---- error positions --------------------------------------------------------- */

/*
 * For an error at 1-based character position pos (PostgreSQL's P field) in
 * query, append "LINE n: <line text>\n<spaces>^\n" where n is the line of
 * the position in a multi-line query and the caret sits under the
 * character. Tabs show as single spaces. Long lines are cut around the
 * position (with "..." marks) to fit width columns (0: psql's 60).
 * Returns false (nothing appended) if pos is out of range.
 */
bool slc_error_position(SlcStr *out, const char *query, int pos, int width);

/* ---- meta-commands ---------------------------------------------------------- */

typedef enum SlcMetaKind {
    SLC_META_UNKNOWN = 0,
    SLC_META_QUIT,      /* \q */
    SLC_META_HELP,      /* \? */
    SLC_META_EXPANDED,  /* \x [on|off] */
    SLC_META_TIMING,    /* \timing [on|off] */
    SLC_META_CONNINFO,  /* \conninfo */
    SLC_META_COPY,      /* \copy ... */
    SLC_META_DESCRIBE,  /* \d [NAME] */
    SLC_META_SUBSCRIBE, /* \subscribe VIEW */
    SLC_META_GO,        /* \g : send the buffered statement */
    SLC_META_RESET,     /* \r : clear the buffer */
} SlcMetaKind;

typedef struct SlcMeta {
    SlcMetaKind kind;
    char name[32];   /* the command word as typed, without the backslash */
    int toggle;      /* \x, \timing: -1 = toggle, 0 = off, 1 = on */
    char *arg;       /* \d NAME, \subscribe VIEW (malloc'd, identifier as typed) */
    /* \copy */
    char *copy_sql;  /* "COPY name (cols) FROM STDIN WITH (...)" or "... TO STDOUT ..." */
    char *copy_file; /* the local file, or NULL for stdin/stdout */
    bool copy_from;  /* true: FROM (upload), false: TO (download) */
    char *error;     /* parse error message (malloc'd), kind is UNKNOWN */
} SlcMeta;

/* Parse one meta-command line (starting with a backslash). Returns false
 * with m->error set when the command is malformed or unknown. */
bool slc_meta_parse(const char *line, SlcMeta *m);
void slc_meta_free(SlcMeta *m);

/* ---- the local copy of a subscribed view --------------------------------------- */

typedef struct SlcView SlcView;

SlcView *slc_view_new(int ncols);
void slc_view_free(SlcView *v);
/*
 * Apply one COPY text-format line of a subscription: progress, diff, then
 * the view's ncols columns, tab-separated, with \N for NULL and backslash
 * escapes. A line with only a progress number just advances progress.
 * Returns false with a message in err (size errlen) on a malformed line.
 */
bool slc_view_apply_line(SlcView *v, const char *line, size_t len, char *err, size_t errlen);
/* Apply a diff (any positive or negative count) to a row. */
void slc_view_apply(SlcView *v, int64_t diff, const char *const *cols);
int slc_view_ncols(const SlcView *v);
int64_t slc_view_progress(const SlcView *v);
/* Rows currently in the view (a row with count c > 0 counts c times). */
long slc_view_nrows(const SlcView *v);
/* Rows with a negative count: a diff retracted a row never added. */
long slc_view_negative(const SlcView *v);
/*
 * The rows in a stable order (sorted by column values; numeric columns,
 * per right[], compared as numbers), one entry per copy: cells is set to a
 * malloc'd array of nrows*ncols pointers into the view (valid until the
 * next apply). Returns the row count.
 */
long slc_view_snapshot(const SlcView *v, const bool *right, const char ***cells);

/* Split a COPY text-format line into fields, undoing escapes in place.
 * Returns the number of fields stored (at most max); NULL fields (\N)
 * are stored as NULL. */
int slc_copy_text_split(char *line, size_t len, char **fields, int max);

#endif
