/*
 * proto.c — PostgreSQL v3 message encoding and bounds-checked decoding.
 * Pure functions over buffers: no sockets, no libevent.
 */
#include <stdio.h>
#include <string.h>

#include "server.h"

void pg_reader_init(PgReader *r, const char *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->pos = 0;
    r->bad = false;
}

uint8_t pg_get_u8(PgReader *r)
{
    if (r->pos + 1 > r->len) {
        r->bad = true;
        return 0;
    }
    return (uint8_t)r->p[r->pos++];
}

int16_t pg_get_i16(PgReader *r)
{
    if (r->pos + 2 > r->len) {
        r->bad = true;
        return 0;
    }
    const unsigned char *q = (const unsigned char *)r->p + r->pos;
    r->pos += 2;
    return (int16_t)((q[0] << 8) | q[1]);
}

int32_t pg_get_i32(PgReader *r)
{
    if (r->pos + 4 > r->len) {
        r->bad = true;
        return 0;
    }
    const unsigned char *q = (const unsigned char *)r->p + r->pos;
    r->pos += 4;
    return (int32_t)(((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3]);
}

const char *pg_get_str(PgReader *r)
{
    if (r->bad || r->pos >= r->len) {
        r->bad = true;
        return "";
    }
    const char *s = r->p + r->pos;
    const char *nul = memchr(s, '\0', r->len - r->pos);
    if (!nul) {
        r->bad = true;
        return "";
    }
    r->pos += (size_t)(nul - s) + 1;
    return s;
}

const char *pg_get_bytes(PgReader *r, size_t n)
{
    if (r->bad || n > r->len - r->pos) {
        r->bad = true;
        return NULL;
    }
    const char *s = r->p + r->pos;
    r->pos += n;
    return s;
}

bool pg_reader_done(const PgReader *r)
{
    return !r->bad && r->pos == r->len;
}

size_t pg_begin(SlBuf *out, char type)
{
    sl_buf_putc(out, type);
    size_t at = out->len;
    sl_buf_put_i32(out, 0);
    return at;
}

void pg_end(SlBuf *out, size_t at)
{
    sl_buf_set_i32(out, at, (int32_t)(out->len - at));
}

void pg_msg_auth(SlBuf *out, int32_t code, const void *data, size_t len)
{
    size_t at = pg_begin(out, 'R');
    sl_buf_put_i32(out, code);
    if (len)
        sl_buf_append(out, data, len);
    pg_end(out, at);
}

void pg_msg_param_status(SlBuf *out, const char *name, const char *value)
{
    size_t at = pg_begin(out, 'S');
    sl_buf_append(out, name, strlen(name) + 1);
    sl_buf_append(out, value, strlen(value) + 1);
    pg_end(out, at);
}

void pg_msg_backend_key(SlBuf *out, int32_t pid, int32_t secret)
{
    size_t at = pg_begin(out, 'K');
    sl_buf_put_i32(out, pid);
    sl_buf_put_i32(out, secret);
    pg_end(out, at);
}

void pg_msg_ready(SlBuf *out, char status)
{
    size_t at = pg_begin(out, 'Z');
    sl_buf_putc(out, status);
    pg_end(out, at);
}

void pg_msg_command_complete(SlBuf *out, const char *tag)
{
    size_t at = pg_begin(out, 'C');
    sl_buf_append(out, tag, strlen(tag) + 1);
    pg_end(out, at);
}

void pg_msg_empty_query(SlBuf *out)
{
    pg_msg_simple(out, 'I');
}

void pg_msg_simple(SlBuf *out, char type)
{
    size_t at = pg_begin(out, type);
    pg_end(out, at);
}

static void field(SlBuf *out, char code, const char *v)
{
    if (!v || !*v)
        return;
    sl_buf_putc(out, code);
    sl_buf_append(out, v, strlen(v) + 1);
}

void pg_msg_error(SlBuf *out, const char *severity, const SlError *e)
{
    size_t at = pg_begin(out, 'E');
    field(out, 'S', severity);
    field(out, 'V', severity);
    field(out, 'C', sl_errcode_sqlstate(e->code));
    field(out, 'M', e->message[0] ? e->message : "unknown error");
    field(out, 'D', e->detail);
    field(out, 'H', e->hint);
    if (e->position > 0) {
        char pos[16];
        snprintf(pos, sizeof pos, "%d", e->position);
        field(out, 'P', pos);
    }
    field(out, 'W', e->context);
    sl_buf_putc(out, '\0');
    pg_end(out, at);
}

void pg_msg_notice(SlBuf *out, const char *severity, const char *sqlstate, const char *message)
{
    size_t at = pg_begin(out, 'N');
    field(out, 'S', severity);
    field(out, 'V', severity);
    field(out, 'C', sqlstate);
    field(out, 'M', message);
    sl_buf_putc(out, '\0');
    pg_end(out, at);
}

void pg_msg_negotiate(SlBuf *out, int32_t minor, int n, const char *const *options)
{
    size_t at = pg_begin(out, 'v');
    sl_buf_put_i32(out, minor);
    sl_buf_put_i32(out, n);
    for (int i = 0; i < n; i++)
        sl_buf_append(out, options[i], strlen(options[i]) + 1);
    pg_end(out, at);
}

void pg_msg_row_description(SlBuf *out, int n, const ExColumn *cols, const int16_t *formats)
{
    size_t at = pg_begin(out, 'T');
    sl_buf_put_i16(out, (int16_t)n);
    for (int i = 0; i < n; i++) {
        sl_buf_append(out, cols[i].name, strlen(cols[i].name) + 1);
        sl_buf_put_i32(out, 0);                                   /* table oid */
        sl_buf_put_i16(out, 0);                                   /* column number */
        SlType t = cols[i].type == SL_T_UNKNOWN ? SL_T_TEXT : cols[i].type;
        sl_buf_put_i32(out, (int32_t)sl_type_oid(t));
        sl_buf_put_i16(out, sl_type_len(t));
        sl_buf_put_i32(out, -1);                                  /* typmod */
        sl_buf_put_i16(out, formats ? formats[i] : 0);
    }
    pg_end(out, at);
}

void pg_msg_param_description(SlBuf *out, int n, const SlType *types)
{
    size_t at = pg_begin(out, 't');
    sl_buf_put_i16(out, (int16_t)n);
    for (int i = 0; i < n; i++)
        sl_buf_put_i32(out, (int32_t)sl_type_oid(types[i] == SL_T_UNKNOWN ? SL_T_TEXT : types[i]));
    pg_end(out, at);
}

void pg_msg_data_row(SlBuf *out, int n, const SlValue *vals, const int16_t *formats)
{
    size_t at = pg_begin(out, 'D');
    sl_buf_put_i16(out, (int16_t)n);
    for (int i = 0; i < n; i++) {
        if (vals[i].isnull) {
            sl_buf_put_i32(out, -1);
            continue;
        }
        size_t lenat = out->len;
        sl_buf_put_i32(out, 0);
        if (formats && formats[i] == 1)
            sl_value_send(&vals[i], out);
        else
            sl_value_out(&vals[i], out);
        sl_buf_set_i32(out, lenat, (int32_t)(out->len - lenat - 4));
    }
    pg_end(out, at);
}

void pg_msg_notification(SlBuf *out, int32_t pid, const char *channel, const char *payload)
{
    size_t at = pg_begin(out, 'A');
    sl_buf_put_i32(out, pid);
    sl_buf_append(out, channel, strlen(channel) + 1);
    sl_buf_append(out, payload, strlen(payload) + 1);
    pg_end(out, at);
}

int pg_parse_startup(const char *body, size_t len, PgStartup *st, SlError *err)
{
    PgReader r;
    pg_reader_init(&r, body, len);
    memset(st, 0, sizeof *st);
    st->code = pg_get_i32(&r);
    if (r.bad)
        return sl_error(err, SL_E_PROTOCOL_VIOLATION, "invalid startup packet layout: too short");
    if (st->code == PG_SSL_REQUEST || st->code == PG_GSSENC_REQUEST || st->code == PG_CANCEL_REQUEST)
        return 0;
    if ((st->code >> 16) != 3)
        return sl_error(err, SL_E_FEATURE_NOT_SUPPORTED, "unsupported frontend protocol %d.%d: server supports 3.0",
                        st->code >> 16, st->code & 0xffff);
    for (;;) {
        const char *name = pg_get_str(&r);
        if (r.bad)
            return sl_error(err, SL_E_PROTOCOL_VIOLATION, "invalid startup packet layout: expected terminator as last byte");
        if (!*name)
            break;
        const char *value = pg_get_str(&r);
        if (r.bad)
            return sl_error(err, SL_E_PROTOCOL_VIOLATION, "invalid startup packet layout: missing value");
        if (st->nparams == 64)
            return sl_error(err, SL_E_PROTOCOL_VIOLATION, "too many startup parameters");
        st->names[st->nparams] = name;
        st->values[st->nparams] = value;
        st->nparams++;
    }
    if (r.pos != r.len)
        return sl_error(err, SL_E_PROTOCOL_VIOLATION, "invalid startup packet layout: expected terminator as last byte");
    return 0;
}
