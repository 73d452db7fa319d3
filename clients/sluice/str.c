/*
 * str.c — a growable string for the client's output and buffers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

static void str_reserve(SlcStr *s, size_t extra)
{
    if (s->len + extra + 1 <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < s->len + extra + 1)
        cap *= 2;
    char *p = realloc(s->data, cap);
    if (!p) {
        fprintf(stderr, "sluice: out of memory\n");
        exit(1);
    }
    s->data = p;
    s->cap = cap;
}

void slc_str_append(SlcStr *s, const char *p, size_t n)
{
    str_reserve(s, n);
    if (n)
        memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
}

void slc_str_puts(SlcStr *s, const char *p)
{
    slc_str_append(s, p, strlen(p));
}

void slc_str_putc(SlcStr *s, char c)
{
    slc_str_append(s, &c, 1);
}

void slc_str_pad(SlcStr *s, char c, size_t n)
{
    str_reserve(s, n);
    memset(s->data + s->len, c, n);
    s->len += n;
    s->data[s->len] = '\0';
}

void slc_str_printf(SlcStr *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    str_reserve(s, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(s->data + s->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    s->len += (size_t)n;
}

void slc_str_reset(SlcStr *s)
{
    s->len = 0;
    if (s->data)
        s->data[0] = '\0';
}

void slc_str_free(SlcStr *s)
{
    free(s->data);
    s->data = NULL;
    s->len = s->cap = 0;
}

const char *slc_str_cstr(SlcStr *s)
{
    return s->data ? s->data : "";
}
