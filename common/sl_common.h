/*
 * sl_common.h — the one public header of common/: memory arenas, byte
 * buffers, errors with SQLSTATE, logging, SQL types and values, settings.
 *
 * Everything above common/ (parser, planner, executor, storage, server,
 * clients) includes this header and nothing else from this folder.
 * Thread safety: every function here is safe to call from any thread as
 * long as the objects passed are not shared without a lock.
 */
#ifndef SL_COMMON_H
#define SL_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SL_VERSION_STRING "0.1.0"
/* What drivers see as server_version: they parse the leading numbers. */
#define SL_PG_VERSION "15.0"

#if defined(__GNUC__)
#define SL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SL_LIKELY(x) __builtin_expect(!!(x), 1)
#define SL_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define SL_PRINTF(f, a)
#define SL_LIKELY(x) (x)
#define SL_UNLIKELY(x) (x)
#endif

/* ======================================================================
 * Memory arenas (PostgreSQL's memory contexts, simplified)
 * Allocate into an arena, free the arena, not each object. Per message,
 * per query and per batch arenas are reset in one call.
 * ====================================================================== */
typedef struct SlArena SlArena;

SlArena *sl_arena_new(size_t block_size);          /* 0: default (8 KiB) */
void *sl_alloc(SlArena *a, size_t n);              /* 16-aligned; aborts on OOM */
void *sl_alloc0(SlArena *a, size_t n);             /* zeroed */
char *sl_strdup(SlArena *a, const char *s);
char *sl_strndup(SlArena *a, const char *s, size_t n); /* NUL-terminated copy */
char *sl_psprintf(SlArena *a, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_arena_reset(SlArena *a);                   /* keeps the first block */
void sl_arena_free(SlArena *a);
size_t sl_arena_used(const SlArena *a);            /* bytes handed out */
/* From now on each new block is twice the last, up to max_block bytes
 * (state that grows large: fewer, bigger blocks). */
void sl_arena_grow(SlArena *a, size_t max_block);
/* Bytes of freed 4 MB blocks kept for the next growing arena (up to
 * 256 MB; none under AddressSanitizer). */
size_t sl_arena_pooled(void);

/* Heap helpers that abort on OOM. */
/* Maps the pages of [p, p + n) that lie whole inside it in one call
 * (MADV_POPULATE_WRITE), for memory about to be filled: a page fault each
 * costs more, in a virtual machine more than zeroing the page. A hint: on
 * kernels before 5.14 the pages fault in as they are written. */
void sl_mem_populate(void *p, size_t n);
void *sl_malloc(size_t n);
void *sl_calloc(size_t n, size_t size);
void *sl_realloc(void *p, size_t n);
char *sl_xstrdup(const char *s);

/* ======================================================================
 * Byte buffer (heap, growable). data is always NUL-terminated.
 * ====================================================================== */
typedef struct SlBuf {
    char *data;
    size_t len;
    size_t cap;
} SlBuf;

void sl_buf_init(SlBuf *b);
void sl_buf_free(SlBuf *b);
void sl_buf_reset(SlBuf *b);                       /* len = 0, keeps memory */
void sl_buf_reserve(SlBuf *b, size_t extra);
void sl_buf_append(SlBuf *b, const void *p, size_t n);
void sl_buf_puts(SlBuf *b, const char *s);
void sl_buf_putc(SlBuf *b, char c);
void sl_buf_printf(SlBuf *b, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_buf_vprintf(SlBuf *b, const char *fmt, va_list ap);
/* Big-endian integers, as the wire protocol wants them. */
void sl_buf_put_u8(SlBuf *b, uint8_t v);
void sl_buf_put_i16(SlBuf *b, int16_t v);
void sl_buf_put_i32(SlBuf *b, int32_t v);
void sl_buf_put_i64(SlBuf *b, int64_t v);
void sl_buf_set_i32(SlBuf *b, size_t at, int32_t v); /* patch a length */

/* ======================================================================
 * Errors: a value with a SQLSTATE from one table.
 * Functions that can fail return 0 on success and -1 on failure, filling
 * the SlError * they were given (which may be NULL when the caller does
 * not care). Messages are lower case, identifiers quoted with "".
 * ====================================================================== */
#define SL_ERRCODES(X)                                                        \
    X(OK, "00000")                                                            \
    X(WARNING, "01000")                                                       \
    X(FEATURE_NOT_SUPPORTED, "0A000")                                         \
    X(INVALID_TRANSACTION_STATE, "25000")                                     \
    X(IN_FAILED_TRANSACTION, "25P02")                                         \
    X(NO_ACTIVE_TRANSACTION, "25P01")                                         \
    X(ACTIVE_TRANSACTION, "25001")                                            \
    X(INVALID_AUTHORIZATION, "28000")                                         \
    X(INVALID_PASSWORD, "28P01")                                              \
    X(DATA_EXCEPTION, "22000")                                                \
    X(STRING_DATA_RIGHT_TRUNCATION, "22001")                                  \
    X(NUMERIC_VALUE_OUT_OF_RANGE, "22003")                                    \
    X(INVALID_DATETIME_FORMAT, "22007")                                       \
    X(DATETIME_FIELD_OVERFLOW, "22008")                                       \
    X(DIVISION_BY_ZERO, "22012")                                              \
    X(INVALID_ESCAPE_SEQUENCE, "22025")                                       \
    X(INVALID_PARAMETER_VALUE, "22023")                                       \
    X(INVALID_TEXT_REPRESENTATION, "22P02")                                   \
    X(BAD_COPY_FILE_FORMAT, "22P04")                                          \
    X(INVALID_BINARY_REPRESENTATION, "22P03")                                 \
    X(CHARACTER_NOT_IN_REPERTOIRE, "22021")                                   \
    X(NULL_VALUE_NOT_ALLOWED, "22004")                                        \
    X(SYNTAX_ERROR, "42601")                                                  \
    X(INSUFFICIENT_PRIVILEGE, "42501")                                        \
    X(UNDEFINED_COLUMN, "42703")                                              \
    X(UNDEFINED_FUNCTION, "42883")                                            \
    X(UNDEFINED_TABLE, "42P01")                                               \
    X(UNDEFINED_OBJECT, "42704")                                              \
    X(DUPLICATE_TABLE, "42P07")                                               \
    X(DUPLICATE_OBJECT, "42710")                                              \
    X(DUPLICATE_COLUMN, "42701")                                              \
    X(AMBIGUOUS_COLUMN, "42702")                                              \
    X(DATATYPE_MISMATCH, "42804")                                             \
    X(CANNOT_COERCE, "42846")                                                 \
    X(GROUPING_ERROR, "42803")                                                \
    X(WRONG_OBJECT_TYPE, "42809")                                             \
    X(INVALID_COLUMN_REFERENCE, "42P10")                                      \
    X(DEPENDENT_OBJECTS_STILL_EXIST, "2BP01")                                 \
    X(UNDEFINED_PARAMETER, "42P02")                                           \
    X(INDETERMINATE_DATATYPE, "42P18")                                        \
    X(INVALID_CURSOR_NAME, "34000")                                           \
    X(DUPLICATE_CURSOR, "42P03")                                              \
    X(INVALID_CURSOR_STATE, "24000")                                          \
    X(DUPLICATE_PSTATEMENT, "42P05")                                          \
    X(INVALID_SQL_STATEMENT_NAME, "26000")                                    \
    X(PROTOCOL_VIOLATION, "08P01")                                            \
    X(CONNECTION_EXCEPTION, "08000")                                          \
    X(CONNECTION_FAILURE, "08006")                                            \
    X(TOO_MANY_CONNECTIONS, "53300")                                          \
    X(DISK_FULL, "53100")                                                     \
    X(OUT_OF_MEMORY, "53200")                                                 \
    X(PROGRAM_LIMIT_EXCEEDED, "54000")                                        \
    X(QUERY_CANCELED, "57014")                                                \
    X(ADMIN_SHUTDOWN, "57P01")                                                \
    X(CANT_CHANGE_RUNTIME_PARAM, "55P02")                                     \
    X(OBJECT_NOT_IN_PREREQUISITE_STATE, "55000")                              \
    X(IO_ERROR, "58030")                                                      \
    X(INTERNAL_ERROR, "XX000")                                                \
    X(DATA_CORRUPTED, "XX001")                                                \
    X(INTERVAL_FIELD_OVERFLOW, "22015")                                       \
    X(INVALID_TIME_ZONE_DISPLACEMENT_VALUE, "22009")                                                \
    X(SUBSTRING_ERROR, "22011")                                               \
    X(INVALID_ARGUMENT_FOR_LOG, "2201E")                                      \
    X(INVALID_ARGUMENT_FOR_POWER, "2201F")                                    \
    X(AMBIGUOUS_FUNCTION, "42725")                                            \
    X(INVALID_ROW_COUNT_IN_LIMIT, "2201W")                                    \
    X(INVALID_ROW_COUNT_IN_OFFSET, "2201X")                                   \
    X(SYSTEM_ERROR, "58000")

#define SL_ERRCODE_ENUM(name, code) SL_E_##name,
typedef enum SlErrCode { SL_ERRCODES(SL_ERRCODE_ENUM) SL_E__COUNT } SlErrCode;
#undef SL_ERRCODE_ENUM

const char *sl_errcode_sqlstate(SlErrCode code);   /* "42601" */

typedef struct SlError {
    SlErrCode code;       /* SL_E_OK when no error */
    int position;         /* 1-based character position in the query, 0 = none */
    char message[512];
    char detail[512];
    char hint[256];
    char context[256];    /* where it happened ("COPY bids, line 3, column
                           * price: ..."); pgwire's 'W' field */
} SlError;

void sl_error_clear(SlError *e);
/* Sets code and message (printf style); clears detail, hint and position.
 * Always returns -1 so callers can write `return sl_error(e, ...);`.
 * e may be NULL. */
int sl_error(SlError *e, SlErrCode code, const char *fmt, ...) SL_PRINTF(3, 4);
int sl_error_at(SlError *e, SlErrCode code, int position, const char *fmt, ...)
    SL_PRINTF(4, 5);
void sl_error_detail(SlError *e, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_error_hint(SlError *e, const char *fmt, ...) SL_PRINTF(2, 3);
void sl_error_context(SlError *e, const char *fmt, ...) SL_PRINTF(2, 3);

/* ======================================================================
 * Logging with levels, to stderr, one line per call, thread safe.
 * ====================================================================== */
typedef enum SlLogLevel {
    SL_LOG_DEBUG = 0,
    SL_LOG_INFO,
    SL_LOG_WARNING,
    SL_LOG_ERROR,
    SL_LOG_FATAL
} SlLogLevel;

void sl_log_set_level(SlLogLevel level);
int sl_log_level_parse(const char *name, SlLogLevel *out); /* "debug".."fatal" */
SlLogLevel sl_log_get_level(void);
void sl_log(SlLogLevel level, const char *fmt, ...) SL_PRINTF(2, 3);
#define sl_debug(...) sl_log(SL_LOG_DEBUG, __VA_ARGS__)
#define sl_info(...) sl_log(SL_LOG_INFO, __VA_ARGS__)
#define sl_warn(...) sl_log(SL_LOG_WARNING, __VA_ARGS__)

/* ======================================================================
 * Hashing
 * ====================================================================== */
uint64_t sl_hash_bytes(const void *p, size_t n, uint64_t seed);
uint64_t sl_hash_u64(uint64_t x);                  /* a strong 64-bit mix */

/* ======================================================================
 * SQL types and values
 *
 * VARCHAR is TEXT. SMALLINT and INT2 parameters are widened to INT4.
 * NUMERIC is fixed point: a signed 128-bit integer scaled by 10^scale,
 * at most 38 significant digits and a scale of 0..32 (see docs/types.md).
 * TIMESTAMP and TIMESTAMPTZ are microseconds since 2000-01-01 00:00:00
 * (TIMESTAMPTZ in UTC; the server's TimeZone is UTC, printed as +00).
 * INTERVAL is months, days, microseconds, as PostgreSQL keeps it.
 * ====================================================================== */
typedef enum SlType {
    SL_T_UNKNOWN = 0,   /* an untyped literal or NULL not yet resolved */
    SL_T_BOOL,
    SL_T_INT4,
    SL_T_INT8,
    SL_T_FLOAT8,
    SL_T_NUMERIC,
    SL_T_TEXT,
    SL_T_TIMESTAMP,
    SL_T_TIMESTAMPTZ,
    SL_T_INTERVAL,
    SL_T__COUNT
} SlType;

#define SL_NUMERIC_MAX_DIGITS 38
#define SL_NUMERIC_MAX_SCALE 32

typedef struct SlInterval {
    int64_t usec;
    int32_t days;
    int32_t months;
} SlInterval;

typedef struct SlValue {
    uint8_t type;        /* SlType */
    uint8_t isnull;      /* SQL NULL: the union is meaningless */
    int16_t scale;       /* NUMERIC: digits after the point */
    uint32_t _pad;
    union {
        bool b;
        int32_t i4;
        int64_t i8;
        double f8;
        __int128 num;    /* NUMERIC: value * 10^scale */
        struct {
            const char *p;   /* not NUL-terminated; owned by someone else */
            uint32_t len;
        } s;
        int64_t ts;
        SlInterval iv;
    } u;
} SlValue;

/* Constructors (no allocation; sl_val_text borrows the bytes). Inline:
 * they run once per value on every hot path (COPY, evaluation). */
#define SL_VAL_INIT(v, T)            \
    SlValue v;                       \
    memset(&v, 0, sizeof v);         \
    v.type = (uint8_t)(T)

static inline SlValue sl_val_null(SlType t)
{
    SL_VAL_INIT(v, t);
    v.isnull = 1;
    return v;
}

static inline SlValue sl_val_bool(bool b)
{
    SL_VAL_INIT(v, SL_T_BOOL);
    v.u.b = b;
    return v;
}

static inline SlValue sl_val_int4(int32_t x)
{
    SL_VAL_INIT(v, SL_T_INT4);
    v.u.i4 = x;
    return v;
}

static inline SlValue sl_val_int8(int64_t x)
{
    SL_VAL_INIT(v, SL_T_INT8);
    v.u.i8 = x;
    return v;
}

static inline SlValue sl_val_float8(double x)
{
    SL_VAL_INIT(v, SL_T_FLOAT8);
    v.u.f8 = x;
    return v;
}

static inline SlValue sl_val_numeric(__int128 x, int scale)
{
    SL_VAL_INIT(v, SL_T_NUMERIC);
    v.u.num = x;
    v.scale = (int16_t)scale;
    return v;
}

static inline SlValue sl_val_text(const char *p, size_t len)
{
    SL_VAL_INIT(v, SL_T_TEXT);
    v.u.s.p = p;
    v.u.s.len = (uint32_t)len;
    return v;
}

static inline SlValue sl_val_timestamp(int64_t usec)
{
    SL_VAL_INIT(v, SL_T_TIMESTAMP);
    v.u.ts = usec;
    return v;
}

static inline SlValue sl_val_timestamptz(int64_t usec)
{
    SL_VAL_INIT(v, SL_T_TIMESTAMPTZ);
    v.u.ts = usec;
    return v;
}

static inline SlValue sl_val_interval(int32_t months, int32_t days, int64_t usec)
{
    SL_VAL_INIT(v, SL_T_INTERVAL);
    v.u.iv.months = months;
    v.u.iv.days = days;
    v.u.iv.usec = usec;
    return v;
}

const char *sl_type_name(SlType t);                /* "bigint", "text", ... */
uint32_t sl_type_oid(SlType t);                    /* 20, 25, ...; 705 unknown */
int16_t sl_type_len(SlType t);                     /* typlen for RowDescription */
/* oid -> type; int2 (21) and varchar (1043) map to INT4 and TEXT;
 * 0 and 705 map to SL_T_UNKNOWN. Returns -1 for an oid Sluice lacks. */
int sl_type_from_oid(uint32_t oid, SlType *out);
/* SQL type name -> type: "int", "integer", "int4", "bigint", "int8",
 * "smallint", "int2", "double precision", "float8", "float", "real",
 * "numeric", "decimal", "text", "varchar", "character varying",
 * "boolean", "bool", "timestamp", "timestamp without time zone",
 * "timestamptz", "timestamp with time zone", "interval".
 * Case-insensitive; single spaces between words. Returns -1 if unknown. */
int sl_type_from_name(const char *name, SlType *out);

/* Current time, microseconds since 2000-01-01 UTC. */
int64_t sl_now_usec(void);

/* Text input, as PostgreSQL's input functions accept it (leading and
 * trailing spaces allowed for numbers, 't'/'true'/'yes'/'on'/'1' for
 * bool, ISO timestamps with optional fraction and zone, intervals in
 * PostgreSQL and ISO-8601 forms). Text values point into arena (may be
 * NULL when type is not TEXT). Errors: 22P02, 22003, 22007, 22008. */
int sl_value_in(SlType type, const char *text, size_t len, SlArena *arena,
                SlValue *out, SlError *err);
/* Text output exactly as PostgreSQL prints it with DateStyle ISO, MDY,
 * TimeZone UTC, IntervalStyle postgres, extra_float_digits 1 (shortest
 * exact float8 output). NULL appends nothing (the caller knows). */
void sl_value_out(const SlValue *v, SlBuf *out);
/* Binary send/receive formats of PostgreSQL for these types (numeric in
 * its base-10000 form). Errors: 22P03. */
int sl_value_recv(SlType type, const char *data, size_t len, SlArena *arena,
                  SlValue *out, SlError *err);
void sl_value_send(const SlValue *v, SlBuf *out);

/* Casts between types, as PostgreSQL's explicit CAST does (text to
 * anything goes through sl_value_in; anything to text through
 * sl_value_out, except boolean, which casts to 'true'/'false'; numeric to
 * int rounds half away from zero, float to int half to even as rint does;
 * overflow is 22003). NULL casts to NULL of the target type. */
int sl_value_cast(const SlValue *in, SlType to, SlArena *arena, SlValue *out,
                  SlError *err);
/* Can `from` be implicitly coerced to `to` (int4->int8->numeric->float8,
 * timestamp->timestamptz, unknown->anything)? */
bool sl_type_can_coerce(SlType from, SlType to);
/* The common type of two types for comparison, UNION-like resolution and
 * CASE branches; SL_T_UNKNOWN when there is none. */
SlType sl_type_common(SlType a, SlType b);

/* Arithmetic and comparison operators. */
typedef enum SlOp {
    SL_OP_ADD, SL_OP_SUB, SL_OP_MUL, SL_OP_DIV, SL_OP_MOD,
    SL_OP_EQ, SL_OP_NE, SL_OP_LT, SL_OP_LE, SL_OP_GT, SL_OP_GE,
    SL_OP_CONCAT
} SlOp;

/* Result type of a op b, as PostgreSQL resolves it (int4+int4 int4,
 * int4+int8 int8, numeric with ints numeric, float8 wins, timestamp -
 * timestamp interval, timestamp +/- interval timestamp, interval * float8
 * interval, comparisons bool, || text). SL_T_UNKNOWN: no such operator. */
SlType sl_op_result_type(SlOp op, SlType a, SlType b);
/* Evaluate a op b. NULL in, NULL out (for comparisons too). Overflow
 * 22003, division by zero 22012. Text results are allocated in arena.
 * Operands may have different types; they are promoted as above. */
int sl_value_op(SlOp op, const SlValue *a, const SlValue *b, SlArena *arena,
                SlValue *out, SlError *err);
int sl_value_neg(const SlValue *a, SlValue *out, SlError *err);

/* Total order for non-NULL values of comparable types (promoting numbers
 * as PostgreSQL does); NULLs sort last (greater than everything), as in
 * ORDER BY ... ASC. Returns <0, 0, >0. */
int sl_value_cmp(const SlValue *a, const SlValue *b);
/* Equal values hash equal, whatever the numeric type: 1::int4, 1::int8
 * and 1.0::numeric hash alike. NULL hashes to a fixed value. */
uint64_t sl_value_hash(const SlValue *v);
/* Copy a value, deep-copying text into arena. */
void sl_value_copy(const SlValue *in, SlArena *arena, SlValue *out);

/* NUMERIC helpers. */
int sl_numeric_from_int128(__int128 v, int scale, SlValue *out, SlError *err);
/* Division with PostgreSQL's result scale for numeric division
 * (at least 16 significant digits), rounding half away from zero. */
int sl_numeric_div(const SlValue *a, const SlValue *b, SlValue *out,
                   SlError *err);

/* ======================================================================
 * Settings: one table drives the command line, the config file and
 * SET / SHOW / RESET.
 * ====================================================================== */
typedef enum SlSettingType {
    SL_SET_BOOL,
    SL_SET_INT,       /* int64 within [min, max] */
    SL_SET_STRING,
    SL_SET_ENUM,      /* one of a |-separated list in `choices` */
    SL_SET_DURATION   /* '10s', '5 min', '100ms', '1h', a bare number = ms;
                       * stored as milliseconds */
} SlSettingType;

/* Where a setting may change. */
typedef enum SlSettingContext {
    SL_CTX_INTERNAL = 0, /* read-only (server_version, integer_datetimes) */
    SL_CTX_STARTUP = 1,  /* command line and config file only */
    SL_CTX_SESSION = 2   /* also SET per session, and the startup packet */
} SlSettingContext;

#define SL_SETF_REPORT 0x1   /* sent as ParameterStatus at startup/SET */
#define SL_SETF_SECRET 0x2   /* SHOW hides it */
#define SL_SETF_NOFILE 0x4   /* command line only (config) */

typedef struct SlSetting {
    const char *name;       /* lower case; '_' separated; the long option */
    char short_opt;         /* 'D', 'p' or 0 */
    SlSettingType type;
    SlSettingContext context;
    int flags;
    const char *def;        /* default value as text */
    int64_t min, max;       /* for INT and DURATION */
    const char *choices;    /* for ENUM: "a|b|c" */
    const char *help;
} SlSetting;

/* The table, in display order. */
const SlSetting *sl_settings_table(int *count);
/* Case-insensitive; accepts '-' for '_' (so --data-dir finds data_dir). */
const SlSetting *sl_setting_find(const char *name);

/* A set of current values. The server holds one; each session holds a
 * child whose unset values fall through to the server's. */
typedef struct SlSettings SlSettings;
SlSettings *sl_settings_new(const SlSettings *parent); /* NULL: defaults */
void sl_settings_free(SlSettings *s);
/* Validate and store. ctx is where the change comes from: a session SET
 * of a STARTUP setting is 55P02; an unknown name is 42704; a bad value
 * is 22023 naming the setting and its bounds. */
int sl_settings_set(SlSettings *s, const char *name, const char *value,
                    SlSettingContext ctx, SlError *err);
int sl_settings_reset(SlSettings *s, const char *name, SlError *err); /* "all" */
/* Current value as text, as SHOW prints it (durations keep the unit the
 * user gave, e.g. '10s'). NULL for an unknown name. */
const char *sl_settings_get(const SlSettings *s, const char *name);
int64_t sl_settings_get_int(const SlSettings *s, const char *name); /* INT, DURATION(ms) */
bool sl_settings_get_bool(const SlSettings *s, const char *name);
/* The config file: `name = value` lines, '#' comments, values optionally
 * in single quotes. Errors name the file and line. */
int sl_settings_load_file(SlSettings *s, const char *path, SlError *err);
/* Parses argv: --name=value, --name value, -X value, -Xvalue, and the
 * flags --help and --version (returned through *want_help, *want_version).
 * --config FILE is loaded where it appears, so later flags override it. */
int sl_settings_parse_args(SlSettings *s, int argc, char **argv,
                           bool *want_help, bool *want_version, SlError *err);
/* Usage text built from the table. */
void sl_settings_usage(const char *progname, SlBuf *out);
/* Parse a duration ('10s', '5 min', '1h', '250ms', '2 days', bare number
 * = ms, SQL interval strings like '1 second') into milliseconds. */
int sl_parse_duration_ms(const char *text, int64_t *ms, SlError *err);

/* ======================================================================
 * Failpoints: named places in the code where a test injects an error, a
 * delay or a crash (docs/failpoints.md). The names are a fixed list in
 * failpoint.c; arming needs failpoints enabled (sluiced
 * --enable-failpoints). All functions are thread safe.
 * ====================================================================== */
/* Off at start. Turning failpoints off also disarms every failpoint. */
void sl_failpoints_enable(bool on);
bool sl_failpoints_enabled(void);

/* Arm a failpoint; spec (case-insensitive, spaces allowed around tokens):
 *   off            disarm
 *   error          fail every hit
 *   error(n)       fail the next n hits, then off           (n >= 1)
 *   error(p%)      fail each hit with probability p, 0 < p <= 100
 *   sleep(ms)      sleep ms milliseconds at every hit       (0..3600000)
 *   sleep(ms,n)    sleep at the next n hits, then off
 *   abort          abort() the process at the next hit (a crash)
 * Arming replaces the previous spec and zeroes the hit count.
 * Errors: 42501 when failpoints are not enabled, 42704 for an unknown
 * name, 22023 for a bad spec. */
int sl_failpoint_arm(const char *name, const char *spec, SlError *err);
/* Same as arming with 'off'; same errors. */
int sl_failpoint_disarm(const char *name, SlError *err);

/* The check placed in the code. Returns 0 when the failpoint is not armed
 * (one relaxed atomic load when nothing at all is armed) or when it only
 * slept; returns -1 with 58000 `failpoint "NAME" triggered` in err when
 * it fires an error. Never fails for an unknown name (returns 0). */
int sl_failpoint_hit(const char *name, SlError *err);

/* Calls fn for every known failpoint, in registry order, with its current
 * spec in canonical form ("off", "error(2)", "sleep(100)", ...) and hits,
 * the number of times it took effect since it was last armed. Stops at
 * and returns the first non-zero value fn returns; 0 otherwise. fn runs
 * without any failpoint lock held. */
int sl_failpoint_list(int (*fn)(void *ctx, const char *name, const char *spec,
                                int64_t hits),
                      void *ctx);

#endif /* SL_COMMON_H */
