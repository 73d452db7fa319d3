/*
 * unit_main.c — the one CUnit runner. Suites are registered before main()
 * by SL_UNIT_SUITE; an optional argument runs only the suites whose name
 * contains it. Exit status is non-zero if any assertion failed.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#define MAX_SUITES 64

static struct {
    const char *name;
    const SlUnitTest *tests;
    CU_InitializeFunc init;
    CU_CleanupFunc cleanup;
} suites[MAX_SUITES];
static int nsuites;

void sl_unit_add_suite(const char *name, const SlUnitTest *tests,
                       CU_InitializeFunc init, CU_CleanupFunc cleanup)
{
    if (nsuites == MAX_SUITES) {
        fprintf(stderr, "unit: too many suites\n");
        abort();
    }
    suites[nsuites].name = name;
    suites[nsuites].tests = tests;
    suites[nsuites].init = init;
    suites[nsuites].cleanup = cleanup;
    nsuites++;
}

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : NULL;

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    for (int i = 0; i < nsuites; i++) {
        if (filter && !strstr(suites[i].name, filter))
            continue;
        CU_pSuite s = CU_add_suite(suites[i].name, suites[i].init, suites[i].cleanup);
        if (!s)
            return 2;
        for (const SlUnitTest *t = suites[i].tests; t->name; t++)
            if (!CU_add_test(s, t->name, t->fn))
                return 2;
    }
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    unsigned run = CU_get_number_of_tests_run();
    unsigned tfailed = CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    printf("\n%u passed, %u failed\n", run - tfailed, tfailed);
    if (run == 0) {
        fprintf(stderr, "unit: no test ran\n");
        return 1;
    }
    return failed ? 1 : 0;
}
