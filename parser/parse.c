/*
 * parse.c — the driver: runs the tokenizer into the Lemon parser, splits
 * the text into statements, and records where each statement starts.
 */
#include <stdlib.h>
#include <string.h>

#include "parser_int.h"
#include "sql.h"

static const char *const kind_names[] = {
    [PS_S_EMPTY] = "EMPTY", [PS_S_SELECT] = "SELECT", [PS_S_SET] = "SET", [PS_S_SHOW] = "SHOW",
    [PS_S_SHOW_OBJECTS] = "SHOW", [PS_S_RESET] = "RESET", [PS_S_BEGIN] = "BEGIN",
    [PS_S_COMMIT] = "COMMIT", [PS_S_ROLLBACK] = "ROLLBACK", [PS_S_CREATE_STREAM] = "CREATE STREAM",
    [PS_S_CREATE_VIEW] = "CREATE MATERIALIZED VIEW", [PS_S_DROP] = "DROP",
    [PS_S_ALTER_VIEW] = "ALTER MATERIALIZED VIEW", [PS_S_INSERT] = "INSERT", [PS_S_COPY_FROM] = "COPY",
    [PS_S_COPY_TO] = "COPY", [PS_S_SUBSCRIBE] = "SUBSCRIBE", [PS_S_DECLARE] = "DECLARE CURSOR",
    [PS_S_FETCH] = "FETCH", [PS_S_CLOSE] = "CLOSE CURSOR", [PS_S_LISTEN] = "LISTEN",
    [PS_S_UNLISTEN] = "UNLISTEN", [PS_S_EXPLAIN] = "EXPLAIN", [PS_S_DISCARD] = "DISCARD ALL",
    [PS_S_FAILPOINT] = "SET FAILPOINT",
};

const char *ps_stmt_kind_name(PsStmtKind k)
{
    if ((unsigned)k < sizeof kind_names / sizeof kind_names[0] && kind_names[k])
        return kind_names[k];
    return "UNKNOWN";
}

static void *arena_malloc(size_t n)
{
    return malloc(n);
}

typedef struct Segment {
    int start, end;   /* byte offsets of the first token and of the ';' or end */
    bool has_tokens;
} Segment;

int ps_parse(const char *sql, size_t len, SlArena *arena, PsList **stmts, int *max_param,
             SlError *err)
{
    ParseState ps;
    memset(&ps, 0, sizeof ps);
    ps.arena = arena;
    ps.sql = sql;
    ps.len = len;
    ps.stmts = ps_list_new(arena);
    ps.err = err;
    if (err)
        sl_error_clear(err);

    /* segments: one per statement between semicolons */
    int nseg = 0, capseg = 8;
    Segment *segs = malloc(sizeof(Segment) * (size_t)capseg);
    segs[0].start = 0;
    segs[0].end = (int)len;
    segs[0].has_tokens = false;
    nseg = 1;

    void *parser = slParserAlloc(arena_malloc, &ps);
    size_t pos = 0;
    Token tok;
    for (;;) {
        int code = ps_next_token(&ps, &pos, &tok);
        if (code < 0)
            break;
        if (code == 0) {
            segs[nseg - 1].end = (int)len;
            slParser(parser, 0, tok);
            break;
        }
        if (code == TK_SEMI) {
            segs[nseg - 1].end = tok.pos;
            if (nseg == capseg) {
                capseg *= 2;
                segs = realloc(segs, sizeof(Segment) * (size_t)capseg);
            }
            segs[nseg].start = (int)pos;
            segs[nseg].end = (int)len;
            segs[nseg].has_tokens = false;
            nseg++;
        } else if (!segs[nseg - 1].has_tokens) {
            segs[nseg - 1].has_tokens = true;
            segs[nseg - 1].start = tok.pos;
        }
        slParser(parser, code, tok);
        if (ps.failed)
            break;
    }
    slParserFree(parser, free);

    if (ps.failed) {
        free(segs);
        if (err && err->code == SL_E_OK)
            sl_error(err, SL_E_SYNTAX_ERROR, "syntax error");
        return -1;
    }
    /* statements map, in order, onto the segments that had tokens */
    int si = 0;
    for (int k = 0; k < nseg && si < ps.stmts->n; k++) {
        if (!segs[k].has_tokens)
            continue;
        PsStmt *s = ps.stmts->items[si++];
        s->location = segs[k].start;
        s->length = segs[k].end - segs[k].start;
        /* trim trailing whitespace from the statement's text */
        while (s->length > 0 && (sql[s->location + s->length - 1] == ' ' ||
                                 sql[s->location + s->length - 1] == '\n' ||
                                 sql[s->location + s->length - 1] == '\t' ||
                                 sql[s->location + s->length - 1] == '\r'))
            s->length--;
        if (s->kind == PS_S_CREATE_VIEW && s->body_location >= s->location) {
            s->query_text = sl_strndup(arena, sql + s->body_location,
                                       (size_t)(s->location + s->length - s->body_location));
        }
    }
    free(segs);
    if (ps.stmts->n == 0) {
        PsStmt *s = sl_alloc0(arena, sizeof *s);
        s->kind = PS_S_EMPTY;
        s->location = 0;
        s->length = 0;
        ps_list_push(arena, ps.stmts, s);
    }
    *stmts = ps.stmts;
    if (max_param)
        *max_param = ps.max_param;
    return 0;
}
