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

int ps_token_fallback(int code)
{
#ifdef YYFALLBACK
    if (code > 0 && code < (int)(sizeof yyFallback / sizeof yyFallback[0]))
        return yyFallback[code];
#endif
    (void)code;
    return 0;
}
