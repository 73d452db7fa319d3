/*
 * st_int.h — storage/'s internal helpers, shared by its files (and its
 * unit test); not part of the public contract.
 */
#ifndef ST_INT_H
#define ST_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sl_common.h"
#include "sl_storage.h"

/* st_crc32c and st_crc32c_combine are in sl_storage.h. The table-driven
 * CRC32C, always (tests compare the two). */
uint32_t st_crc32c_sw(uint32_t crc, const void *p, size_t n);

/* errno of a failed write -> SlError: ENOSPC/EDQUOT are 53100, others 58030. */
int st_io_error(SlError *err, int errnum, const char *what, const char *path);

#endif
