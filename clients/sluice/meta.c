/*
 * meta.c — parsing of backslash meta-commands.
 *
 * A meta-command is one line: a backslash, a command word, arguments.
 * Identifiers follow SQL's rules: unquoted ones fold to lower case,
 * "double-quoted" ones are kept as written ("" is a quote).
 * \copy turns into the COPY statement to send (FROM STDIN / TO STDOUT)
 * and the local file the client streams.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sluice.h"

static const char *skip_ws(const char *p)
{
    while (*p && isspace((unsigned char)*p))
        p++;
    return p;
}

static void set_error(SlcMeta *m, const char *fmt, const char *arg)
{
    char buf[512];
    snprintf(buf, sizeof buf, fmt, arg);
    free(m->error);
    m->error = strdup(buf);
    m->kind = SLC_META_UNKNOWN;
}

/*
 * Read one identifier (possibly schema-qualified: a.b) at *pp into a
 * malloc'd string, folding unquoted parts. If raw is set, keep the SQL
 * spelling (quotes included) instead. Stops at blank space, '(' or ';'.
 */
static char *read_ident(const char **pp, bool raw)
{
    const char *p = *pp;
    SlcStr s = {0};
    while (*p && !isspace((unsigned char)*p) && *p != '(' && *p != ';') {
        if (*p == '"') {
            if (raw)
                slc_str_putc(&s, '"');
            p++;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    slc_str_puts(&s, raw ? "\"\"" : "\"");
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    slc_str_putc(&s, *p++);
                }
            }
            if (raw)
                slc_str_putc(&s, '"');
        } else {
            char c = *p++;
            slc_str_putc(&s, raw ? c : (char)tolower((unsigned char)c));
        }
    }
    *pp = p;
    if (!s.len) {
        slc_str_free(&s);
        return NULL;
    }
    return s.data;
}

/* on|off|true|false|1|0 or nothing (toggle); -2 if invalid */
static int parse_toggle(const char *p)
{
    p = skip_ws(p);
    if (!*p)
        return -1;
    char word[16];
    size_t n = 0;
    while (*p && !isspace((unsigned char)*p) && n < sizeof word - 1)
        word[n++] = (char)tolower((unsigned char)*p++);
    word[n] = '\0';
    if (*skip_ws(p))
        return -2;
    if (!strcmp(word, "on") || !strcmp(word, "true") || !strcmp(word, "1") || !strcmp(word, "yes"))
        return 1;
    if (!strcmp(word, "off") || !strcmp(word, "false") || !strcmp(word, "0") || !strcmp(word, "no"))
        return 0;
    return -2;
}

/* Skip a parenthesized group at p (which points at '('), honouring quotes. */
static const char *skip_parens(const char *p)
{
    int depth = 0;
    char q = 0;
    for (; *p; p++) {
        if (q) {
            if (*p == q)
                q = 0;
        } else if (*p == '\'' || *p == '"') {
            q = *p;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            if (--depth == 0)
                return p + 1;
        }
    }
    return NULL;
}

static bool parse_copy(const char *p, SlcMeta *m)
{
    SlcStr sql = {0};
    slc_str_puts(&sql, "COPY ");
    p = skip_ws(p);
    if (*p == '(') {
        const char *e = skip_parens(p);
        if (!e) {
            set_error(m, "\\copy: unbalanced parentheses%s", "");
            goto fail;
        }
        slc_str_append(&sql, p, (size_t)(e - p));
        p = e;
    } else {
        char *name = read_ident(&p, true);
        if (!name) {
            set_error(m, "\\copy: arguments required%s", "");
            goto fail;
        }
        slc_str_puts(&sql, name);
        free(name);
        p = skip_ws(p);
        if (*p == '(') {
            const char *e = skip_parens(p);
            if (!e) {
                set_error(m, "\\copy: unbalanced parentheses%s", "");
                goto fail;
            }
            slc_str_putc(&sql, ' ');
            slc_str_append(&sql, p, (size_t)(e - p));
            p = e;
        }
    }
    p = skip_ws(p);
    if (!strncasecmp(p, "from", 4) && (isspace((unsigned char)p[4]) || !p[4])) {
        m->copy_from = true;
        p += 4;
    } else if (!strncasecmp(p, "to", 2) && (isspace((unsigned char)p[2]) || !p[2])) {
        m->copy_from = false;
        p += 2;
    } else {
        set_error(m, "\\copy: expected FROM or TO after the table%s", "");
        goto fail;
    }
    p = skip_ws(p);
    /* the file: 'quoted' or a bare word */
    SlcStr file = {0};
    if (*p == '\'') {
        p++;
        while (*p) {
            if (*p == '\'' && p[1] == '\'') {
                slc_str_putc(&file, '\'');
                p += 2;
            } else if (*p == '\'') {
                p++;
                break;
            } else {
                slc_str_putc(&file, *p++);
            }
        }
    } else {
        while (*p && !isspace((unsigned char)*p) && *p != ';')
            slc_str_putc(&file, *p++);
    }
    if (!file.len) {
        slc_str_free(&file);
        set_error(m, "\\copy: a file name is required%s", "");
        goto fail;
    }
    if (!strcasecmp(file.data, "stdin") || !strcasecmp(file.data, "pstdin") ||
        !strcasecmp(file.data, "stdout") || !strcasecmp(file.data, "pstdout")) {
        slc_str_free(&file);
        m->copy_file = NULL;
    } else {
        m->copy_file = file.data;
    }
    slc_str_puts(&sql, m->copy_from ? " FROM STDIN" : " TO STDOUT");
    /* the options as written: WITH (...) or the old bare words */
    p = skip_ws(p);
    size_t rest = strlen(p);
    while (rest && (isspace((unsigned char)p[rest - 1]) || p[rest - 1] == ';'))
        rest--;
    if (rest) {
        slc_str_putc(&sql, ' ');
        slc_str_append(&sql, p, rest);
    }
    m->copy_sql = sql.data;
    return true;
fail:
    slc_str_free(&sql);
    return false;
}

bool slc_meta_parse(const char *line, SlcMeta *m)
{
    memset(m, 0, sizeof *m);
    m->toggle = -1;
    const char *p = skip_ws(line);
    if (*p != '\\') {
        set_error(m, "not a meta-command: %s", line);
        return false;
    }
    p++;
    size_t n = 0;
    if (*p == '?') {
        m->name[n++] = *p++;
    } else {
        while (*p && (isalnum((unsigned char)*p) || *p == '_') && n < sizeof m->name - 1)
            m->name[n++] = *p++;
    }
    m->name[n] = '\0';
    const char *args = p;

    if (!strcmp(m->name, "q") || !strcmp(m->name, "quit")) {
        m->kind = SLC_META_QUIT;
    } else if (!strcmp(m->name, "?")) {
        m->kind = SLC_META_HELP;
    } else if (!strcmp(m->name, "x") || !strcmp(m->name, "timing")) {
        m->kind = m->name[0] == 'x' ? SLC_META_EXPANDED : SLC_META_TIMING;
        m->toggle = parse_toggle(args);
        if (m->toggle == -2) {
            set_error(m, "\\%s: expected on or off", m->name[0] == 'x' ? "x" : "timing");
            return false;
        }
    } else if (!strcmp(m->name, "conninfo")) {
        m->kind = SLC_META_CONNINFO;
    } else if (!strcmp(m->name, "g")) {
        m->kind = SLC_META_GO;
    } else if (!strcmp(m->name, "r")) {
        m->kind = SLC_META_RESET;
    } else if (!strcmp(m->name, "d")) {
        m->kind = SLC_META_DESCRIBE;
        p = skip_ws(args);
        if (*p && *p != ';') {
            m->arg = read_ident(&p, false);
            if (*skip_ws(p) && *skip_ws(p) != ';') {
                set_error(m, "\\d: too many arguments%s", "");
                return false;
            }
        }
    } else if (!strcmp(m->name, "subscribe")) {
        m->kind = SLC_META_SUBSCRIBE;
        p = skip_ws(args);
        /* keep the SQL spelling: it goes into SUBSCRIBE and SELECT as is */
        m->arg = read_ident(&p, true);
        if (!m->arg) {
            set_error(m, "\\subscribe: a view name is required%s", "");
            return false;
        }
        if (*skip_ws(p) && *skip_ws(p) != ';') {
            set_error(m, "\\subscribe: too many arguments%s", "");
            return false;
        }
    } else if (!strcmp(m->name, "copy")) {
        m->kind = SLC_META_COPY;
        if (!parse_copy(args, m))
            return false;
    } else {
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)strcspn(skip_ws(line) + 1, " \t\n"),
                 skip_ws(line) + 1);
        set_error(m, "invalid command \\%s. Try \\? for help.", word);
        return false;
    }
    return true;
}

void slc_meta_free(SlcMeta *m)
{
    free(m->arg);
    free(m->copy_sql);
    free(m->copy_file);
    free(m->error);
    memset(m, 0, sizeof *m);
}
