/*
 * split.c — the statement splitter.
 *
 * Text arrives line by line; a statement ends at a semicolon that is not
 * inside a string ('...', E'...', "..."), a dollar-quoted body ($$...$$,
 * $tag$...$tag$), a comment (-- to end of line, nested slash-star), or
 * parentheses. The scan is incremental: state carries over between lines,
 * so the continuation prompt can show what is open.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

void slc_split_init(SlcSplitter *sp)
{
    memset(sp, 0, sizeof *sp);
}

void slc_split_free(SlcSplitter *sp)
{
    slc_str_free(&sp->buf);
}

void slc_split_reset(SlcSplitter *sp)
{
    slc_str_reset(&sp->buf);
    sp->scanned = 0;
    sp->state = SLC_LEX_NORMAL;
    sp->comment_depth = 0;
    sp->paren_depth = 0;
    sp->tag_len = 0;
}

void slc_split_feed(SlcSplitter *sp, const char *text, size_t len)
{
    slc_str_append(&sp->buf, text, len);
}

static bool ident_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

/*
 * At p[0] == '$': if a dollar-quote opening tag ($$ or $ident$) starts
 * here, return its length; 0 if not ($1 parameters, or not complete yet).
 */
static size_t dollar_tag_len(const char *p, size_t avail)
{
    size_t i = 1;
    if (i < avail && p[i] == '$')
        return 2;
    if (i >= avail || isdigit((unsigned char)p[i]) || !ident_char((unsigned char)p[i]))
        return 0;
    while (i < avail && ident_char((unsigned char)p[i]) && p[i] != '$')
        i++;
    if (i < avail && p[i] == '$')
        return i + 1;
    return 0;
}

/* Scan from sp->scanned; return the offset just past a terminating ;, or
 * (size_t)-1 if the buffer holds no complete statement. */
static size_t split_scan(SlcSplitter *sp)
{
    const char *b = sp->buf.data;
    size_t n = sp->buf.len;
    size_t i = sp->scanned;

    while (i < n) {
        char c = b[i];
        switch (sp->state) {
        case SLC_LEX_NORMAL:
            if (c == '\'') {
                /* E'...' takes backslash escapes; the E must start a token */
                bool e = i > 0 && (b[i - 1] == 'E' || b[i - 1] == 'e') &&
                         (i == 1 || !ident_char((unsigned char)b[i - 2]));
                sp->state = e ? SLC_LEX_EQUOTE : SLC_LEX_SQUOTE;
                i++;
            } else if (c == '"') {
                sp->state = SLC_LEX_DQUOTE;
                i++;
            } else if (c == '-' && i + 1 < n && b[i + 1] == '-') {
                sp->state = SLC_LEX_LINE_COMMENT;
                i += 2;
            } else if ((c == '-' || c == '/') && i + 1 == n) {
                /* a lone '-' or '/' at the end: wait for the next byte */
                sp->scanned = i;
                return (size_t)-1;
            } else if (c == '/' && i + 1 < n && b[i + 1] == '*') {
                sp->state = SLC_LEX_BLOCK_COMMENT;
                sp->comment_depth = 1;
                i += 2;
            } else if (c == '$' && (i == 0 || !ident_char((unsigned char)b[i - 1]))) {
                size_t t = dollar_tag_len(b + i, n - i);
                if (t && t <= sizeof sp->tag) {
                    memcpy(sp->tag, b + i, t);
                    sp->tag_len = t;
                    sp->state = SLC_LEX_DOLLAR;
                    i += t;
                } else {
                    i++;
                }
            } else if (c == '(') {
                sp->paren_depth++;
                i++;
            } else if (c == ')') {
                if (sp->paren_depth > 0)
                    sp->paren_depth--;
                i++;
            } else if (c == ';' && sp->paren_depth == 0) {
                sp->scanned = i + 1;
                return i + 1;
            } else {
                i++;
            }
            break;
        case SLC_LEX_SQUOTE:
            /* '' inside a string is a quote; leaving and re-entering on
             * the next ' gives the same result. */
            if (c == '\'')
                sp->state = SLC_LEX_NORMAL;
            i++;
            break;
        case SLC_LEX_EQUOTE:
            if (c == '\\')
                i += 2;
            else {
                if (c == '\'')
                    sp->state = SLC_LEX_NORMAL;
                i++;
            }
            break;
        case SLC_LEX_DQUOTE:
            if (c == '"')
                sp->state = SLC_LEX_NORMAL;
            i++;
            break;
        case SLC_LEX_DOLLAR:
            if (c == '$' && n - i >= sp->tag_len && memcmp(b + i, sp->tag, sp->tag_len) == 0) {
                sp->state = SLC_LEX_NORMAL;
                i += sp->tag_len;
            } else if (c == '$' && n - i < sp->tag_len && memcmp(b + i, sp->tag, n - i) == 0) {
                sp->scanned = i; /* maybe the closing tag, cut short */
                return (size_t)-1;
            } else {
                i++;
            }
            break;
        case SLC_LEX_LINE_COMMENT:
            if (c == '\n')
                sp->state = SLC_LEX_NORMAL;
            i++;
            break;
        case SLC_LEX_BLOCK_COMMENT:
            if (c == '*' && i + 1 < n && b[i + 1] == '/') {
                if (--sp->comment_depth == 0)
                    sp->state = SLC_LEX_NORMAL;
                i += 2;
            } else if (c == '/' && i + 1 < n && b[i + 1] == '*') {
                sp->comment_depth++;
                i += 2;
            } else if ((c == '*' || c == '/') && i + 1 == n) {
                sp->scanned = i; /* the pair may complete with more text */
                return (size_t)-1;
            } else {
                i++;
            }
            break;
        }
    }
    /* an escape's second byte may lie past the end */
    sp->scanned = i > n ? n : i;
    if (sp->state == SLC_LEX_EQUOTE && i > n)
        sp->scanned = n - 1;
    /* keep a '$' at the end unscanned: a dollar tag may be completed later */
    if (sp->state == SLC_LEX_NORMAL) {
        size_t j = n;
        while (j > 0 && ident_char((unsigned char)b[j - 1]))
            j--;
        if (j > 0 && b[j - 1] == '$' && (j == 1 || !ident_char((unsigned char)b[j - 2])))
            sp->scanned = j - 1;
    }
    return (size_t)-1;
}

static size_t skip_blank(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    return i;
}

char *slc_split_next(SlcSplitter *sp)
{
    if (!sp->buf.len)
        return NULL;
    size_t end = split_scan(sp);
    if (end == (size_t)-1)
        return NULL;
    size_t start = skip_blank(sp->buf.data, end);
    char *stmt = strndup(sp->buf.data + start, end - start);
    size_t rest = sp->buf.len - end;
    memmove(sp->buf.data, sp->buf.data + end, rest);
    sp->buf.len = rest;
    sp->buf.data[rest] = '\0';
    sp->scanned = 0;
    sp->paren_depth = 0;
    return stmt;
}

bool slc_split_is_empty(const char *stmt)
{
    /* strip comments and see whether anything but blank and ; is left */
    bool empty = true;
    const char *p = stmt;
    while (*p && empty) {
        if (isspace((unsigned char)*p) || *p == ';') {
            p++;
        } else if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            int depth = 1;
            p += 2;
            while (*p && depth) {
                if (p[0] == '*' && p[1] == '/') {
                    depth--;
                    p += 2;
                } else if (p[0] == '/' && p[1] == '*') {
                    depth++;
                    p += 2;
                } else {
                    p++;
                }
            }
        } else {
            empty = false;
        }
    }
    return empty;
}

char *slc_split_rest(SlcSplitter *sp)
{
    char *rest = NULL;
    if (sp->buf.len && !slc_split_is_empty(sp->buf.data)) {
        size_t start = skip_blank(sp->buf.data, sp->buf.len);
        size_t end = sp->buf.len;
        while (end > start && isspace((unsigned char)sp->buf.data[end - 1]))
            end--;
        rest = strndup(sp->buf.data + start, end - start);
    }
    slc_split_reset(sp);
    return rest;
}

bool slc_split_pending(const SlcSplitter *sp)
{
    return skip_blank(sp->buf.data ? sp->buf.data : "", sp->buf.len) < sp->buf.len;
}

char slc_split_prompt_char(const SlcSplitter *sp)
{
    /* the state is current once slc_split_next has returned NULL */
    switch (sp->state) {
    case SLC_LEX_SQUOTE:
    case SLC_LEX_EQUOTE:
        return '\'';
    case SLC_LEX_DQUOTE:
        return '"';
    case SLC_LEX_DOLLAR:
        return '$';
    case SLC_LEX_BLOCK_COMMENT:
        return '*';
    default:
        return sp->paren_depth > 0 ? '(' : '-';
    }
}
