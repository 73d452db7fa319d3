/*
 * grammar.c — compiles the parser Lemon generates from sql.y (sql.c, in
 * the build tree). Lemon's template defines a few helpers without
 * prototypes and fetches the extra context in functions that do not use
 * it; those two warnings are silenced here, for the generated code only.
 */
#include "parser_int.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#include "sql.c"
#pragma GCC diagnostic pop
