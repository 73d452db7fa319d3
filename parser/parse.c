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
    ps.stmt_start = -1;
    if (err)
        sl_error_clear(err);

    /* One parser for the whole text: the grammar's input is a list of
     * statements separated by ';'. Lemon's stack is its only malloc. */
    void *parser = slParserAlloc(sl_malloc, &ps);
    size_t pos = 0;
    Token tok;
    for (;;) {
        int code = ps_next_token(&ps, &pos, &tok);
        if (code < 0)
            break;
        if (code == 0 || code == TK_SEMI) {
            /* the statement (if any) is reduced on this token */
            slParser(parser, code, tok);
            ps.stmt_start = -1;
            if (code == 0 || ps.failed)
                break;
            continue;
        }
        if (ps.stmt_start < 0)
            ps.stmt_start = tok.pos;
        ps.stmt_end = tok.pos + tok.rawlen;
        slParser(parser, code, tok);
        if (ps.failed)
            break;
    }
    slParserFree(parser, free);

    if (ps.failed) {
        if (err && err->code == SL_E_OK)
            sl_error(err, SL_E_SYNTAX_ERROR, "syntax error");
        return -1;
    }
    if (ps.stmts->n == 0) {
        PsStmt *s = sl_alloc0(arena, sizeof *s);
        s->kind = PS_S_EMPTY;
        s->location = 0;
        s->length = 0;
        s->body_location = -1;
        ps_list_push(arena, ps.stmts, s);
    }
    *stmts = ps.stmts;
    if (max_param)
        *max_param = ps.max_param;
    return 0;
}
