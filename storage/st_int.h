/*
 * st_int.h — storage/'s internal helpers, shared by its files (and its
 * unit test); not part of the public contract.
 */
#ifndef ST_INT_H
#define ST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sl_common.h"

/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78), chainable:
 * st_crc32c(st_crc32c(0, a, n), b, m) == CRC of a followed by b.
 * Uses SSE4.2's crc32 instruction when the CPU has it. */
uint32_t st_crc32c(uint32_t crc, const void *p, size_t n);
/* The table-driven version, always (tests compare the two). */
uint32_t st_crc32c_sw(uint32_t crc, const void *p, size_t n);

/* errno of a failed write -> SlError: ENOSPC/EDQUOT are 53100, others 58030. */
int st_io_error(SlError *err, int errnum, const char *what, const char *path);

#endif
