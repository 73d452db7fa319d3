/*
 * errpos.c — the "LINE n:" line and the caret under an error position.
 *
 * PostgreSQL reports the position as a 1-based count of characters into
 * the statement. We find the line holding that character (so a multi-line
 * statement shows the right line), draw it with tabs as spaces, and put a
 * caret under it, counting display columns (wide characters are two).
 * A line wider than 60 columns is cut as psql cuts it: on the right when
 * the caret is near the start, else keeping 10 columns right of the caret
 * and cutting on the left, with "..." where text was dropped.
 */
#include <stdlib.h>
#include <string.h>

#include "sluice.h"

#define DISPLAY_SIZE 60
#define MIN_RIGHT_CUT 10

/* Byte length of the UTF-8 character at s (1 for invalid bytes). */
static size_t char_len(const unsigned char *s, size_t avail)
{
    size_t n = 1;
    if (s[0] >= 0xf0)
        n = 4;
    else if (s[0] >= 0xe0)
        n = 3;
    else if (s[0] >= 0xc0)
        n = 2;
    if (n > avail)
        return 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

bool slc_error_position(SlcStr *out, const char *query, int pos, int width)
{
    if (pos < 1 || !query)
        return false;
    const unsigned char *q = (const unsigned char *)query;
    size_t qlen = strlen(query);

    /* character offsets: the line start and the error's byte offset */
    size_t off = 0, line_start = 0;
    int line_no = 1;
    for (int ch = 1; ch < pos; ch++) {
        if (off >= qlen)
            return false;
        if (q[off] == '\n') {
            line_no++;
            line_start = off + 1;
        }
        off += char_len(q + off, qlen - off);
    }
    if (off > qlen)
        return false;
    size_t line_end = line_start;
    while (line_end < qlen && q[line_end] != '\n' && q[line_end] != '\r')
        line_end++;
    /* an error at the very end (or at a newline) points past the text */

    /* the characters of the line with their display widths */
    size_t nchar = 0;
    for (size_t i = line_start; i < line_end; i += char_len(q + i, line_end - i))
        nchar++;
    size_t *cbeg = malloc((nchar + 1) * sizeof *cbeg);
    size_t *cw = malloc((nchar + 1) * sizeof *cw);
    if (!cbeg || !cw) {
        free(cbeg);
        free(cw);
        return false;
    }
    size_t caret_idx = nchar;
    {
        size_t k = 0;
        for (size_t i = line_start; i < line_end; k++) {
            size_t l = char_len(q + i, line_end - i);
            cbeg[k] = i;
            cw[k] = q[i] == '\t' ? 1 : slc_display_width((const char *)q + i, l);
            if (i == off)
                caret_idx = k;
            i += l;
        }
        cbeg[nchar] = line_end;
    }

    size_t ibeg = 0, iend = nchar;
    size_t total = 0, caret = 0;
    for (size_t k = 0; k < nchar; k++) {
        if (k < caret_idx)
            caret += cw[k];
        total += cw[k];
    }
    bool beg_trunc = false, end_trunc = false;
    size_t limit = width > 0 ? (size_t)width : DISPLAY_SIZE;
    if (total > limit) {
        if (caret + MIN_RIGHT_CUT <= limit) {
            while (total > limit && iend > ibeg) {
                iend--;
                total -= cw[iend];
                end_trunc = true;
            }
        } else {
            while (caret + MIN_RIGHT_CUT < total && iend > ibeg) {
                iend--;
                total -= cw[iend];
                end_trunc = true;
            }
            while (total > limit && ibeg < iend) {
                total -= cw[ibeg];
                caret -= cw[ibeg];
                ibeg++;
                beg_trunc = true;
            }
        }
    }

    SlcStr prefix = {0};
    slc_str_printf(&prefix, "LINE %d: ", line_no);
    slc_str_puts(out, prefix.data);
    if (beg_trunc)
        slc_str_puts(out, "...");
    for (size_t k = ibeg; k < iend; k++) {
        if (q[cbeg[k]] == '\t')
            slc_str_putc(out, ' ');
        else
            slc_str_append(out, query + cbeg[k], cbeg[k + 1] - cbeg[k]);
    }
    if (end_trunc)
        slc_str_puts(out, "...");
    slc_str_putc(out, '\n');
    slc_str_pad(out, ' ', prefix.len + (beg_trunc ? 3 : 0) + caret);
    slc_str_puts(out, "^\n");
    slc_str_free(&prefix);
    free(cbeg);
    free(cw);
    return true;
}
