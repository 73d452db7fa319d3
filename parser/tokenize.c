/*
 * tokenize.c — the hand-written SQL tokenizer that drives the Lemon parser.
 *
 * One switch on the first byte. Identifiers are lower-cased unless quoted;
 * strings are unescaped ('' , E'\n', $tag$...$tag$); every token's text is
 * copied, NUL-terminated, into the parse arena, and its raw position kept
 * for error messages.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "parser_int.h"
#include "sql.h"

static const struct {
    const char *word;
    int code;
} keywords[] = {
    {"abort", TK_ABORT}, {"all", TK_ALL}, {"alter", TK_ALTER}, {"and", TK_AND}, {"as", TK_AS},
    {"asc", TK_ASC}, {"begin", TK_BEGIN}, {"between", TK_BETWEEN}, {"binary", TK_BINARY},
    {"by", TK_BY}, {"cascade", TK_CASCADE}, {"case", TK_CASE}, {"cast", TK_CAST},
    {"characteristics", TK_CHARACTERISTICS}, {"checkpoints", TK_CHECKPOINTS}, {"close", TK_CLOSE},
    {"commit", TK_COMMIT}, {"committed", TK_COMMITTED}, {"copy", TK_COPY}, {"create", TK_CREATE},
    {"csv", TK_CSV}, {"current_catalog", TK_CURRENT_CATALOG}, {"current_date", TK_CURRENT_DATE},
    {"current_schema", TK_CURRENT_SCHEMA}, {"current_timestamp", TK_CURRENT_TIMESTAMP},
    {"current_user", TK_CURRENT_USER}, {"cursor", TK_CURSOR}, {"day", TK_DAY},
    {"declare", TK_DECLARE}, {"default", TK_DEFAULT}, {"deferrable", TK_DEFERRABLE},
    {"delimiter", TK_DELIMITER}, {"desc", TK_DESC}, {"discard", TK_DISCARD},
    {"distinct", TK_DISTINCT}, {"drop", TK_DROP}, {"else", TK_ELSE}, {"end", TK_END},
    {"escape", TK_ESCAPE}, {"exists", TK_EXISTS}, {"explain", TK_EXPLAIN}, {"extract", TK_EXTRACT},
    {"false", TK_FALSE}, {"fetch", TK_FETCH}, {"first", TK_FIRST}, {"for", TK_FOR},
    {"forward", TK_FORWARD}, {"from", TK_FROM}, {"group", TK_GROUP}, {"having", TK_HAVING},
    {"header", TK_HEADER}, {"hold", TK_HOLD}, {"hour", TK_HOUR}, {"if", TK_IF}, {"ilike", TK_ILIKE},
    {"in", TK_IN}, {"insert", TK_INSERT}, {"interval", TK_INTERVAL}, {"into", TK_INTO},
    {"is", TK_IS}, {"isnull", TK_ISNULL}, {"isolation", TK_ISOLATION}, {"last", TK_LAST},
    {"level", TK_LEVEL}, {"like", TK_LIKE}, {"limit", TK_LIMIT}, {"listen", TK_LISTEN},
    {"local", TK_LOCAL}, {"localtimestamp", TK_LOCALTIMESTAMP}, {"materialized", TK_MATERIALIZED},
    {"minute", TK_MINUTE}, {"month", TK_MONTH}, {"names", TK_NAMES}, {"next", TK_NEXT},
    {"not", TK_NOT}, {"notnull", TK_NOTNULL}, {"null", TK_NULL}, {"nulls", TK_NULLS},
    {"of", TK_OF}, {"offset", TK_OFFSET}, {"on", TK_ON}, {"only", TK_ONLY}, {"or", TK_OR},
    {"order", TK_ORDER}, {"position", TK_POSITION}, {"precision", TK_PRECISION},
    {"queries", TK_QUERIES}, {"quote", TK_QUOTE}, {"read", TK_READ},
    {"repeatable", TK_REPEATABLE}, {"reset", TK_RESET}, {"restrict", TK_RESTRICT},
    {"resume", TK_RESUME}, {"rollback", TK_ROLLBACK}, {"second", TK_SECOND}, {"select", TK_SELECT},
    {"serializable", TK_SERIALIZABLE}, {"session", TK_SESSION}, {"session_user", TK_SESSION_USER},
    {"set", TK_SET}, {"show", TK_SHOW}, {"start", TK_START}, {"stdin", TK_STDIN},
    {"stdout", TK_STDOUT}, {"stream", TK_STREAM}, {"streams", TK_STREAMS},
    {"subscribe", TK_SUBSCRIBE}, {"substring", TK_SUBSTRING}, {"then", TK_THEN}, {"time", TK_TIME},
    {"to", TK_TO}, {"transaction", TK_TRANSACTION}, {"true", TK_TRUE},
    {"uncommitted", TK_UNCOMMITTED}, {"unknown", TK_UNKNOWN}, {"unlisten", TK_UNLISTEN},
    {"user", TK_USER}, {"values", TK_VALUES}, {"varying", TK_VARYING}, {"view", TK_VIEW},
    {"views", TK_VIEWS}, {"watermark", TK_WATERMARK}, {"when", TK_WHEN}, {"where", TK_WHERE},
    {"with", TK_WITH}, {"without", TK_WITHOUT}, {"work", TK_WORK}, {"write", TK_WRITE},
    {"year", TK_YEAR}, {"zone", TK_ZONE},
};

static int kw_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ps_keyword_code(const char *word, int n)
{
    char buf[32];
    if (n <= 0 || n >= (int)sizeof buf)
        return 0;
    memcpy(buf, word, (size_t)n);
    buf[n] = '\0';
    const char *key = buf;
    /* the table is sorted by word */
    size_t lo = 0, hi = sizeof keywords / sizeof keywords[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(key, keywords[mid].word);
        if (c == 0)
            return keywords[mid].code;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    (void)kw_cmp;
    return 0;
}

int ps_char_position(const char *sql, size_t byte_offset)
{
    int chars = 0;
    for (size_t i = 0; i < byte_offset && sql[i]; i++)
        if (((unsigned char)sql[i] & 0xC0) != 0x80)
            chars++;
    return chars + 1;
}

static int lex_error(ParseState *ps, size_t at, size_t rawlen, const char *what)
{
    if (!ps->failed) {
        ps->failed = true;
        int shown = rawlen > 40 ? 40 : (int)rawlen;
        sl_error_at(ps->err, SL_E_SYNTAX_ERROR, ps_char_position(ps->sql, at),
                    "%s at or near \"%.*s\"", what, shown, ps->sql + at);
    }
    return -1;
}

static void put_utf8(SlBuf *b, unsigned long cp)
{
    if (cp < 0x80) {
        sl_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        sl_buf_putc(b, (char)(0xC0 | (cp >> 6)));
        sl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        sl_buf_putc(b, (char)(0xE0 | (cp >> 12)));
        sl_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        sl_buf_putc(b, (char)(0xF0 | (cp >> 18)));
        sl_buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        sl_buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sl_buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

static int hexv(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Reads a '...' string starting at s[i] == '\''; escapes as in E'' when
 * `escapes`. Consecutive strings separated by whitespace with a newline
 * are concatenated, as in SQL. */
static int lex_string(ParseState *ps, size_t start, size_t *pos, bool escapes, Token *tok)
{
    const char *s = ps->sql;
    size_t n = ps->len, i = *pos;
    SlBuf b;
    sl_buf_init(&b);
    for (;;) {
        i++; /* opening quote */
        for (;;) {
            if (i >= n) {
                sl_buf_free(&b);
                return lex_error(ps, start, n - start, "unterminated quoted string");
            }
            char c = s[i];
            if (c == '\'') {
                if (i + 1 < n && s[i + 1] == '\'') {
                    sl_buf_putc(&b, '\'');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            if (escapes && c == '\\' && i + 1 < n) {
                char e = s[i + 1];
                i += 2;
                switch (e) {
                case 'b': sl_buf_putc(&b, '\b'); break;
                case 'f': sl_buf_putc(&b, '\f'); break;
                case 'n': sl_buf_putc(&b, '\n'); break;
                case 'r': sl_buf_putc(&b, '\r'); break;
                case 't': sl_buf_putc(&b, '\t'); break;
                case 'x': {
                    int v = 0, k = 0;
                    while (k < 2 && i < n && hexv(s[i]) >= 0)
                        v = v * 16 + hexv(s[i++]), k++;
                    if (k == 0)
                        sl_buf_putc(&b, 'x');
                    else
                        sl_buf_putc(&b, (char)v);
                    break;
                }
                case 'u':
                case 'U': {
                    int want = e == 'u' ? 4 : 8, k = 0;
                    unsigned long cp = 0;
                    while (k < want && i < n && hexv(s[i]) >= 0)
                        cp = cp * 16 + (unsigned long)hexv(s[i++]), k++;
                    if (k != want || cp > 0x10FFFF || cp == 0) {
                        sl_buf_free(&b);
                        return lex_error(ps, start, i - start, "invalid Unicode escape");
                    }
                    put_utf8(&b, cp);
                    break;
                }
                default:
                    if (e >= '0' && e <= '7') {
                        int v = e - '0', k = 1;
                        while (k < 3 && i < n && s[i] >= '0' && s[i] <= '7')
                            v = v * 8 + (s[i++] - '0'), k++;
                        sl_buf_putc(&b, (char)v);
                    } else {
                        sl_buf_putc(&b, e);
                    }
                }
                continue;
            }
            sl_buf_putc(&b, c);
            i++;
        }
        /* continuation: whitespace including a newline, then another ' */
        size_t j = i;
        bool newline = false;
        while (j < n && isspace((unsigned char)s[j])) {
            if (s[j] == '\n')
                newline = true;
            j++;
        }
        if (newline && j < n && s[j] == '\'') {
            i = j;
            continue;
        }
        break;
    }
    tok->z = sl_strndup(ps->arena, b.data ? b.data : "", b.len);
    tok->n = (int)b.len;
    sl_buf_free(&b);
    *pos = i;
    return TK_STRING;
}

int ps_next_token(ParseState *ps, size_t *pos, Token *tok)
{
    const char *s = ps->sql;
    size_t n = ps->len, i = *pos;

again:
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i >= n) {
        *pos = i;
        tok->pos = (int)i;
        tok->rawlen = 0;
        return 0;
    }
    /* comments */
    if (s[i] == '-' && i + 1 < n && s[i + 1] == '-') {
        while (i < n && s[i] != '\n')
            i++;
        goto again;
    }
    if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
        size_t start = i;
        int depth = 1;
        i += 2;
        while (i < n && depth > 0) {
            if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
                depth++;
                i += 2;
            } else if (s[i] == '*' && i + 1 < n && s[i + 1] == '/') {
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
    case '-': code = TK_MINUS; i++; break;
    case '/': code = TK_SLASH; i++; break;
    case '%': code = TK_PERCENT; i++; break;
    case '=':
        code = TK_EQ;
        i++;
        if (i < n && s[i] == '=')
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
        code = lex_string(ps, start, &i, false, tok);
        if (code < 0)
            return -1;
        tok->rawlen = (int)(i - start);
        *pos = i;
        return code;
    case '"': {
        SlBuf b;
        sl_buf_init(&b);
        i++;
        for (;;) {
            if (i >= n) {
                sl_buf_free(&b);
                return lex_error(ps, start, n - start, "unterminated quoted identifier");
            }
            if (s[i] == '"') {
                if (i + 1 < n && s[i + 1] == '"') {
                    sl_buf_putc(&b, '"');
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            sl_buf_putc(&b, s[i++]);
        }
        if (b.len == 0) {
            sl_buf_free(&b);
            return lex_error(ps, start, i - start, "zero-length delimited identifier");
        }
        tok->z = sl_strndup(ps->arena, b.data, b.len);
        tok->n = (int)b.len;
        sl_buf_free(&b);
        tok->rawlen = (int)(i - start);
        *pos = i;
        return TK_ID;
    }
    case '$': {
        /* $n parameter or $tag$ dollar quoting */
        if (i + 1 < n && isdigit((unsigned char)s[i + 1])) {
            i++;
            long v = 0;
            while (i < n && isdigit((unsigned char)s[i])) {
                if (v < 100000000)
                    v = v * 10 + (s[i] - '0');
                i++;
            }
            if (i < n && (isalpha((unsigned char)s[i]) || s[i] == '_'))
                return lex_error(ps, start, i + 1 - start, "trailing junk after parameter");
            tok->z = sl_strndup(ps->arena, s + start, i - start);
            tok->n = (int)(i - start);
            tok->rawlen = tok->n;
            *pos = i;
            return TK_PARAM;
        }
        size_t j = i + 1;
        while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '_'))
            j++;
        if (j < n && s[j] == '$') {
            size_t taglen = j - i + 1;
            const char *tag = s + i;
            size_t body = j + 1, k = body;
            while (k + taglen <= n && memcmp(s + k, tag, taglen) != 0)
                k++;
            if (k + taglen > n)
                return lex_error(ps, start, n - start, "unterminated dollar-quoted string");
            tok->z = sl_strndup(ps->arena, s + body, k - body);
            tok->n = (int)(k - body);
            i = k + taglen;
            tok->rawlen = (int)(i - start);
            *pos = i;
            return TK_STRING;
        }
        return lex_error(ps, start, 1, "syntax error");
    }
    case '.':
        if (!(i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
            code = TK_DOT;
            i++;
            break;
        }
        __attribute__((fallthrough)); /* .5 */
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': {
        bool isint = true;
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
        if (i < n && s[i] == '.' && !(i + 1 < n && s[i + 1] == '.')) {
            isint = false;
            i++;
            while (i < n && isdigit((unsigned char)s[i]))
                i++;
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            size_t k = i + 1;
            if (k < n && (s[k] == '+' || s[k] == '-'))
                k++;
            if (k < n && isdigit((unsigned char)s[k])) {
                isint = false;
                i = k;
                while (i < n && isdigit((unsigned char)s[i]))
                    i++;
            }
        }
        if (i < n && (isalpha((unsigned char)s[i]) || s[i] == '_')) {
            size_t k = i;
            while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '_'))
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
        if (isalpha((unsigned char)c) || c == '_' || ((unsigned char)c >= 0x80)) {
            /* E'...' and U&'...' strings */
            if ((c == 'e' || c == 'E') && i + 1 < n && s[i + 1] == '\'') {
                i++;
                code = lex_string(ps, start, &i, true, tok);
                if (code < 0)
                    return -1;
                tok->rawlen = (int)(i - start);
                *pos = i;
                return code;
            }
            while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$' ||
                             (unsigned char)s[i] >= 0x80))
                i++;
            char *w = sl_strndup(ps->arena, s + start, i - start);
            for (char *p = w; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            tok->z = w;
            tok->n = (int)(i - start);
            tok->rawlen = tok->n;
            *pos = i;
            code = ps_keyword_code(w, tok->n);
            return code ? code : TK_ID;
        }
        return lex_error(ps, start, 1, "syntax error");
    }
    tok->z = sl_strndup(ps->arena, s + start, i - start);
    tok->n = (int)(i - start);
    tok->rawlen = tok->n;
    *pos = i;
    return code;
}
