/*
 * error.c — SQLSTATE table and error records.
 */
#include <stdio.h>
#include <string.h>

#include "sl_common.h"

#define SL_ERRCODE_STR(name, code) code,
static const char *const sqlstates[] = {SL_ERRCODES(SL_ERRCODE_STR)};
#undef SL_ERRCODE_STR

const char *sl_errcode_sqlstate(SlErrCode code)
{
    if ((int)code < 0 || code >= SL_E__COUNT)
        return "XX000";
    return sqlstates[code];
}

void sl_error_clear(SlError *e)
{
    if (!e)
        return;
    e->code = SL_E_OK;
    e->position = 0;
    e->message[0] = e->detail[0] = e->hint[0] = e->context[0] = '\0';
}

static void set_msg(SlError *e, SlErrCode code, int position, const char *fmt,
                    va_list ap)
{
    sl_error_clear(e);
    e->code = code;
    e->position = position;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
}

int sl_error(SlError *e, SlErrCode code, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    set_msg(e, code, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int sl_error_at(SlError *e, SlErrCode code, int position, const char *fmt, ...)
{
    if (!e)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    set_msg(e, code, position, fmt, ap);
    va_end(ap);
    return -1;
}

void sl_error_detail(SlError *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

void sl_error_hint(SlError *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->hint, sizeof e->hint, fmt, ap);
    va_end(ap);
}

void sl_error_context(SlError *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->context, sizeof e->context, fmt, ap);
    va_end(ap);
}
