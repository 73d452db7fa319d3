/*
 * tokenize.c — the hand-written SQL tokenizer that drives the Lemon parser.
 *
 * One switch on the first byte of each token. Identifiers are lower-cased
 * unless quoted; strings are unescaped ('' doubling, E'\n', U&'\0061',
 * $tag$...$tag$). Token texts that the grammar keeps (names, literals) are
 * copied, NUL-terminated, into the parse arena; punctuation points into the
 * input. Nothing is malloc'd per token. Every token keeps its raw byte
 * offset and length, for error positions and statement locations.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parser_int.h"
#include "sql.h"

/* ------------------------------------------------------------ keywords */

enum {
    KW_PLAIN = 0,      /* always a keyword; whether it may also serve as a
                        * name is the grammar's %fallback ID list */
    KW_BEFORE_STRING,  /* a keyword only when a string literal follows
                        * (INTERVAL '1' DAY); an identifier otherwise */
    KW_BEFORE_PAREN    /* a keyword only when '(' follows (EXTRACT(...)) */
};

/* Sorted by word (checked by the unit tests through ps_keyword_code). */
static const struct {
    const char *word;
    int code;
    int cls;
} keywords[] = {
    {"abort", TK_ABORT, 0}, {"all", TK_ALL, 0}, {"alter", TK_ALTER, 0},
    {"and", TK_AND, 0}, {"as", TK_AS, 0}, {"asc", TK_ASC, 0},
    {"authorization", TK_AUTHORIZATION, 0}, {"begin", TK_BEGIN, 0},
    {"between", TK_BETWEEN, 0}, {"binary", TK_BINARY, 0}, {"by", TK_BY, 0},
    {"cascade", TK_CASCADE, 0}, {"case", TK_CASE, 0}, {"cast", TK_CAST, 0},
    {"characteristics", TK_CHARACTERISTICS, 0}, {"checkpoints", TK_CHECKPOINTS, 0},
    {"close", TK_CLOSE, 0}, {"commit", TK_COMMIT, 0}, {"committed", TK_COMMITTED, 0},
    {"copy", TK_COPY, 0}, {"create", TK_CREATE, 0}, {"csv", TK_CSV, 0},
    {"current_catalog", TK_CURRENT_CATALOG, 0}, {"current_date", TK_CURRENT_DATE, 0},
    {"current_schema", TK_CURRENT_SCHEMA, 0}, {"current_timestamp", TK_CURRENT_TIMESTAMP, 0},
    {"current_user", TK_CURRENT_USER, 0}, {"cursor", TK_CURSOR, 0}, {"day", TK_DAY, 0},
    {"declare", TK_DECLARE, 0}, {"default", TK_DEFAULT, 0}, {"deferrable", TK_DEFERRABLE, 0},
    {"delimiter", TK_DELIMITER, 0}, {"desc", TK_DESC, 0}, {"discard", TK_DISCARD, 0},
    {"distinct", TK_DISTINCT, 0}, {"drop", TK_DROP, 0}, {"else", TK_ELSE, 0},
    {"end", TK_END, 0}, {"escape", TK_ESCAPE, 0}, {"exists", TK_EXISTS, 0},
    {"explain", TK_EXPLAIN, 0}, {"extract", TK_EXTRACT, KW_BEFORE_PAREN},
    {"false", TK_FALSE, 0}, {"fetch", TK_FETCH, 0}, {"first", TK_FIRST, 0},
    {"for", TK_FOR, 0}, {"forward", TK_FORWARD, 0}, {"from", TK_FROM, 0},
    {"group", TK_GROUP, 0}, {"having", TK_HAVING, 0}, {"header", TK_HEADER, 0},
    {"hold", TK_HOLD, 0}, {"hour", TK_HOUR, 0}, {"if", TK_IF, 0}, {"ilike", TK_ILIKE, 0},
    {"in", TK_IN, 0}, {"insert", TK_INSERT, 0}, {"interval", TK_INTERVAL, KW_BEFORE_STRING},
    {"into", TK_INTO, 0}, {"is", TK_IS, 0}, {"isnull", TK_ISNULL, 0},
    {"isolation", TK_ISOLATION, 0}, {"last", TK_LAST, 0}, {"level", TK_LEVEL, 0},
    {"like", TK_LIKE, 0}, {"limit", TK_LIMIT, 0}, {"listen", TK_LISTEN, 0},
    {"local", TK_LOCAL, 0}, {"localtimestamp", TK_LOCALTIMESTAMP, 0},
    {"materialized", TK_MATERIALIZED, 0}, {"minute", TK_MINUTE, 0}, {"month", TK_MONTH, 0},
    {"names", TK_NAMES, 0}, {"next", TK_NEXT, 0}, {"not", TK_NOT, 0},
    {"notnull", TK_NOTNULL, 0}, {"null", TK_NULL, 0}, {"nulls", TK_NULLS, 0},
    {"of", TK_OF, 0}, {"offset", TK_OFFSET, 0}, {"on", TK_ON, 0}, {"only", TK_ONLY, 0},
    {"or", TK_OR, 0}, {"order", TK_ORDER, 0}, {"precision", TK_PRECISION, 0}, {"queries", TK_QUERIES, 0}, {"quote", TK_QUOTE, 0},
    {"read", TK_READ, 0}, {"repeatable", TK_REPEATABLE, 0}, {"reset", TK_RESET, 0},
    {"restrict", TK_RESTRICT, 0}, {"resume", TK_RESUME, 0}, {"rollback", TK_ROLLBACK, 0},
    {"second", TK_SECOND, 0}, {"select", TK_SELECT, 0}, {"serializable", TK_SERIALIZABLE, 0},
    {"session", TK_SESSION, 0}, {"session_user", TK_SESSION_USER, 0}, {"set", TK_SET, 0},
    {"show", TK_SHOW, 0}, {"start", TK_START, 0}, {"stdin", TK_STDIN, 0},
    {"stdout", TK_STDOUT, 0}, {"stream", TK_STREAM, 0}, {"streams", TK_STREAMS, 0},
    {"subscribe", TK_SUBSCRIBE, 0}, {"substring", TK_SUBSTRING, KW_BEFORE_PAREN},
    {"then", TK_THEN, 0}, {"time", TK_TIME, 0}, {"to", TK_TO, 0},
    {"transaction", TK_TRANSACTION, 0}, {"true", TK_TRUE, 0},
    {"uncommitted", TK_UNCOMMITTED, 0}, {"unknown", TK_UNKNOWN, 0},
    {"unlisten", TK_UNLISTEN, 0}, {"user", TK_USER, 0}, {"values", TK_VALUES, 0},
    {"varying", TK_VARYING, 0}, {"view", TK_VIEW, 0}, {"views", TK_VIEWS, 0},
    {"watermark", TK_WATERMARK, 0}, {"when", TK_WHEN, 0}, {"where", TK_WHERE, 0},
    {"with", TK_WITH, 0}, {"without", TK_WITHOUT, 0}, {"work", TK_WORK, 0},
    {"write", TK_WRITE, 0}, {"year", TK_YEAR, 0}, {"zone", TK_ZONE, 0},
};
#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

/* Index of a lower-case word in the table, or -1. */
static int kw_find(const char *word, int n)
{
    if (n <= 1 || n > 17)   /* shortest keyword 2, longest 17 bytes */
        return -1;
    size_t lo = 0, hi = NKEYWORDS;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *k = keywords[mid].word;
        int c = strncmp(word, k, (size_t)n);
        if (c == 0 && k[n] != '\0')
            c = -1;  /* word is a proper prefix of k */
        if (c == 0)
            return (int)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

int ps_keyword_code(const char *word, int n)
{
    int k = kw_find(word, n);
    return k < 0 ? 0 : keywords[k].code;
}

bool ps_keyword_needs_quotes(const char *word)
{
    int k = kw_find(word, (int)strlen(word));
    /* contextual keywords are plain names where a name is expected, and
     * so are those that fall back to ID */
    return k >= 0 && keywords[k].cls == KW_PLAIN && !ps_token_fallback(keywords[k].code);
}

bool ps_keyword_table_sorted(void)
{
    for (size_t i = 1; i < NKEYWORDS; i++)
        if (strcmp(keywords[i - 1].word, keywords[i].word) >= 0)
            return false;
    return true;
}

/* -------------------------------------------------------------- helpers */

int ps_char_position(const char *sql, size_t byte_offset)
{
    int chars = 0;
    for (size_t i = 0; i < byte_offset && sql[i]; i++)
        if (((unsigned char)sql[i] & 0xC0) != 0x80)
            chars++;
    return chars + 1;
}

static int lex_error_code(ParseState *ps, SlErrCode code, size_t at, size_t rawlen, const char *what)
{
    if (!ps->failed) {
        ps->failed = true;
        int shown = rawlen > 60 ? 60 : (int)rawlen;
        sl_error_at(ps->err, code, ps_char_position(ps->sql, at), "%s at or near \"%.*s\"", what,
                    shown, ps->sql + at);
    }
    return -1;
}

static int lex_error(ParseState *ps, size_t at, size_t rawlen, const char *what)
{
    return lex_error_code(ps, SL_E_SYNTAX_ERROR, at, rawlen, what);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *put_utf8(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Skips whitespace and comments from i; returns the next byte offset (n
 * at the end; an unterminated comment just runs to n). */
static size_t skip_blank(const char *s, size_t n, size_t i)
{
    for (;;) {
        while (i < n && is_space(s[i]))
            i++;
        if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
            continue;
        }
        if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
            int depth = 1;
            i += 2;
            while (i < n && depth > 0) {
                if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') {
                    depth--;
                    i += 2;
                } else {
                    i++;
                }
            }
            continue;
        }
        return i;
    }
}

/* ------------------------------------------------------------- strings */

enum { STR_PLAIN, STR_ESCAPE, STR_UNICODE };

/* End of one quoted segment whose opening quote is s[q]: the offset after
 * its closing quote, or 0 when unterminated. */
static size_t quoted_end(const char *s, size_t n, size_t q, int mode, bool *special)
{
    size_t i = q + 1;
    while (i < n) {
        char c = s[i];
        if (c == '\'') {
            if (i + 1 < n && s[i + 1] == '\'') {
                *special = true;
                i += 2;
                continue;
            }
            return i + 1;
        }
        if (c == '\\' && mode != STR_PLAIN) {
            *special = true;
            i += mode == STR_ESCAPE ? 2 : 1;
            continue;
        }
        i++;
    }
    return 0;
}

/* SQL's string continuation: a literal followed by whitespace holding a
 * newline and another quote continues. Returns the next segment's quote
 * offset, or 0 when the literal ends at `end`. */
static size_t continuation(const char *s, size_t n, size_t end)
{
    bool newline = false;
    size_t j = end;
    while (j < n && is_space(s[j])) {
        if (s[j] == '\n')
            newline = true;
        j++;
    }
    return newline && j < n && s[j] == '\'' ? j : 0;
}

/* Decodes the body of one segment (between the quotes, [from, to)) into o;
 * returns the new end of o, or NULL after setting the error. */
static char *decode_segment(ParseState *ps, size_t tokstart, size_t from, size_t to, int mode,
                            char *o)
{
    const char *s = ps->sql;
    size_t i = from;
    while (i < to) {
        char c = s[i];
        if (c == '\'') { /* '' */
            *o++ = '\'';
            i += 2;
            continue;
        }
        if (c != '\\' || mode == STR_PLAIN) {
            *o++ = c;
            i++;
            continue;
        }
        if (mode == STR_UNICODE) {
            if (i + 1 < to && s[i + 1] == '\\') {
                *o++ = '\\';
                i += 2;
                continue;
            }
            int want = 4;
            i++;
            if (i < to && s[i] == '+') {
                want = 6;
                i++;
            }
            unsigned long cp = 0;
            int k = 0;
            while (k < want && i < to && hexv(s[i]) >= 0)
                cp = cp * 16 + (unsigned long)hexv(s[i++]), k++;
            if (k != want || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                if (!ps->failed) {
                    ps->failed = true;
                    sl_error_at(ps->err, SL_E_SYNTAX_ERROR, ps_char_position(s, tokstart),
                                "invalid Unicode escape");
                    sl_error_hint(ps->err, "Unicode escapes must be \\XXXX or \\+XXXXXX.");
                }
                return NULL;
            }
            o = put_utf8(o, cp);
            continue;
        }
        /* E'' escapes */
        char e = s[i + 1];
        size_t at = i;
        i += 2;
        switch (e) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'x': {
            int v = 0, k = 0;
            while (k < 2 && i < to && hexv(s[i]) >= 0)
                v = v * 16 + hexv(s[i++]), k++;
            *o++ = k ? (char)v : 'x';
            break;
        }
        case 'u':
        case 'U': {
            int want = e == 'u' ? 4 : 8, k = 0;
            unsigned long cp = 0;
            while (k < want && i < to && hexv(s[i]) >= 0)
                cp = cp * 16 + (unsigned long)hexv(s[i++]), k++;
            if (k != want) {
                if (!ps->failed) {
                    ps->failed = true;
                    sl_error_at(ps->err, SL_E_INVALID_ESCAPE_SEQUENCE, ps_char_position(s, tokstart),
                                "invalid Unicode escape");
                    sl_error_hint(ps->err, "Unicode escapes must be \\uXXXX or \\UXXXXXXXX.");
                }
                return NULL;
            }
            if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                lex_error(ps, at, i - at, "invalid Unicode escape value");
                return NULL;
            }
            o = put_utf8(o, cp);
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                int v = e - '0', k = 1;
                while (k < 3 && i < to && s[i] >= '0' && s[i] <= '7')
                    v = v * 8 + (s[i++] - '0'), k++;
                *o++ = (char)v;
            } else {
                *o++ = e; /* \\ \' and any other character */
            }
        }
    }
    return o;
}

/* A string literal whose first quote is at s[q] (the token starts at
 * `start`: E'..' and U&'..' have a prefix). */
static int lex_string(ParseState *ps, size_t start, size_t q, int mode, size_t *pos, Token *tok)
{
    const char *s = ps->sql;
    size_t n = ps->len;
    bool special = false;
    /* pass 1: the extent (continuations included) */
    size_t seg = q, end;
    int nseg = 0;
    for (;;) {
        end = quoted_end(s, n, seg, mode, &special);
        if (!end)
            return lex_error(ps, start, n - start, "unterminated quoted string");
        nseg++;
        size_t next = continuation(s, n, end);
        if (!next)
            break;
        seg = next;
    }
    if (!special && nseg == 1) {
        tok->z = sl_strndup(ps->arena, s + q + 1, end - q - 2);
        tok->n = (int)(end - q - 2);
    } else {
        /* pass 2: decode; the result is never longer than the raw text */
        char *buf = sl_alloc(ps->arena, end - q + 1), *o = buf;
        seg = q;
        for (;;) {
            size_t e = quoted_end(s, n, seg, mode, &special);
            o = decode_segment(ps, start, seg + 1, e - 1, mode, o);
            if (!o)
                return -1;
            size_t next = continuation(s, n, e);
            if (!next)
                break;
            seg = next;
        }
        *o = '\0';
        tok->z = buf;
        tok->n = (int)(o - buf);
    }
    tok->rawlen = (int)(end - start);
    *pos = end;
    return TK_STRING;
}

/* "quoted identifier": case kept, "" for a quote. */
static int lex_quoted_ident(ParseState *ps, size_t start, size_t *pos, Token *tok)
{
    const char *s = ps->sql;
    size_t n = ps->len, i = start + 1;
    char *buf = NULL, *o = NULL;
    for (;;) {
        if (i >= n)
            return lex_error(ps, start, n - start, "unterminated quoted identifier");
        if (s[i] == '"') {
            if (i + 1 < n && s[i + 1] == '"') {
                i += 2;
                continue;
            }
            break;
        }
        i++;
    }
    size_t end = i + 1;
    if (end - start == 2)
        return lex_error(ps, start, 2, "zero-length delimited identifier");
    buf = sl_alloc(ps->arena, end - start);
    o = buf;
    for (i = start + 1; i < end - 1; i++) {
        *o++ = s[i];
        if (s[i] == '"')
            i++;
    }
    *o = '\0';
    tok->z = buf;
    tok->n = (int)(o - buf);
    tok->rawlen = (int)(end - start);
    *pos = end;
    return TK_ID;
}

/* $tag$ ... $tag$ at s[start] == '$'; returns 0 when this is no tag. */
static int lex_dollar(ParseState *ps, size_t start, size_t *pos, Token *tok)
{
    const char *s = ps->sql;
    size_t n = ps->len, j = start + 1;
    if (j < n && is_ident_start((unsigned char)s[j]) && !((unsigned char)s[j] >= 0x80)) {
        while (j < n && (is_ident_start((unsigned char)s[j]) || is_digit(s[j])))
            j++;
    }
    if (j >= n || s[j] != '$')
        return 0;
    size_t taglen = j - start + 1, body = j + 1, k = body;
    const char *tag = s + start;
    for (;;) {
        const char *d = k < n ? memchr(s + k, '$', n - k) : NULL;
        if (!d)
            return lex_error(ps, start, n - start, "unterminated dollar-quoted string");
        k = (size_t)(d - s);
        if (k + taglen <= n && memcmp(s + k, tag, taglen) == 0)
            break;
        k++;
    }
    tok->z = sl_strndup(ps->arena, s + body, k - body);
    tok->n = (int)(k - body);
    *pos = k + taglen;
    tok->rawlen = (int)(*pos - start);
    return TK_STRING;
}

/* ----------------------------------------------------------- the lexer */

int ps_next_token(ParseState *ps, size_t *pos, Token *tok)
{
    const char *s = ps->sql;
    size_t n = ps->len, i = *pos;

again:
    while (i < n && is_space(s[i]))
        i++;
    if (i >= n) {
        *pos = i;
        tok->z = "";
        tok->n = 0;
        tok->pos = (int)n;
        tok->rawlen = 0;
        return 0;
    }
    size_t start = i;
    int code;
    tok->pos = (int)start;
    tok->z = s + start;
    tok->n = 1;
    char c = s[i];
    switch (c) {
    case ';': code = TK_SEMI; i++; break;
    case '(': code = TK_LP; i++; break;
    case ')': code = TK_RP; i++; break;
    case ',': code = TK_COMMA; i++; break;
    case '*': code = TK_STAR; i++; break;
    case '+': code = TK_PLUS; i++; break;
    case '%': code = TK_PERCENT; i++; break;
    case '=': code = TK_EQ; i++; break;
    case '-':
        if (i + 1 < n && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
            goto again;
        }
        code = TK_MINUS;
        i++;
        break;
    case '/':
        if (i + 1 < n && s[i + 1] == '*') {
            int depth = 1;
            i += 2;
            while (i < n && depth > 0) {
                if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
                    depth++;
                    i += 2;
                } else if (i + 1 < n && s[i] == '*' && s[i + 1] == '/') {
                    depth--;
                    i += 2;
                } else {
                    i++;
                }
            }
            if (depth > 0)
                return lex_error(ps, start, n - start, "unterminated /* comment");
            goto again;
        }
        code = TK_SLASH;
        i++;
        break;
    case '<':
        i++;
        if (i < n && s[i] == '=') {
            code = TK_LE;
            i++;
        } else if (i < n && s[i] == '>') {
            code = TK_NE;
            i++;
        } else {
            code = TK_LT;
        }
        break;
    case '>':
        i++;
        if (i < n && s[i] == '=') {
            code = TK_GE;
            i++;
        } else {
            code = TK_GT;
        }
        break;
    case '!':
        if (i + 1 < n && s[i + 1] == '=') {
            code = TK_NE;
            i += 2;
            break;
        }
        return lex_error(ps, start, 1, "syntax error");
    case '|':
        if (i + 1 < n && s[i + 1] == '|') {
            code = TK_CONCAT;
            i += 2;
            break;
        }
        return lex_error(ps, start, 1, "syntax error");
    case ':':
        if (i + 1 < n && s[i + 1] == ':') {
            code = TK_TYPECAST;
            i += 2;
            break;
        }
        return lex_error(ps, start, 1, "syntax error");
    case '\'':
        return lex_string(ps, start, start, STR_PLAIN, pos, tok);
    case '"':
        return lex_quoted_ident(ps, start, pos, tok);
    case '$':
        if (i + 1 < n && is_digit(s[i + 1])) { /* $n parameter */
            i++;
            while (i < n && is_digit(s[i]))
                i++;
            if (i < n && is_ident_char((unsigned char)s[i])) {
                size_t k = i;
                while (k < n && is_ident_char((unsigned char)s[k]))
                    k++;
                return lex_error(ps, start, k - start, "trailing junk after parameter");
            }
            tok->z = sl_strndup(ps->arena, s + start, i - start);
            tok->n = (int)(i - start);
            tok->rawlen = tok->n;
            *pos = i;
            return TK_PARAM;
        }
        code = lex_dollar(ps, start, pos, tok);
        if (code)
            return code;
        return lex_error(ps, start, 1, "syntax error");
    case '.':
        if (!(i + 1 < n && is_digit(s[i + 1]))) {
            code = TK_DOT;
            i++;
            break;
        }
        __attribute__((fallthrough)); /* .5 */
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
        bool isint = true;
        while (i < n && is_digit(s[i]))
            i++;
        if (i < n && s[i] == '.' && !(i + 1 < n && s[i + 1] == '.')) {
            isint = false;
            i++;
            while (i < n && is_digit(s[i]))
                i++;
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            size_t k = i + 1;
            if (k < n && (s[k] == '+' || s[k] == '-'))
                k++;
            if (k < n && is_digit(s[k])) {
                isint = false;
                i = k;
                while (i < n && is_digit(s[i]))
                    i++;
            }
        }
        if (i < n && is_ident_start((unsigned char)s[i])) {
            size_t k = i;
            while (k < n && is_ident_char((unsigned char)s[k]))
                k++;
            return lex_error(ps, start, k - start, "trailing junk after numeric literal");
        }
        tok->z = sl_strndup(ps->arena, s + start, i - start);
        tok->n = (int)(i - start);
        tok->rawlen = tok->n;
        *pos = i;
        return isint ? TK_INTEGER : TK_NUMBER;
    }
    default:
        if (!is_ident_start((unsigned char)c))
            return lex_error(ps, start, 1, "syntax error");
        /* E'...' and U&'...' strings */
        if ((c == 'e' || c == 'E') && i + 1 < n && s[i + 1] == '\'')
            return lex_string(ps, start, start + 1, STR_ESCAPE, pos, tok);
        if ((c == 'u' || c == 'U') && i + 2 < n && s[i + 1] == '&' && s[i + 2] == '\'')
            return lex_string(ps, start, start + 2, STR_UNICODE, pos, tok);
        while (i < n && is_ident_char((unsigned char)s[i]))
            i++;
        char *w = sl_strndup(ps->arena, s + start, i - start);
        for (char *p = w; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p + ('a' - 'A'));
        tok->z = w;
        tok->n = (int)(i - start);
        tok->rawlen = tok->n;
        *pos = i;
        int k = kw_find(w, tok->n);
        if (k < 0)
            return TK_ID;
        if (keywords[k].cls == KW_BEFORE_STRING || keywords[k].cls == KW_BEFORE_PAREN) {
            size_t j = skip_blank(s, n, i);
            bool kw;
            if (keywords[k].cls == KW_BEFORE_PAREN)
                kw = j < n && s[j] == '(';
            else
                kw = j < n && (s[j] == '\'' || s[j] == '$' ||
                               ((s[j] == 'e' || s[j] == 'E') && j + 1 < n && s[j + 1] == '\''));
            if (!kw)
                return TK_ID;
        }
        return keywords[k].code;
    }
    tok->rawlen = (int)(i - start);
    tok->n = tok->rawlen;
    *pos = i;
    return code;
}
