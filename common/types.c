/*
 * types.c — the SQL type table (names, oids, sizes) and value constructors.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sl_common.h"

static const struct {
    const char *name;
    uint32_t oid;
    int16_t len;
} type_info[SL_T__COUNT] = {
    [SL_T_UNKNOWN] = {"unknown", 705, -2},
    [SL_T_BOOL] = {"boolean", 16, 1},
    [SL_T_INT4] = {"integer", 23, 4},
    [SL_T_INT8] = {"bigint", 20, 8},
    [SL_T_FLOAT8] = {"double precision", 701, 8},
    [SL_T_NUMERIC] = {"numeric", 1700, -1},
    [SL_T_TEXT] = {"text", 25, -1},
    [SL_T_TIMESTAMP] = {"timestamp without time zone", 1114, 8},
    [SL_T_TIMESTAMPTZ] = {"timestamp with time zone", 1184, 8},
    [SL_T_INTERVAL] = {"interval", 1186, 16},
};

const char *sl_type_name(SlType t)
{
    return (unsigned)t < SL_T__COUNT ? type_info[t].name : "unknown";
}

uint32_t sl_type_oid(SlType t)
{
    return (unsigned)t < SL_T__COUNT ? type_info[t].oid : 705;
}

int16_t sl_type_len(SlType t)
{
    return (unsigned)t < SL_T__COUNT ? type_info[t].len : -1;
}

int sl_type_from_oid(uint32_t oid, SlType *out)
{
    switch (oid) {
    case 0: case 705: *out = SL_T_UNKNOWN; return 0;
    case 16: *out = SL_T_BOOL; return 0;
    case 21: case 23: *out = SL_T_INT4; return 0;
    case 20: *out = SL_T_INT8; return 0;
    case 700: case 701: *out = SL_T_FLOAT8; return 0;
    case 1700: *out = SL_T_NUMERIC; return 0;
    case 25: case 1043: case 1042: case 19: *out = SL_T_TEXT; return 0;
    case 1114: *out = SL_T_TIMESTAMP; return 0;
    case 1184: *out = SL_T_TIMESTAMPTZ; return 0;
    case 1186: *out = SL_T_INTERVAL; return 0;
    default: return -1;
    }
}

int sl_type_from_name(const char *name, SlType *out)
{
    static const struct {
        const char *n;
        SlType t;
    } names[] = {
        {"int", SL_T_INT4}, {"integer", SL_T_INT4}, {"int4", SL_T_INT4},
        {"smallint", SL_T_INT4}, {"int2", SL_T_INT4},
        {"bigint", SL_T_INT8}, {"int8", SL_T_INT8},
        {"double precision", SL_T_FLOAT8}, {"float8", SL_T_FLOAT8},
        {"float", SL_T_FLOAT8}, {"real", SL_T_FLOAT8}, {"float4", SL_T_FLOAT8},
        {"numeric", SL_T_NUMERIC}, {"decimal", SL_T_NUMERIC},
        {"text", SL_T_TEXT}, {"varchar", SL_T_TEXT}, {"character varying", SL_T_TEXT},
        {"char", SL_T_TEXT}, {"character", SL_T_TEXT}, {"bpchar", SL_T_TEXT}, {"name", SL_T_TEXT},
        {"boolean", SL_T_BOOL}, {"bool", SL_T_BOOL},
        {"timestamp", SL_T_TIMESTAMP}, {"timestamp without time zone", SL_T_TIMESTAMP},
        {"timestamptz", SL_T_TIMESTAMPTZ}, {"timestamp with time zone", SL_T_TIMESTAMPTZ},
        {"interval", SL_T_INTERVAL},
    };
    /* normalize: lower case, single spaces */
    char buf[64];
    size_t n = 0;
    bool space = false;
    for (const char *p = name; *p && n < sizeof buf - 1; p++) {
        if (isspace((unsigned char)*p)) {
            space = n > 0;
            continue;
        }
        if (space && n < sizeof buf - 2)
            buf[n++] = ' ';
        space = false;
        buf[n++] = (char)tolower((unsigned char)*p);
    }
    buf[n] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!strcmp(buf, names[i].n)) {
            *out = names[i].t;
            return 0;
        }
    }
    return -1;
}

/* Seconds between 1970-01-01 and 2000-01-01. */
#define PG_EPOCH_OFFSET 946684800LL

int64_t sl_now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec - PG_EPOCH_OFFSET) * 1000000LL + ts.tv_nsec / 1000;
}
