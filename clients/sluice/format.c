/*
 * format.c — result tables as psql prints them.
 *
 * Aligned: a centered header, a separator line of dashes and '+', cells
 * padded with one space each side and separated by '|', numbers right-
 * aligned, the last column not padded on the right, multi-line values
 * continued with a '+' marker, then "(N rows)" and a blank line.
 * Expanded (\x): a "-[ RECORD n ]" line per row, then "name | value".
 * Unaligned (-A): fields joined by the separator, no padding.
 * Widths are display columns of UTF-8 text, so wide characters line up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

/* ---- display width ---------------------------------------------------- */

static int cp_width(uint32_t c)
{
    if (c == 0)
        return 0;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0))
        return 0;
    /* combining marks and zero-width characters */
    if ((c >= 0x0300 && c <= 0x036f) || (c >= 0x1ab0 && c <= 0x1aff) ||
        (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) ||
        (c >= 0xfe20 && c <= 0xfe2f) || c == 0x200b || c == 0x200c || c == 0x200d ||
        c == 0xfeff)
        return 0;
    /* East Asian wide and fullwidth */
    if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
        (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
        (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
        (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
        (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
        (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
        (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
        return 2;
    return 1;
}

/* Decode one UTF-8 sequence; invalid bytes count as one character. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2;
        v = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3;
        v = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4;
        v = c & 0x07;
    } else {
        *cp = 0xfffd;
        return 1;
    }
    if (n > len) {
        *cp = 0xfffd;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    *cp = v;
    return n;
}

size_t slc_display_width(const char *s, size_t len)
{
    size_t w = 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        i += utf8_next(p + i, len - i, &cp);
        w += (size_t)cp_width(cp);
    }
    return w;
}

/* ---- cells as lines ----------------------------------------------------- */

/* Line k (0-based) of text: start and length; false if there is none. */
static bool cell_line(const char *text, int k, const char **start, size_t *len)
{
    const char *p = text;
    for (int i = 0; i < k; i++) {
        p = strchr(p, '\n');
        if (!p)
            return false;
        p++;
    }
    const char *e = strchr(p, '\n');
    *start = p;
    *len = e ? (size_t)(e - p) : strlen(p);
    return true;
}

static int cell_nlines(const char *text)
{
    int n = 1;
    for (const char *p = text; *p; p++)
        if (*p == '\n')
            n++;
    return n;
}

static size_t cell_width(const char *text)
{
    size_t w = 0;
    const char *s;
    size_t len;
    for (int k = 0; cell_line(text, k, &s, &len); k++) {
        size_t lw = slc_display_width(s, len);
        if (lw > w)
            w = lw;
    }
    return w;
}

static const char *cell_text(const SlcTable *t, const SlcPrintOpt *o, long r, int c)
{
    const char *v = t->cells[r * t->ncols + c];
    if (v)
        return v;
    return o->null_display ? o->null_display : "";
}

static void put_footer(SlcStr *out, long nrows)
{
    slc_str_printf(out, "(%ld row%s)\n", nrows, nrows == 1 ? "" : "s");
}

/* ---- aligned ---------------------------------------------------------- */

static void format_aligned(SlcStr *out, const SlcTable *t, const SlcPrintOpt *o)
{
    int nc = t->ncols;
    size_t *w = calloc((size_t)(nc ? nc : 1), sizeof *w);
    for (int c = 0; c < nc; c++) {
        w[c] = o->tuples_only ? 0 : slc_display_width(t->names[c], strlen(t->names[c]));
        for (long r = 0; r < t->nrows; r++) {
            size_t cw = cell_width(cell_text(t, o, r, c));
            if (cw > w[c])
                w[c] = cw;
        }
    }

    if (t->title && !o->tuples_only) {
        size_t total = 0;
        for (int c = 0; c < nc; c++)
            total += w[c] + 2 + (c ? 1 : 0);
        size_t tw = slc_display_width(t->title, strlen(t->title));
        if (tw < total)
            slc_str_pad(out, ' ', (total - tw) / 2);
        slc_str_puts(out, t->title);
        slc_str_putc(out, '\n');
    }

    if (!o->tuples_only) {
        for (int c = 0; c < nc; c++) {
            size_t hw = slc_display_width(t->names[c], strlen(t->names[c]));
            size_t left = (w[c] - hw) / 2;
            if (c)
                slc_str_putc(out, '|');
            slc_str_putc(out, ' ');
            slc_str_pad(out, ' ', left);
            slc_str_puts(out, t->names[c]);
            slc_str_pad(out, ' ', w[c] - hw - left);
            slc_str_putc(out, ' ');
        }
        slc_str_putc(out, '\n');
        for (int c = 0; c < nc; c++) {
            if (c)
                slc_str_putc(out, '+');
            slc_str_pad(out, '-', w[c] + 2);
        }
        slc_str_putc(out, '\n');
    }

    for (long r = 0; r < t->nrows; r++) {
        int nl = 1;
        for (int c = 0; c < nc; c++) {
            int cl = cell_nlines(cell_text(t, o, r, c));
            if (cl > nl)
                nl = cl;
        }
        for (int k = 0; k < nl; k++) {
            for (int c = 0; c < nc; c++) {
                const char *text = cell_text(t, o, r, c);
                const char *s = "";
                size_t len = 0;
                bool have = cell_line(text, k, &s, &len);
                bool more = have && cell_nlines(text) > k + 1;
                bool last = c == nc - 1;
                bool right = t->right && t->right[c];
                size_t lw = have ? slc_display_width(s, len) : 0;
                if (c)
                    slc_str_putc(out, '|');
                slc_str_putc(out, ' ');
                if (!have) {
                    if (!last)
                        slc_str_pad(out, ' ', w[c]);
                } else if (right) {
                    slc_str_pad(out, ' ', w[c] - lw);
                    slc_str_append(out, s, len);
                } else {
                    slc_str_append(out, s, len);
                    if (!last || more)
                        slc_str_pad(out, ' ', w[c] - lw);
                }
                if (more)
                    slc_str_putc(out, '+');
                else if (!last)
                    slc_str_putc(out, ' ');
            }
            slc_str_putc(out, '\n');
        }
    }
    if (!o->tuples_only && !o->no_footer)
        put_footer(out, t->nrows);
    slc_str_putc(out, '\n');
    free(w);
}

/* ---- expanded ----------------------------------------------------------- */

static void format_expanded(SlcStr *out, const SlcTable *t, const SlcPrintOpt *o)
{
    int nc = t->ncols;
    if (t->nrows == 0) {
        if (!o->tuples_only) {
            put_footer(out, 0);
            slc_str_putc(out, '\n');
        }
        return;
    }
    size_t hw = 0, dw = 0;
    for (int c = 0; c < nc; c++) {
        size_t x = slc_display_width(t->names[c], strlen(t->names[c]));
        if (x > hw)
            hw = x;
        for (long r = 0; r < t->nrows; r++) {
            size_t cw = cell_width(cell_text(t, o, r, c));
            if (cw > dw)
                dw = cw;
        }
    }
    for (long r = 0; r < t->nrows; r++) {
        if (o->tuples_only) {
            if (r)
                slc_str_putc(out, '\n');
        } else {
            /* "-[ RECORD n ]" laid over the rule "--...--+--...--" */
            char label[48];
            int ll = snprintf(label, sizeof label, "-[ RECORD %ld ]", r + 1);
            size_t rule = hw + 1 + 1 + dw + 1;
            slc_str_puts(out, label);
            for (size_t i = (size_t)ll; i < rule; i++)
                slc_str_putc(out, i == hw + 1 ? '+' : '-');
            slc_str_putc(out, '\n');
        }
        for (int c = 0; c < nc; c++) {
            const char *text = cell_text(t, o, r, c);
            int nl = cell_nlines(text);
            for (int k = 0; k < nl; k++) {
                const char *s;
                size_t len;
                cell_line(text, k, &s, &len);
                if (k == 0) {
                    size_t x = slc_display_width(t->names[c], strlen(t->names[c]));
                    slc_str_puts(out, t->names[c]);
                    slc_str_pad(out, ' ', hw - x);
                } else {
                    slc_str_pad(out, ' ', hw);
                }
                slc_str_puts(out, " | ");
                slc_str_append(out, s, len);
                if (k + 1 < nl) {
                    slc_str_pad(out, ' ', dw - slc_display_width(s, len));
                    slc_str_putc(out, '+');
                }
                slc_str_putc(out, '\n');
            }
        }
    }
    slc_str_putc(out, '\n');
}

/* ---- unaligned ---------------------------------------------------------- */

static void format_unaligned(SlcStr *out, const SlcTable *t, const SlcPrintOpt *o)
{
    const char *sep = o->fieldsep ? o->fieldsep : "|";
    int nc = t->ncols;
    if (o->expanded) {
        for (long r = 0; r < t->nrows; r++) {
            if (r)
                slc_str_putc(out, '\n');
            for (int c = 0; c < nc; c++) {
                slc_str_puts(out, t->names[c]);
                slc_str_puts(out, sep);
                slc_str_puts(out, cell_text(t, o, r, c));
                slc_str_putc(out, '\n');
            }
        }
        if (t->nrows == 0 && !o->tuples_only)
            put_footer(out, 0);
        return;
    }
    if (!o->tuples_only) {
        for (int c = 0; c < nc; c++) {
            if (c)
                slc_str_puts(out, sep);
            slc_str_puts(out, t->names[c]);
        }
        slc_str_putc(out, '\n');
    }
    for (long r = 0; r < t->nrows; r++) {
        for (int c = 0; c < nc; c++) {
            if (c)
                slc_str_puts(out, sep);
            slc_str_puts(out, cell_text(t, o, r, c));
        }
        slc_str_putc(out, '\n');
    }
    if (!o->tuples_only && !o->no_footer)
        put_footer(out, t->nrows);
}

void slc_format_table(SlcStr *out, const SlcTable *t, const SlcPrintOpt *o)
{
    if (o->unaligned)
        format_unaligned(out, t, o);
    else if (o->expanded)
        format_expanded(out, t, o);
    else
        format_aligned(out, t, o);
}
