/* test_copy.c — COPY FROM STDIN text and CSV formats (executor/copy_format.c). */
#include <string.h>

#include "ex_copy.h"
#include "unit.h"

#define MAXROWS 16

typedef struct Collected {
    int nrows;
    SlBuf rows[MAXROWS];   /* each row rendered as v1|v2|... with NULL as <null> */
} Collected;

static int collect(void *ctx, const SlValue *v, int n, SlError *err)
{
    Collected *c = ctx;
    (void)err;
    CU_ASSERT_FATAL(c->nrows < MAXROWS);
    SlBuf *b = &c->rows[c->nrows++];
    sl_buf_init(b);
    for (int i = 0; i < n; i++) {
        if (i)
            sl_buf_putc(b, '|');
        if (v[i].isnull)
            sl_buf_puts(b, "<null>");
        else
            sl_value_out(&v[i], b);
    }
    return 0;
}

static void collected_free(Collected *c)
{
    for (int i = 0; i < c->nrows; i++)
        sl_buf_free(&c->rows[i]);
    c->nrows = 0;
}

static const SlType types3[] = {SL_T_INT8, SL_T_TEXT, SL_T_INT4};
static const char *const names3[] = {"id", "name", "n"};

/* Feeds `data` in chunks of `chunk` bytes (0 = all at once). */
static int run(const ExCopyFormat *fmt, const char *data, size_t chunk,
               Collected *c, SlError *err)
{
    ExCopyParser p;
    ex_copy_parser_init(&p, fmt, 3, types3, names3, "t", collect, c);
    size_t len = strlen(data);
    int rc = 0;
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len && rc == 0; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        rc = ex_copy_parser_feed(&p, data + off, n, err);
    }
    if (rc == 0)
        rc = ex_copy_parser_finish(&p, err);
    ex_copy_parser_free(&p);
    return rc;
}

static ExCopyFormat text_fmt(void)
{
    ExCopyFormat f = {.csv = false, .delim = '\t', .quote = '"', .escape = '"', .null_str = "\\N"};
    return f;
}

static ExCopyFormat csv_fmt(void)
{
    ExCopyFormat f = {.csv = true, .delim = ',', .quote = '"', .escape = '"', .null_str = ""};
    return f;
}

static void test_text_basic(void)
{
    ExCopyFormat f = text_fmt();
    const char *data = "1\talice\t10\n2\t\\N\t20\n3\ta\\tb\\\\c\\nd\t\\N\n";
    for (size_t chunk = 0; chunk < 9; chunk++) {
        Collected c = {0};
        SlError err;
        sl_error_clear(&err);
        CU_ASSERT_EQUAL_FATAL(run(&f, data, chunk, &c, &err), 0);
        CU_ASSERT_EQUAL_FATAL(c.nrows, 3);
        CU_ASSERT_STRING_EQUAL(c.rows[0].data, "1|alice|10");
        CU_ASSERT_STRING_EQUAL(c.rows[1].data, "2|<null>|20");
        CU_ASSERT_STRING_EQUAL(c.rows[2].data, "3|a\tb\\c\nd|<null>");
        collected_free(&c);
    }
}

static void test_text_end_marker_crlf_octal(void)
{
    ExCopyFormat f = text_fmt();
    Collected c = {0};
    SlError err;
    CU_ASSERT_EQUAL(run(&f, "1\t\\101\\x42\t1\r\n\\.\n9\tignored\t9\n", 0, &c, &err), 0);
    CU_ASSERT_EQUAL_FATAL(c.nrows, 1);
    CU_ASSERT_STRING_EQUAL(c.rows[0].data, "1|AB|1");
    collected_free(&c);
}

static void test_text_no_final_newline(void)
{
    ExCopyFormat f = text_fmt();
    Collected c = {0};
    SlError err;
    CU_ASSERT_EQUAL(run(&f, "1\tx\t2\n2\ty\t3", 3, &c, &err), 0);
    CU_ASSERT_EQUAL_FATAL(c.nrows, 2);
    CU_ASSERT_STRING_EQUAL(c.rows[1].data, "2|y|3");
    collected_free(&c);
}

static void test_text_errors(void)
{
    ExCopyFormat f = text_fmt();
    Collected c = {0};
    SlError err;

    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1\tx\t2\n2\ty\n", 0, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P04");
    CU_ASSERT_STRING_EQUAL(err.message, "missing data for column \"n\"");
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 2");
    collected_free(&c);

    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1\tx\t2\t7\n", 0, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P04");
    CU_ASSERT_STRING_EQUAL(err.message, "extra data after last expected column");
    collected_free(&c);

    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1\tx\t2\n2\ty\t3\nabc\tz\t4\n", 2, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P02");
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 3, column id: \"abc\"");
    collected_free(&c);

    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1\tx\t99999999999\n", 0, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22003");
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 1, column n: \"99999999999\"");
    collected_free(&c);
}

static void test_csv_basic(void)
{
    ExCopyFormat f = csv_fmt();
    const char *data =
        "1,plain,1\n"
        "2,\"with, comma\",2\n"
        "3,\"multi\nline \"\"quoted\"\"\",\n"
        "4,\"\",4\n"
        "5,,5\n";
    for (size_t chunk = 0; chunk < 7; chunk++) {
        Collected c = {0};
        SlError err;
        sl_error_clear(&err);
        CU_ASSERT_EQUAL_FATAL(run(&f, data, chunk, &c, &err), 0);
        CU_ASSERT_EQUAL_FATAL(c.nrows, 5);
        CU_ASSERT_STRING_EQUAL(c.rows[0].data, "1|plain|1");
        CU_ASSERT_STRING_EQUAL(c.rows[1].data, "2|with, comma|2");
        CU_ASSERT_STRING_EQUAL(c.rows[2].data, "3|multi\nline \"quoted\"|<null>");
        CU_ASSERT_STRING_EQUAL(c.rows[3].data, "4||4");      /* quoted empty: '' */
        CU_ASSERT_STRING_EQUAL(c.rows[4].data, "5|<null>|5"); /* unquoted empty: NULL */
        collected_free(&c);
    }
}

static void test_csv_header_and_line_numbers(void)
{
    ExCopyFormat f = csv_fmt();
    f.header = true;
    Collected c = {0};
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "id,name,n\r\n1,\"a\nb\",1\r\n2,b,x\r\n", 0, &c, &err), -1);
    CU_ASSERT_EQUAL(c.nrows, 1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P02");
    /* header is line 1, the quoted newline makes record 2 span lines 2-3 */
    CU_ASSERT_STRING_EQUAL(err.context, "COPY t, line 4, column n: \"x\"");
    collected_free(&c);
}

static void test_csv_unterminated(void)
{
    ExCopyFormat f = csv_fmt();
    Collected c = {0};
    SlError err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(run(&f, "1,\"open,1\n", 0, &c, &err), -1);
    CU_ASSERT_STRING_EQUAL(sl_errcode_sqlstate(err.code), "22P04");
    CU_ASSERT_STRING_EQUAL(err.message, "unterminated CSV quoted field");
    CU_ASSERT_EQUAL(c.nrows, 0);
    collected_free(&c);
}

static void test_csv_escape_option(void)
{
    ExCopyFormat f = csv_fmt();
    f.escape = '\\';
    f.delim = ';';
    Collected c = {0};
    SlError err;
    CU_ASSERT_EQUAL(run(&f, "1;\"a\\\"b;c\";2\n", 0, &c, &err), 0);
    CU_ASSERT_EQUAL_FATAL(c.nrows, 1);
    CU_ASSERT_STRING_EQUAL(c.rows[0].data, "1|a\"b;c|2");
    collected_free(&c);
}

static const SlUnitTest copy_tests[] = {
    {"text basic, every chunk size", test_text_basic},
    {"text end marker, CRLF, octal and hex escapes", test_text_end_marker_crlf_octal},
    {"text without final newline", test_text_no_final_newline},
    {"text errors carry SQLSTATE and line/column", test_text_errors},
    {"csv quoting, NULL vs empty, every chunk size", test_csv_basic},
    {"csv header and line numbers across quoted newlines", test_csv_header_and_line_numbers},
    {"csv unterminated quote", test_csv_unterminated},
    {"csv escape and delimiter options", test_csv_escape_option},
    {NULL, NULL}};
SL_UNIT_SUITE("copy formats", copy_tests)
