/*
 * test_client.c — the pure pieces of the sluice client: the statement
 * splitter, the table formatter (expected text checked against psql's),
 * the error caret, meta-command parsing, and the subscribed-view model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"
#include "unit.h"

/* ---- splitter ------------------------------------------------------------ */

/* Feed text line by line; collect the statements (joined by "\x1f") and
 * what is left over. */
static char *split_all(const char *text, char *prompt_after, char **rest)
{
    SlcSplitter sp;
    slc_split_init(&sp);
    SlcStr out = {0};
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);
        slc_split_feed(&sp, p, n);
        p += n;
        char *s;
        while ((s = slc_split_next(&sp))) {
            if (out.len)
                slc_str_putc(&out, '\x1f');
            slc_str_puts(&out, s);
            free(s);
        }
    }
    if (prompt_after)
        *prompt_after = slc_split_prompt_char(&sp);
    char *r = slc_split_rest(&sp);
    if (rest)
        *rest = r;
    else
        free(r);
    slc_split_free(&sp);
    return out.data ? out.data : strdup("");
}

static void test_split_simple(void)
{
    char *rest;
    char *s = split_all("SELECT 1; SELECT 2;\n  SELECT\n 3;\nSELECT 4", NULL, &rest);
    CU_ASSERT_STRING_EQUAL(s, "SELECT 1;\x1fSELECT 2;\x1fSELECT\n 3;");
    CU_ASSERT_STRING_EQUAL(rest, "SELECT 4");
    free(s);
    free(rest);
}

static void test_split_quotes(void)
{
    char *rest = NULL;
    char *s = split_all("SELECT 'a;b', \"c;d\", 'it''s;';\nSELECT E'x\\';y';\n", NULL, &rest);
    CU_ASSERT_STRING_EQUAL(s, "SELECT 'a;b', \"c;d\", 'it''s;';\x1fSELECT E'x\\';y';");
    CU_ASSERT_PTR_NULL(rest);
    free(s);
    /* a standard string does not take backslash escapes: '\' ends it */
    s = split_all("SELECT '\\'; SELECT 2;\n", NULL, NULL);
    CU_ASSERT_STRING_EQUAL(s, "SELECT '\\';\x1fSELECT 2;");
    free(s);
}

static void test_split_dollar(void)
{
    char *s = split_all("DO $$ BEGIN x; y; END $$;\nSELECT $tag$ a;$$; $tag$;\nSELECT $1;\n",
                        NULL, NULL);
    CU_ASSERT_STRING_EQUAL(s, "DO $$ BEGIN x; y; END $$;\x1fSELECT $tag$ a;$$; $tag$;\x1fSELECT $1;");
    free(s);
    /* a dollar quote spanning lines keeps the prompt at '$' */
    char pc;
    char *rest;
    s = split_all("SELECT $f$ first;\nsecond;\n", &pc, &rest);
    CU_ASSERT_STRING_EQUAL(s, "");
    CU_ASSERT_EQUAL(pc, '$');
    CU_ASSERT_STRING_EQUAL(rest, "SELECT $f$ first;\nsecond;");
    free(s);
    free(rest);
}

static void test_split_comments(void)
{
    char *s = split_all("SELECT 1 -- not; the end\n, 2; /* a; /* nested; */ still; */ SELECT 3;\n",
                        NULL, NULL);
    CU_ASSERT_STRING_EQUAL(s, "SELECT 1 -- not; the end\n, 2;\x1f/* a; /* nested; */ still; */ SELECT 3;");
    free(s);
    char pc;
    s = split_all("SELECT /* open\n", &pc, NULL);
    CU_ASSERT_EQUAL(pc, '*');
    free(s);
    s = split_all("SELECT 'open\n", &pc, NULL);
    CU_ASSERT_EQUAL(pc, '\'');
    free(s);
    s = split_all("SELECT (1;\n", &pc, NULL);
    CU_ASSERT_EQUAL(pc, '(');
    free(s);
    s = split_all("SELECT 1\n", &pc, NULL);
    CU_ASSERT_EQUAL(pc, '-');
    free(s);
    CU_ASSERT_TRUE(slc_split_is_empty(" ; -- x\n /* y */ ;"));
    CU_ASSERT_FALSE(slc_split_is_empty("/* y */ SELECT 1;"));
}

static void test_split_chunks(void)
{
    /* text arriving in pieces that cut tokens: "-", "-" and "$t", "ag$" */
    SlcSplitter sp;
    slc_split_init(&sp);
    const char *pieces[] = {"SELECT 1 -", "- c;\n", ";\nSELECT $t", "ag$ ; $ta", "g$;", NULL};
    SlcStr got = {0};
    for (int i = 0; pieces[i]; i++) {
        slc_split_feed(&sp, pieces[i], strlen(pieces[i]));
        char *s;
        while ((s = slc_split_next(&sp))) {
            slc_str_puts(&got, s);
            slc_str_putc(&got, '|');
            free(s);
        }
    }
    CU_ASSERT_STRING_EQUAL(got.data, "SELECT 1 -- c;\n;|SELECT $tag$ ; $tag$;|");
    CU_ASSERT_FALSE(slc_split_pending(&sp));
    slc_str_free(&got);
    slc_split_free(&sp);
}

/* ---- formatter --------------------------------------------------------------- */

static const char *const names3[] = {"a", "b", "c"};
static const bool right3[] = {true, false, false};
static const char *const cells3[] = {"1", "xy", NULL, "22", "long value", "z"};

static char *fmt(const SlcTable *t, SlcPrintOpt o)
{
    SlcStr s = {0};
    slc_format_table(&s, t, &o);
    return s.data ? s.data : strdup("");
}

static void test_format_aligned(void)
{
    SlcTable t = {.ncols = 3, .nrows = 2, .names = names3, .right = right3, .cells = cells3};
    char *s = fmt(&t, (SlcPrintOpt){0});
    /* byte for byte what psql 15 prints for the same result */
    CU_ASSERT_STRING_EQUAL(s,
                           " a  |     b      | c \n"
                           "----+------------+---\n"
                           "  1 | xy         | \n"
                           " 22 | long value | z\n"
                           "(2 rows)\n"
                           "\n");
    free(s);
    t.nrows = 1;
    s = fmt(&t, (SlcPrintOpt){0});
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "(1 row)\n"));
    free(s);
    t.nrows = 0;
    s = fmt(&t, (SlcPrintOpt){0});
    CU_ASSERT_STRING_EQUAL(s, " a | b | c \n---+---+---\n(0 rows)\n\n");
    free(s);
}

static void test_format_modes(void)
{
    SlcTable t = {.ncols = 3, .nrows = 2, .names = names3, .right = right3, .cells = cells3};
    char *s = fmt(&t, (SlcPrintOpt){.expanded = true});
    CU_ASSERT_STRING_EQUAL(s,
                           "-[ RECORD 1 ]-\n"
                           "a | 1\n"
                           "b | xy\n"
                           "c | \n"
                           "-[ RECORD 2 ]-\n"
                           "a | 22\n"
                           "b | long value\n"
                           "c | z\n"
                           "\n");
    free(s);
    static const char *const n2[] = {"aaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbb"};
    static const char *const c2[] = {"1", "x"};
    SlcTable w = {.ncols = 2, .nrows = 1, .names = n2, .cells = c2};
    s = fmt(&w, (SlcPrintOpt){.expanded = true});
    CU_ASSERT_STRING_EQUAL(s,
                           "-[ RECORD 1 ]-------+--\n"
                           "aaaaaaaaaaaaaaa     | 1\n"
                           "bbbbbbbbbbbbbbbbbbb | x\n"
                           "\n");
    free(s);
    s = fmt(&t, (SlcPrintOpt){.unaligned = true});
    CU_ASSERT_STRING_EQUAL(s, "a|b|c\n1|xy|\n22|long value|z\n(2 rows)\n");
    free(s);
    s = fmt(&t, (SlcPrintOpt){.unaligned = true, .tuples_only = true, .fieldsep = ","});
    CU_ASSERT_STRING_EQUAL(s, "1,xy,\n22,long value,z\n");
    free(s);
    s = fmt(&t, (SlcPrintOpt){.tuples_only = true});
    CU_ASSERT_STRING_EQUAL(s, "  1 | xy         | \n 22 | long value | z\n\n");
    free(s);
    s = fmt(&t, (SlcPrintOpt){.null_display = "(null)"});
    CU_ASSERT_PTR_NOT_NULL(strstr(s, "  1 | xy         | (null)\n"));
    free(s);
    t.nrows = 0;
    s = fmt(&t, (SlcPrintOpt){.expanded = true});
    CU_ASSERT_STRING_EQUAL(s, "(0 rows)\n\n");
    free(s);
}

static void test_format_multiline_unicode(void)
{
    static const char *const n[] = {"x", "yyyy", "n"};
    static const bool r[] = {false, false, true};
    static const char *const c[] = {"a\nbcd", "q\nr\ns", "5"};
    SlcTable t = {.ncols = 3, .nrows = 1, .names = n, .right = r, .cells = c};
    char *s = fmt(&t, (SlcPrintOpt){0});
    CU_ASSERT_STRING_EQUAL(s,
                           "  x  | yyyy | n \n"
                           "-----+------+---\n"
                           " a  +| q   +| 5\n"
                           " bcd | r   +| \n"
                           "     | s    | \n"
                           "(1 row)\n"
                           "\n");
    free(s);
    /* wide characters take two columns: psql's output for 'é日本' */
    static const char *const un[] = {"ab", "x", "u"};
    static const bool ur[] = {false, true, false};
    static const char *const uc[] = {"abcdef", "12345", "\xc3\xa9\xe6\x97\xa5\xe6\x9c\xac"};
    SlcTable u = {.ncols = 3, .nrows = 1, .names = un, .right = ur, .cells = uc};
    s = fmt(&u, (SlcPrintOpt){0});
    CU_ASSERT_STRING_EQUAL(s,
                           "   ab   |   x   |   u   \n"
                           "--------+-------+-------\n"
                           " abcdef | 12345 | \xc3\xa9\xe6\x97\xa5\xe6\x9c\xac\n"
                           "(1 row)\n"
                           "\n");
    free(s);
    CU_ASSERT_EQUAL(slc_display_width("\xc3\xa9\xe6\x97\xa5\xe6\x9c\xac", 8), 5);
    CU_ASSERT_EQUAL(slc_display_width("e\xcc\x81", 3), 1); /* e + combining acute */
}

/* ---- error caret ----------------------------------------------------------------- */

static char *caret(const char *q, int pos)
{
    SlcStr s = {0};
    if (!slc_error_position(&s, q, pos, 0)) {
        slc_str_free(&s);
        return strdup("(none)");
    }
    return s.data;
}

static void test_caret(void)
{
    char *s = caret("SELECT 1 FORM t", 15);
    CU_ASSERT_STRING_EQUAL(s, "LINE 1: SELECT 1 FORM t\n"
                              "                      ^\n");
    free(s);
    /* second line of a multi-line statement; a tab shows as one space */
    const char *q = "select 1 as a,\n\t1 +\n  (2,\n  3);";
    s = caret(q, 19); /* the '+' */
    CU_ASSERT_STRING_EQUAL(s, "LINE 2:  1 +\n"
                              "           ^\n");
    free(s);
    s = caret("select 1,\n  2 FORM t;", 20);
    CU_ASSERT_STRING_EQUAL(s, "LINE 2:   2 FORM t;\n"
                              "                 ^\n");
    free(s);
    /* positions count characters, and wide ones take two columns */
    s = caret("select '\xc3\xa9\xe6\x97\xa5\xe6\x9c\xac' FORM x", 19);
    CU_ASSERT_STRING_EQUAL(s, "LINE 1: select '\xc3\xa9\xe6\x97\xa5\xe6\x9c\xac' FORM x\n"
                              "                            ^\n");
    free(s);
    /* long lines are cut as psql cuts them */
    s = caret("select 1 FORM x, 'ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc'",
              15);
    CU_ASSERT_STRING_EQUAL(s, "LINE 1: select 1 FORM x, 'cccccccccccccccccccccccccccccccccccccccccc...\n"
                              "                      ^\n");
    free(s);
    SlcStr q2 = {0};
    slc_str_puts(&q2, "select '");
    slc_str_pad(&q2, 'a', 131);
    slc_str_puts(&q2, "' || '");
    slc_str_pad(&q2, 'b', 72);
    slc_str_puts(&q2, "' FORM x, '");
    slc_str_pad(&q2, 'c', 74);
    slc_str_puts(&q2, "'");
    s = caret(q2.data, 8 + 131 + 6 + 72 + 7 + 1);
    CU_ASSERT_STRING_EQUAL(s, "LINE 1: ...bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' FORM x, 'cccccc...\n"
                              "                                                             ^\n");
    free(s);
    slc_str_free(&q2);
    s = caret("SELECT 1", 50);
    CU_ASSERT_STRING_EQUAL(s, "(none)");
    free(s);
}

/* ---- meta-commands -------------------------------------------------------------- */

static void test_meta(void)
{
    SlcMeta m;
    CU_ASSERT_TRUE(slc_meta_parse("\\q", &m));
    CU_ASSERT_EQUAL(m.kind, SLC_META_QUIT);
    slc_meta_free(&m);
    CU_ASSERT_TRUE(slc_meta_parse("  \\x on\n", &m));
    CU_ASSERT_EQUAL(m.kind, SLC_META_EXPANDED);
    CU_ASSERT_EQUAL(m.toggle, 1);
    slc_meta_free(&m);
    CU_ASSERT_TRUE(slc_meta_parse("\\timing", &m));
    CU_ASSERT_EQUAL(m.kind, SLC_META_TIMING);
    CU_ASSERT_EQUAL(m.toggle, -1);
    slc_meta_free(&m);
    CU_ASSERT_FALSE(slc_meta_parse("\\timing maybe", &m));
    CU_ASSERT_PTR_NOT_NULL(m.error);
    slc_meta_free(&m);
    CU_ASSERT_TRUE(slc_meta_parse("\\d", &m));
    CU_ASSERT_EQUAL(m.kind, SLC_META_DESCRIBE);
    CU_ASSERT_PTR_NULL(m.arg);
    slc_meta_free(&m);
    CU_ASSERT_TRUE(slc_meta_parse("\\d Bids;", &m));
    CU_ASSERT_STRING_EQUAL(m.arg, "bids");
    slc_meta_free(&m);
    CU_ASSERT_TRUE(slc_meta_parse("\\d \"Mixed\"\"Q\"", &m));
    CU_ASSERT_STRING_EQUAL(m.arg, "Mixed\"Q");
    slc_meta_free(&m);
    CU_ASSERT_TRUE(slc_meta_parse("\\subscribe top_auctions", &m));
    CU_ASSERT_EQUAL(m.kind, SLC_META_SUBSCRIBE);
    CU_ASSERT_STRING_EQUAL(m.arg, "top_auctions");
    slc_meta_free(&m);
    CU_ASSERT_FALSE(slc_meta_parse("\\subscribe", &m));
    slc_meta_free(&m);
    CU_ASSERT_FALSE(slc_meta_parse("\\frobnicate now", &m));
    CU_ASSERT_STRING_EQUAL(m.error, "invalid command \\frobnicate. Try \\? for help.");
    slc_meta_free(&m);
}

static void test_meta_copy(void)
{
    SlcMeta m;
    CU_ASSERT_TRUE(slc_meta_parse("\\copy bids (auction, price) from '/tmp/my file.csv' with (format csv, header)", &m));
    CU_ASSERT_EQUAL(m.kind, SLC_META_COPY);
    CU_ASSERT_TRUE(m.copy_from);
    CU_ASSERT_STRING_EQUAL(m.copy_sql, "COPY bids (auction, price) FROM STDIN with (format csv, header)");
    CU_ASSERT_STRING_EQUAL(m.copy_file, "/tmp/my file.csv");
    slc_meta_free(&m);
    CU_ASSERT_TRUE(slc_meta_parse("\\copy ev FROM data.txt;", &m));
    CU_ASSERT_STRING_EQUAL(m.copy_sql, "COPY ev FROM STDIN");
    CU_ASSERT_STRING_EQUAL(m.copy_file, "data.txt");
    slc_meta_free(&m);
    CU_ASSERT_TRUE(slc_meta_parse("\\copy (SELECT 1) to out.csv csv", &m));
    CU_ASSERT_FALSE(m.copy_from);
    CU_ASSERT_STRING_EQUAL(m.copy_sql, "COPY (SELECT 1) TO STDOUT csv");
    slc_meta_free(&m);
    CU_ASSERT_TRUE(slc_meta_parse("\\copy ev from stdin", &m));
    CU_ASSERT_PTR_NULL(m.copy_file);
    slc_meta_free(&m);
    CU_ASSERT_FALSE(slc_meta_parse("\\copy ev into x", &m));
    slc_meta_free(&m);
    CU_ASSERT_FALSE(slc_meta_parse("\\copy ev from", &m));
    slc_meta_free(&m);
}

/* ---- subscribed view model ------------------------------------------------------------- */

static char *view_text(SlcView *v, const bool *right)
{
    const char **cells;
    long n = slc_view_snapshot(v, right, &cells);
    SlcStr s = {0};
    for (long i = 0; i < n; i++) {
        for (int c = 0; c < slc_view_ncols(v); c++) {
            if (c)
                slc_str_putc(&s, ',');
            slc_str_puts(&s, cells[i * slc_view_ncols(v) + c] ? cells[i * slc_view_ncols(v) + c] : "NULL");
        }
        slc_str_putc(&s, ';');
    }
    free(cells);
    return s.data ? s.data : strdup("");
}

static void test_view_model(void)
{
    SlcView *v = slc_view_new(2);
    static const bool right[] = {true, false};
    char err[128];
    const char *lines[] = {
        "1\t1\t10\ta\n", "1\t1\t2\tb\n", "1\t1\t3\t\\N\n",
        "2\t-1\t10\ta\n", "2\t1\t10\taa\n", /* an update: retract, then insert */
        "3\t1\t2\tb\n",                      /* a duplicate row */
        "4\t-1\t3\t\\N\n",                   /* delete the row with a NULL */
        "5\t1\t7\ttab\\there\n",             /* escapes */
        "6",                                 /* progress only */
        NULL,
    };
    for (int i = 0; lines[i]; i++)
        CU_ASSERT_TRUE(slc_view_apply_line(v, lines[i], strlen(lines[i]), err, sizeof err));
    CU_ASSERT_EQUAL(slc_view_progress(v), 6);
    CU_ASSERT_EQUAL(slc_view_nrows(v), 4);
    char *s = view_text(v, right);
    /* numbers sort as numbers: 2 < 7 < 10 */
    CU_ASSERT_STRING_EQUAL(s, "2,b;2,b;7,tab\there;10,aa;");
    free(s);
    /* bad lines are rejected with a message and change nothing */
    CU_ASSERT_FALSE(slc_view_apply_line(v, "7\t1\tonly-one", 12, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "expected 4"));
    CU_ASSERT_FALSE(slc_view_apply_line(v, "x\t1\t1\t1", 7, err, sizeof err));
    CU_ASSERT_FALSE(slc_view_apply_line(v, "7\tz\t1\t1", 7, err, sizeof err));
    CU_ASSERT_EQUAL(slc_view_nrows(v), 4);
    slc_view_free(v);
}

static void test_view_many(void)
{
    /* many rows in, all but the multiples of 7 retracted: the end state
     * must equal what survives, in order (exercises growth and removal) */
    SlcView *v = slc_view_new(1);
    static const bool right[] = {true};
    char buf[32];
    const char *cols[1] = {buf};
    for (int i = 0; i < 5000; i++) {
        snprintf(buf, sizeof buf, "%d", i);
        slc_view_apply(v, 1, cols);
    }
    for (int i = 0; i < 5000; i++) {
        if (i % 7 == 0)
            continue;
        snprintf(buf, sizeof buf, "%d", i);
        slc_view_apply(v, -1, cols);
    }
    CU_ASSERT_EQUAL(slc_view_nrows(v), 715);
    CU_ASSERT_EQUAL(slc_view_negative(v), 0);
    const char **cells;
    long n = slc_view_snapshot(v, right, &cells);
    CU_ASSERT_EQUAL(n, 715);
    bool ok = true;
    for (long i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "%ld", i * 7);
        if (strcmp(cells[i], buf))
            ok = false;
    }
    CU_ASSERT_TRUE(ok);
    free(cells);
    /* a retraction of a row never added is kept as a negative count */
    snprintf(buf, sizeof buf, "x");
    slc_view_apply(v, -1, cols);
    CU_ASSERT_EQUAL(slc_view_negative(v), 1);
    CU_ASSERT_EQUAL(slc_view_nrows(v), 715);
    slc_view_apply(v, 1, cols);
    CU_ASSERT_EQUAL(slc_view_negative(v), 0);
    slc_view_free(v);
}

static void test_copy_text_split(void)
{
    char line[] = "a\\tb\t\\N\t\\\\N\t\\101\\x41\t\n";
    char *f[8];
    int n = slc_copy_text_split(line, strlen(line), f, 8);
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_STRING_EQUAL(f[0], "a\tb");
    CU_ASSERT_PTR_NULL(f[1]);
    CU_ASSERT_STRING_EQUAL(f[2], "\\N");
    CU_ASSERT_STRING_EQUAL(f[3], "AA");
    CU_ASSERT_STRING_EQUAL(f[4], "");
}

static const SlUnitTest client_tests[] = {
    {"split: simple statements and the rest", test_split_simple},
    {"split: quotes and E-strings", test_split_quotes},
    {"split: dollar quoting", test_split_dollar},
    {"split: comments, parentheses, prompt state", test_split_comments},
    {"split: text fed in pieces", test_split_chunks},
    {"format: aligned like psql", test_format_aligned},
    {"format: expanded, unaligned, tuples only, NULL display", test_format_modes},
    {"format: multi-line cells and wide characters", test_format_multiline_unicode},
    {"caret: line and column of an error position", test_caret},
    {"meta: command parsing", test_meta},
    {"meta: \\copy", test_meta_copy},
    {"view: diffs applied to the local copy", test_view_model},
    {"view: growth, removal, negative counts", test_view_many},
    {"view: COPY text fields", test_copy_text_split},
    {NULL, NULL},
};
SL_UNIT_SUITE("client", client_tests)
