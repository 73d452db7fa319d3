/*
 * unit.h — the CUnit runner shared by every tests/unit/test_<module>.c.
 *
 * A test file registers its suites with SL_UNIT_SUITE, which runs before
 * main(); unit_main.c then runs every registered suite and exits non-zero
 * on any failure, so `make check` fails.
 */
#ifndef SL_UNIT_H
#define SL_UNIT_H

#include <CUnit/CUnit.h>

typedef struct SlUnitTest {
    const char *name;
    CU_TestFunc fn;
} SlUnitTest;

void sl_unit_add_suite(const char *name, const SlUnitTest *tests,
                       CU_InitializeFunc init, CU_CleanupFunc cleanup);

/* SL_UNIT_SUITE(name, tests_array) registers a NULL-terminated array. */
#define SL_UNIT_SUITE(sname, arr)                                         \
    __attribute__((constructor)) static void sl_unit_register_##arr(void) \
    {                                                                     \
        sl_unit_add_suite(sname, arr, NULL, NULL);                        \
    }

#endif
