/*
 * buf.c — growable byte buffers, always NUL-terminated, with the
 * big-endian integer writers the wire protocol needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sl_common.h"

void sl_buf_init(SlBuf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

void sl_buf_free(SlBuf *b)
{
    free(b->data);
    sl_buf_init(b);
}

void sl_buf_reset(SlBuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void sl_buf_reserve(SlBuf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    b->data = sl_realloc(b->data, cap);
    /* a big buffer grows because it is being filled: the new part's pages
     * at once (an ingestion's encoded rows grow to ~20 MB) */
    if (cap >= (1u << 20))
        sl_mem_populate(b->data + b->len, cap - b->len);
    b->cap = cap;
}

void sl_buf_append(SlBuf *b, const void *p, size_t n)
{
    sl_buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sl_buf_puts(SlBuf *b, const char *s)
{
    sl_buf_append(b, s, strlen(s));
}

void sl_buf_putc(SlBuf *b, char c)
{
    sl_buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void sl_buf_vprintf(SlBuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n < 0) {
        va_end(ap2);
        return;
    }
    if ((size_t)n < sizeof tmp) {
        sl_buf_append(b, tmp, (size_t)n);
    } else {
        sl_buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void sl_buf_printf(SlBuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sl_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void sl_buf_put_u8(SlBuf *b, uint8_t v)
{
    sl_buf_putc(b, (char)v);
}

void sl_buf_put_i16(SlBuf *b, int16_t v)
{
    uint16_t u = (uint16_t)v;
    char c[2] = {(char)(u >> 8), (char)u};
    sl_buf_append(b, c, 2);
}

void sl_buf_put_i32(SlBuf *b, int32_t v)
{
    uint32_t u = (uint32_t)v;
    char c[4] = {(char)(u >> 24), (char)(u >> 16), (char)(u >> 8), (char)u};
    sl_buf_append(b, c, 4);
}

void sl_buf_put_i64(SlBuf *b, int64_t v)
{
    sl_buf_put_i32(b, (int32_t)((uint64_t)v >> 32));
    sl_buf_put_i32(b, (int32_t)(uint32_t)v);
}

void sl_buf_set_i32(SlBuf *b, size_t at, int32_t v)
{
    uint32_t u = (uint32_t)v;
    b->data[at] = (char)(u >> 24);
    b->data[at + 1] = (char)(u >> 16);
    b->data[at + 2] = (char)(u >> 8);
    b->data[at + 3] = (char)u;
}
