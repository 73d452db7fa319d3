/*
 * settings.c — one table drives the command line, the config file and
 * SET / SHOW / RESET (Redis's config table, PostgreSQL's GUC in small).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sl_common.h"

#ifndef SL_PG_BINDIR
#define SL_PG_BINDIR ""
#endif

#define S_STARTUP SL_CTX_STARTUP
#define S_SESSION SL_CTX_SESSION
#define S_INTERNAL SL_CTX_INTERNAL

static const SlSetting table[] = {
    /* server: command line and config file */
    {"data_dir", 'D', SL_SET_STRING, S_STARTUP, 0, "./data", 0, 0, NULL,
     "directory for the stream log, the private PostgreSQL and the Unix socket"},
    {"port", 'p', SL_SET_INT, S_STARTUP, 0, "6543", 1, 65535, NULL, "TCP port to listen on"},
    {"listen", 0, SL_SET_STRING, S_STARTUP, 0, "127.0.0.1", 0, 0, NULL,
     "address to listen on (0.0.0.0 for every IPv4 address)"},
    {"tls_cert", 0, SL_SET_STRING, S_STARTUP, 0, "", 0, 0, NULL, "TLS certificate file (PEM)"},
    {"tls_key", 0, SL_SET_STRING, S_STARTUP, 0, "", 0, 0, NULL, "TLS private key file (PEM)"},
    {"tls_required", 0, SL_SET_BOOL, S_STARTUP, 0, "off", 0, 0, NULL,
     "refuse connections over TCP that do not use TLS"},
    {"workers", 0, SL_SET_INT, S_STARTUP, 0, "0", 0, 256, NULL,
     "worker threads for queries (0: the number of cores)"},
    {"io_threads", 0, SL_SET_INT, S_STARTUP, 0, "2", 1, 64, NULL, "threads serving connections"},
    {"config", 0, SL_SET_STRING, S_STARTUP, SL_SETF_NOFILE, "", 0, 0, NULL,
     "configuration file to read (name = value lines)"},
    {"state", 0, SL_SET_STRING, S_STARTUP, SL_SETF_SECRET, "", 0, 0, NULL,
     "PostgreSQL holding the state (libpq conninfo or URI); empty: a private cluster in the data directory"},
    {"pg_bindir", 0, SL_SET_STRING, S_STARTUP, 0, SL_PG_BINDIR, 0, 0, NULL,
     "directory of initdb and postgres for the private cluster"},
    {"auth", 0, SL_SET_ENUM, S_STARTUP, 0, "trust", 0, 0, "trust|scram",
     "authentication over TCP: trust or scram (SCRAM-SHA-256 against password_file)"},
    {"password_file", 0, SL_SET_STRING, S_STARTUP, 0, "", 0, 0, NULL,
     "file of user:SCRAM-SHA-256$... verifier lines"},
    {"max_connections", 0, SL_SET_INT, S_STARTUP, 0, "100", 1, 100000, NULL,
     "most client connections at once"},
    {"max_message_size", 0, SL_SET_INT, S_STARTUP, 0, "67108864", 1024, 1073741824, NULL,
     "largest protocol message accepted, in bytes"},
    {"log_level", 0, SL_SET_ENUM, S_STARTUP, 0, "info", 0, 0, "debug|info|warning|error",
     "least severe log messages written"},
    {"demo", 0, SL_SET_BOOL, S_STARTUP, SL_SETF_NOFILE, "off", 0, 0, NULL,
     "create a demo stream and standing query at start"},
    {"enable_failpoints", 0, SL_SET_BOOL, S_STARTUP, 0, "off", 0, 0, NULL,
     "allow failpoints to be armed with SQL (tests only)"},
    {"default_parallelism", 0, SL_SET_INT, S_STARTUP, 0, "0", 0, 1024, NULL,
     "parallelism of views that do not set it (0: workers)"},
    {"checkpoint_interval", 0, SL_SET_DURATION, S_STARTUP, 0, "10s", 0, 86400000, NULL,
     "default time between checkpoints of a view (0: none)"},
    {"checkpoints_retained", 0, SL_SET_INT, S_STARTUP, 0, "3", 1, 100, NULL,
     "default number of complete checkpoints kept per view"},
    {"checkpoint_max_failures", 0, SL_SET_INT, S_STARTUP, 0, "10", 0, 1000000, NULL,
     "default number of consecutive failed checkpoints that fail a view (0: never)"},
    {"durability", 0, SL_SET_ENUM, S_STARTUP, 0, "batch", 0, 0, "fsync|batch|none",
     "default durability of streams: fsync each ingestion, batch (group commit), or none"},
    {"log_dir", 0, SL_SET_STRING, S_STARTUP, 0, "", 0, 0, NULL,
     "directory of the stream logs (empty: DATA_DIR/log)"},
    {"log_segment_bytes", 0, SL_SET_INT, S_STARTUP, 0, "67108864", 4096, 1073741824, NULL,
     "size at which a stream log starts a new segment file"},
    {"log_recycle_bytes", 0, SL_SET_INT, S_STARTUP, 0, "1073741824", 0, 1099511627776, NULL,
     "most bytes of old log segments kept to be written over by new ones (0: delete them)"},
    {"columnar", 0, SL_SET_BOOL, S_STARTUP, 0, "on", 0, 0, NULL,
     "run grouped views over integer and timestamp columns on the columnar path (off: the row path)"},
    {"metrics_port", 0, SL_SET_INT, S_STARTUP, 0, "0", 0, 65535, NULL,
     "port of the Prometheus /metrics endpoint (0: off)"},

    /* session: SET, and the startup packet */
    {"application_name", 0, SL_SET_STRING, S_SESSION, SL_SETF_REPORT, "", 0, 0, NULL,
     "name of the client application"},
    {"client_encoding", 0, SL_SET_STRING, S_SESSION, SL_SETF_REPORT, "UTF8", 0, 0, NULL,
     "client character set (Sluice sends UTF8)"},
    {"DateStyle", 0, SL_SET_STRING, S_SESSION, SL_SETF_REPORT, "ISO, MDY", 0, 0, NULL,
     "date output style and input field order (ISO output, MDY order only)"},
    {"TimeZone", 0, SL_SET_STRING, S_SESSION, SL_SETF_REPORT, "UTC", 0, 0, NULL,
     "time zone (Sluice keeps and prints timestamps in UTC; only UTC names are accepted)"},
    {"IntervalStyle", 0, SL_SET_ENUM, S_SESSION, SL_SETF_REPORT, "postgres", 0, 0, "postgres",
     "interval output style (postgres only)"},
    {"extra_float_digits", 0, SL_SET_INT, S_SESSION, 0, "1", -15, 3, NULL,
     "extra digits for floating-point output"},
    {"search_path", 0, SL_SET_STRING, S_SESSION, 0, "\"$user\", public", 0, 0, NULL,
     "schema search order (Sluice has one namespace)"},
    {"statement_timeout", 0, SL_SET_DURATION, S_SESSION, 0, "0", 0, INT32_MAX, NULL,
     "longest a statement may run (0: no limit)"},
    {"lock_timeout", 0, SL_SET_DURATION, S_SESSION, 0, "0", 0, INT32_MAX, NULL, "accepted for drivers"},
    {"idle_in_transaction_session_timeout", 0, SL_SET_DURATION, S_SESSION, 0, "0", 0, INT32_MAX, NULL,
     "accepted for drivers"},
    {"client_min_messages", 0, SL_SET_ENUM, S_SESSION, 0, "notice", 0, 0,
     "debug5|debug4|debug3|debug2|debug1|log|notice|warning|error", "least severe notices sent"},
    {"default_transaction_isolation", 0, SL_SET_ENUM, S_SESSION, 0, "read committed", 0, 0,
     "serializable|repeatable read|read committed|read uncommitted", "accepted for drivers"},
    {"default_transaction_read_only", 0, SL_SET_ENUM, S_SESSION, SL_SETF_REPORT, "off", 0, 0, "off",
     "whether new transactions are read-only (always off)"},
    {"standard_conforming_strings", 0, SL_SET_ENUM, S_SESSION, SL_SETF_REPORT, "on", 0, 0, "on",
     "'...' strings treat backslashes literally (always on)"},

    /* read-only */
    {"server_version", 0, SL_SET_STRING, S_INTERNAL, SL_SETF_REPORT, SL_PG_VERSION, 0, 0, NULL,
     "the PostgreSQL version Sluice answers as"},
    {"server_encoding", 0, SL_SET_STRING, S_INTERNAL, SL_SETF_REPORT, "UTF8", 0, 0, NULL, "server character set"},
    {"integer_datetimes", 0, SL_SET_BOOL, S_INTERNAL, SL_SETF_REPORT, "on", 0, 0, NULL,
     "timestamps are 64-bit integers"},
    {"is_superuser", 0, SL_SET_BOOL, S_INTERNAL, SL_SETF_REPORT, "on", 0, 0, NULL, "the user is a superuser"},
    {"server_version_num", 0, SL_SET_INT, S_INTERNAL, 0, "150000", 150000, 150000, NULL,
     "server_version as a number"},
    {"in_hot_standby", 0, SL_SET_BOOL, S_INTERNAL, SL_SETF_REPORT, "off", 0, 0, NULL,
     "whether the server is a standby (never)"},
    {"max_identifier_length", 0, SL_SET_INT, S_INTERNAL, 0, "63", 63, 63, NULL, "longest identifier"},
    {"transaction_isolation", 0, SL_SET_STRING, S_INTERNAL, 0, "read committed", 0, 0, NULL,
     "isolation level"},
    {"sluice_version", 0, SL_SET_STRING, S_INTERNAL, 0, SL_VERSION_STRING, 0, 0, NULL, "Sluice's own version"},
};

#define NSET ((int)(sizeof table / sizeof table[0]))

const SlSetting *sl_settings_table(int *count)
{
    *count = NSET;
    return table;
}

static bool name_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '-' ? '_' : (char)tolower((unsigned char)*a);
        char y = *b == '-' ? '_' : (char)tolower((unsigned char)*b);
        if (x != y)
            return false;
    }
    return *a == *b;
}

static int find_index(const char *name)
{
    for (int i = 0; i < NSET; i++)
        if (name_eq(name, table[i].name))
            return i;
    return -1;
}

const SlSetting *sl_setting_find(const char *name)
{
    int i = find_index(name);
    return i < 0 ? NULL : &table[i];
}

struct SlSettings {
    const SlSettings *parent;
    char *value[NSET];     /* NULL: not set here */
    int64_t ival[NSET];    /* parsed INT/DURATION/BOOL */
};

SlSettings *sl_settings_new(const SlSettings *parent)
{
    SlSettings *s = sl_calloc(1, sizeof *s);
    s->parent = parent;
    return s;
}

void sl_settings_free(SlSettings *s)
{
    if (!s)
        return;
    for (int i = 0; i < NSET; i++)
        free(s->value[i]);
    free(s);
}

/* '1 min 30 s', '00:01:30': an interval without months, in ms. */
static int duration_from_interval(const char *text, int64_t *ms)
{
    SlArena *a = sl_arena_new(0);
    SlValue v;
    int rc = sl_value_in(SL_T_INTERVAL, text, strlen(text), a, &v, NULL);
    sl_arena_free(a);
    if (rc < 0 || v.u.iv.months != 0)
        return -1;
    __int128 us = (__int128)v.u.iv.days * 86400000000LL + v.u.iv.usec;
    if (us < 0 || us > (__int128)INT64_MAX)
        return -1;
    *ms = (int64_t)((us + 500) / 1000);
    return 0;
}

int sl_parse_duration_ms(const char *text, int64_t *ms, SlError *err)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    char *end;
    errno = 0;
    double v = strtod(p, &end);
    if (end == p || errno || *p == '+' || (!isdigit((unsigned char)*p) && *p != '.' && *p != '-'))
        return duration_from_interval(text, ms) == 0
                   ? 0
                   : sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "invalid duration: \"%s\"", text);
    while (isspace((unsigned char)*end))
        end++;
    char unit[32];
    size_t n = 0;
    while (isalpha((unsigned char)*end) && n < sizeof unit - 1)
        unit[n++] = (char)tolower((unsigned char)*end++);
    unit[n] = '\0';
    while (isspace((unsigned char)*end))
        end++;
    if (*end) {
        if (v >= 0 && duration_from_interval(text, ms) == 0)
            return 0;
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "invalid duration: \"%s\"", text);
    }
    double mult;
    if (n == 0 || !strcmp(unit, "ms") || !strcmp(unit, "msec") || !strncmp(unit, "millisecond", 11))
        mult = 1;
    else if (!strcmp(unit, "s") || !strcmp(unit, "sec") || !strcmp(unit, "secs") || !strncmp(unit, "second", 6))
        mult = 1000;
    else if (!strcmp(unit, "min") || !strcmp(unit, "mins") || !strncmp(unit, "minute", 6) || !strcmp(unit, "m"))
        mult = 60000;
    else if (!strcmp(unit, "h") || !strcmp(unit, "hr") || !strcmp(unit, "hrs") || !strncmp(unit, "hour", 4))
        mult = 3600000;
    else if (!strcmp(unit, "d") || !strncmp(unit, "day", 3))
        mult = 86400000;
    else if (!strcmp(unit, "us") || !strncmp(unit, "microsecond", 11))
        mult = 0.001;
    else
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                        "invalid duration unit \"%s\": use ms, s, min, h or d", unit);
    double r = v * mult;
    if (isnan(r) || r < 0 || r > 9.2e18)
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "duration out of range: \"%s\"", text);
    *ms = (int64_t)(r + 0.5);
    return 0;
}

static bool parse_bool_text(const char *v, bool *out)
{
    if (!strcasecmp(v, "on") || !strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1") ||
        !strcasecmp(v, "t")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(v, "off") || !strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") ||
        !strcasecmp(v, "f")) {
        *out = false;
        return true;
    }
    return false;
}

/* Encoding names compare as PostgreSQL compares them: case and
 * punctuation aside ("utf-8" is "UTF8"); SHOW prints the canonical name. */
static int check_encoding(const char *value, char *canon, size_t canon_sz, SlError *err)
{
    static const struct {
        const char *key, *name;
    } enc[] = {
        {"utf8", "UTF8"}, {"unicode", "UTF8"}, {"sqlascii", "SQL_ASCII"},
        {"latin1", "LATIN1"}, {"iso88591", "LATIN1"}, {"latin2", "LATIN2"}, {"iso88592", "LATIN2"},
        {"latin9", "LATIN9"}, {"iso885915", "LATIN9"}, {"win1252", "WIN1252"},
        {"windows1252", "WIN1252"}, {"win1251", "WIN1251"}, {"windows1251", "WIN1251"},
        {"koi8r", "KOI8R"}, {"eucjp", "EUC_JP"}, {"euckr", "EUC_KR"}, {"euccn", "EUC_CN"},
        {"sjis", "SJIS"}, {"shiftjis", "SJIS"}, {"gbk", "GBK"}, {"big5", "BIG5"},
    };
    char key[64];
    size_t n = 0;
    for (const char *p = value; *p && n < sizeof key - 1; p++)
        if (isalnum((unsigned char)*p))
            key[n++] = (char)tolower((unsigned char)*p);
    key[n] = '\0';
    for (size_t k = 0; k < sizeof enc / sizeof enc[0]; k++)
        if (!strcmp(key, enc[k].key)) {
            snprintf(canon, canon_sz, "%s", enc[k].name);
            return 0;
        }
    return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                    "invalid value for parameter \"client_encoding\": \"%s\"", value);
}

/* DateStyle: an output style and a field order, in any order and case
 * ("ISO", "iso, mdy", "US"). Sluice prints ISO and reads ambiguous dates
 * (01/02/2024) month first, so only those are accepted. */
static int check_datestyle(const char *value, char *canon, size_t canon_sz, SlError *err)
{
    const char *p = value;
    while (*p) {
        while (*p == ',' || isspace((unsigned char)*p))
            p++;
        const char *w = p;
        while (*p && *p != ',' && !isspace((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - w);
        if (!n)
            break;
        if ((n == 3 && !strncasecmp(w, "iso", 3)) || (n == 3 && !strncasecmp(w, "mdy", 3)) ||
            (n == 2 && !strncasecmp(w, "us", 2)) || (n == 11 && !strncasecmp(w, "noneuropean", 11)))
            continue;
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "invalid value for parameter \"DateStyle\": \"%s\"",
                 value);
        sl_error_detail(err, "Sluice prints dates in the ISO style and reads them month first (MDY).");
        return -1;
    }
    snprintf(canon, canon_sz, "ISO, MDY");
    return 0;
}

/* TimeZone: Sluice keeps and prints timestamptz in UTC, so only names of
 * UTC are accepted (SHOW prints the name given, as PostgreSQL does). */
static int check_timezone(const char *value, char *canon, size_t canon_sz, SlError *err)
{
    static const char *const utc[] = {"UTC", "GMT", "Etc/UTC", "Etc/GMT", "UCT", "Etc/UCT",
                                      "Universal", "Etc/Universal", "Zulu", "Etc/Zulu", "Z",
                                      "GMT0", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Greenwich",
                                      "+00", "+00:00", "-00", "00:00", "0", "+0", "-0"};
    for (size_t k = 0; k < sizeof utc / sizeof utc[0]; k++)
        if (!strcasecmp(value, utc[k])) {
            snprintf(canon, canon_sz, "%s", isalpha((unsigned char)utc[k][0]) ? utc[k] : "UTC");
            return 0;
        }
    sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "invalid value for parameter \"TimeZone\": \"%s\"",
             value);
    sl_error_detail(err, "Sluice keeps and prints timestamps with time zone in UTC.");
    return -1;
}

/* Validates value for setting i; *ival gets the parsed number. The text
 * stored may be canonicalized into canon (for bools and enums). */
static int validate(int i, const char *value, int64_t *ival, char *canon, size_t canon_sz, SlError *err)
{
    const SlSetting *s = &table[i];
    snprintf(canon, canon_sz, "%s", value);
    switch (s->type) {
    case SL_SET_BOOL: {
        bool b;
        if (!parse_bool_text(value, &b))
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                            "parameter \"%s\" requires a Boolean value", s->name);
        *ival = b;
        snprintf(canon, canon_sz, "%s", b ? "on" : "off");
        return 0;
    }
    case SL_SET_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        while (isspace((unsigned char)*end))
            end++;
        if (end == value || *end || errno)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                            "invalid value for parameter \"%s\": \"%s\"", s->name, value);
        if (v < s->min || v > s->max)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                            "%lld is outside the valid range for parameter \"%s\" (%lld .. %lld)",
                            v, s->name, (long long)s->min, (long long)s->max);
        *ival = v;
        snprintf(canon, canon_sz, "%lld", v);
        return 0;
    }
    case SL_SET_DURATION: {
        int64_t ms;
        if (sl_parse_duration_ms(value, &ms, err) < 0) {
            if (err)
                sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                         "invalid value for parameter \"%s\": \"%s\"", s->name, value);
            return -1;
        }
        if (ms < s->min || ms > s->max)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                            "%lld ms is outside the valid range for parameter \"%s\" (%lld .. %lld ms)",
                            (long long)ms, s->name, (long long)s->min, (long long)s->max);
        *ival = ms;
        return 0;
    }
    case SL_SET_ENUM: {
        bool b;
        /* a one-value boolean ("on" only, "off" only) takes any spelling */
        if ((!strcmp(s->choices, "on") || !strcmp(s->choices, "off")) && parse_bool_text(value, &b) &&
            b == !strcmp(s->choices, "on")) {
            snprintf(canon, canon_sz, "%s", s->choices);
            *ival = b;
            return 0;
        }
        const char *c = s->choices;
        while (*c) {
            const char *bar = strchr(c, '|');
            size_t n = bar ? (size_t)(bar - c) : strlen(c);
            if (strlen(value) == n && !strncasecmp(value, c, n)) {
                snprintf(canon, canon_sz, "%.*s", (int)n, c);
                *ival = 0;
                return 0;
            }
            if (!bar)
                break;
            c = bar + 1;
        }
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "invalid value for parameter \"%s\": \"%s\"",
                 s->name, value);
        char list[512];
        size_t k = 0;
        for (const char *q = s->choices; *q && k + 3 < sizeof list; q++) {
            if (*q == '|') {
                list[k++] = ',';
                list[k++] = ' ';
            } else {
                list[k++] = *q;
            }
        }
        list[k] = '\0';
        sl_error_hint(err, "Available values: %s.", list);
        return -1;
    }
    case SL_SET_STRING:
        *ival = 0;
        if (!strcmp(s->name, "client_encoding"))
            return check_encoding(value, canon, canon_sz, err);
        if (!strcmp(s->name, "DateStyle"))
            return check_datestyle(value, canon, canon_sz, err);
        if (!strcmp(s->name, "TimeZone"))
            return check_timezone(value, canon, canon_sz, err);
        if (!strcmp(s->name, "application_name") && strlen(canon) > 63)
            canon[63] = '\0'; /* NAMEDATALEN - 1, as PostgreSQL truncates */
        return 0;
    }
    return 0;
}

static int store(SlSettings *s, int i, const char *value, SlError *err)
{
    char canon[1024];
    int64_t iv;
    if (strlen(value) >= sizeof canon)
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "value for parameter \"%s\" is too long",
                        table[i].name);
    if (validate(i, value, &iv, canon, sizeof canon, err) < 0)
        return -1;
    free(s->value[i]);
    s->value[i] = sl_xstrdup(canon);
    s->ival[i] = iv;
    return 0;
}

int sl_settings_set(SlSettings *s, const char *name, const char *value, SlSettingContext ctx,
                    SlError *err)
{
    int i = find_index(name);
    if (i < 0)
        return sl_error(err, SL_E_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
    if (table[i].context == SL_CTX_INTERNAL)
        return sl_error(err, SL_E_CANT_CHANGE_RUNTIME_PARAM, "parameter \"%s\" cannot be changed",
                        table[i].name);
    if (table[i].context == SL_CTX_STARTUP && ctx == SL_CTX_SESSION)
        return sl_error(err, SL_E_CANT_CHANGE_RUNTIME_PARAM,
                        "parameter \"%s\" cannot be changed without restarting the server", table[i].name);
    return store(s, i, value, err);
}

int sl_settings_reset(SlSettings *s, const char *name, SlError *err)
{
    if (!strcasecmp(name, "all")) {
        for (int i = 0; i < NSET; i++) {
            if (table[i].context == SL_CTX_SESSION) {
                free(s->value[i]);
                s->value[i] = NULL;
            }
        }
        return 0;
    }
    int i = find_index(name);
    if (i < 0)
        return sl_error(err, SL_E_UNDEFINED_OBJECT, "unrecognized configuration parameter \"%s\"", name);
    if (table[i].context == SL_CTX_STARTUP)
        return sl_error(err, SL_E_CANT_CHANGE_RUNTIME_PARAM,
                        "parameter \"%s\" cannot be changed without restarting the server", table[i].name);
    if (table[i].context != SL_CTX_SESSION)
        return sl_error(err, SL_E_CANT_CHANGE_RUNTIME_PARAM, "parameter \"%s\" cannot be changed",
                        table[i].name);
    free(s->value[i]);
    s->value[i] = NULL;
    return 0;
}

static const SlSettings *owner(const SlSettings *s, int i)
{
    for (; s; s = s->parent)
        if (s->value[i])
            return s;
    return NULL;
}

const char *sl_settings_get(const SlSettings *s, const char *name)
{
    int i = find_index(name);
    if (i < 0)
        return NULL;
    const SlSettings *o = owner(s, i);
    return o ? o->value[i] : table[i].def;
}

int64_t sl_settings_get_int(const SlSettings *s, const char *name)
{
    int i = find_index(name);
    if (i < 0)
        return 0;
    const SlSettings *o = owner(s, i);
    if (o)
        return o->ival[i];
    int64_t v = 0;
    char canon[256];
    if (validate(i, table[i].def, &v, canon, sizeof canon, NULL) < 0)
        return 0;
    return v;
}

bool sl_settings_get_bool(const SlSettings *s, const char *name)
{
    return sl_settings_get_int(s, name) != 0;
}

int sl_settings_load_file(SlSettings *s, const char *path, SlError *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sl_error(err, SL_E_IO_ERROR, "could not open configuration file \"%s\": %s", path,
                        strerror(errno));
    char line[4096];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *p = line;
        /* strip comments outside quotes */
        bool inq = false;
        for (char *q = p; *q; q++) {
            if (*q == '\'')
                inq = !inq;
            else if (*q == '#' && !inq) {
                *q = '\0';
                break;
            }
        }
        while (isspace((unsigned char)*p))
            p++;
        char *e = p + strlen(p);
        while (e > p && isspace((unsigned char)e[-1]))
            *--e = '\0';
        if (!*p)
            continue;
        char *eq = strchr(p, '=');
        char *name = p, *value;
        if (eq) {
            *eq = '\0';
            value = eq + 1;
        } else {
            /* "name value" */
            value = p;
            while (*value && !isspace((unsigned char)*value))
                value++;
            if (*value)
                *value++ = '\0';
        }
        char *ne = name + strlen(name);
        while (ne > name && isspace((unsigned char)ne[-1]))
            *--ne = '\0';
        while (isspace((unsigned char)*value))
            value++;
        size_t vl = strlen(value);
        if (vl >= 2 && value[0] == '\'' && value[vl - 1] == '\'') {
            value[vl - 1] = '\0';
            value++;
        }
        int i = find_index(name);
        if (i < 0) {
            fclose(f);
            return sl_error(err, SL_E_UNDEFINED_OBJECT,
                            "%s:%d: unrecognized configuration parameter \"%s\"", path, lineno, name);
        }
        if (table[i].context == SL_CTX_INTERNAL) {
            fclose(f);
            return sl_error(err, SL_E_CANT_CHANGE_RUNTIME_PARAM, "%s:%d: parameter \"%s\" cannot be changed",
                            path, lineno, table[i].name);
        }
        if (table[i].flags & SL_SETF_NOFILE) {
            fclose(f);
            return sl_error(err, SL_E_CANT_CHANGE_RUNTIME_PARAM,
                            "%s:%d: parameter \"%s\" can only be given on the command line", path,
                            lineno, table[i].name);
        }
        SlError e2;
        if (store(s, i, value, &e2) < 0) {
            fclose(f);
            return sl_error(err, e2.code, "%s:%d: %s", path, lineno, e2.message);
        }
    }
    fclose(f);
    return 0;
}

int sl_settings_parse_args(SlSettings *s, int argc, char **argv, bool *want_help,
                           bool *want_version, SlError *err)
{
    *want_help = *want_version = false;
    for (int a = 1; a < argc; a++) {
        const char *arg = argv[a];
        const char *value = NULL;
        int i = -1;
        char name[128];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h") || !strcmp(arg, "-?")) {
            *want_help = true;
            continue;
        }
        if (!strcmp(arg, "--version") || !strcmp(arg, "-V")) {
            *want_version = true;
            continue;
        }
        if (!strncmp(arg, "--", 2)) {
            const char *eq = strchr(arg + 2, '=');
            size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
            if (n >= sizeof name)
                return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "unknown option \"%s\"", arg);
            memcpy(name, arg + 2, n);
            name[n] = '\0';
            i = find_index(name);
            if (i < 0 || table[i].context == SL_CTX_INTERNAL)
                return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "unknown option \"--%s\"", name);
            if (eq)
                value = eq + 1;
            else if (table[i].type == SL_SET_BOOL && (a + 1 >= argc || argv[a + 1][0] == '-'))
                value = "on";
            else if (table[i].type == SL_SET_BOOL && !parse_bool_text(argv[a + 1], &(bool){0}))
                value = "on";
            else if (a + 1 < argc)
                value = argv[++a];
            else
                return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "option \"--%s\" needs a value", name);
        } else if (arg[0] == '-' && arg[1]) {
            for (int k = 0; k < NSET; k++)
                if (table[k].short_opt && table[k].short_opt == arg[1])
                    i = k;
            if (i < 0)
                return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "unknown option \"%s\"", arg);
            if (arg[2])
                value = arg + 2;
            else if (a + 1 < argc)
                value = argv[++a];
            else
                return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "option \"%s\" needs a value", arg);
        } else {
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "unexpected argument \"%s\"", arg);
        }
        if (!strcmp(table[i].name, "config")) {
            if (store(s, i, value, err) < 0 || sl_settings_load_file(s, value, err) < 0)
                return -1;
            continue;
        }
        SlError e2;
        if (store(s, i, value, &e2) < 0)
            return sl_error(err, e2.code, "--%s: %s", table[i].name, e2.message);
    }
    return 0;
}

void sl_settings_usage(const char *progname, SlBuf *out)
{
    sl_buf_printf(out, "Usage: %s [OPTION]...\n\nOptions (also valid as name = value in --config FILE):\n",
                  progname);
    for (int i = 0; i < NSET; i++) {
        const SlSetting *s = &table[i];
        if (s->context != SL_CTX_STARTUP)
            continue;
        char opt[64];
        char dashed[48];
        snprintf(dashed, sizeof dashed, "%s", s->name);
        for (char *c = dashed; *c; c++)
            if (*c == '_')
                *c = '-';
        if (s->short_opt)
            snprintf(opt, sizeof opt, "-%c, --%s", s->short_opt, dashed);
        else
            snprintf(opt, sizeof opt, "    --%s", dashed);
        const char *arg = s->type == SL_SET_BOOL ? "" : s->type == SL_SET_INT ? " N"
                          : s->type == SL_SET_DURATION ? " DURATION" : " VALUE";
        char left[96];
        snprintf(left, sizeof left, "%s%s", opt, arg);
        sl_buf_printf(out, "  %-34s %s", left, s->help);
        if (s->def && *s->def)
            sl_buf_printf(out, " (default: %s)", s->def);
        sl_buf_putc(out, '\n');
    }
    sl_buf_puts(out, "  -h, --help                         show this help, then exit\n"
                     "  -V, --version                      show the version, then exit\n");
}
