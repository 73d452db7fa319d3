/*
 * grammar.c — compiles the parser Lemon generates from sql.y (sql.c, in
 * the build tree; never committed nor edited).
 *
 * Lemon's template defines a few public helpers without prototypes: they
 * are declared here, so -Wmissing-prototypes stays on. One warning cannot
 * be avoided from outside: the template fetches the %extra_context into a
 * local in functions that never use it (-Wunused-variable); that one is
 * silenced for the generated code only.
 */
#include <stdio.h>

#include "parser_int.h"

void slParserInit(void *parser, ParseState *ps);
void slParserFinalize(void *parser);
int slParserFallback(int token);
#ifndef NDEBUG
void slParserTrace(FILE *out, char *prompt);
#endif

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-variable"
#include "sql.c"
#pragma GCC diagnostic pop

int ps_token_fallback(int code)
{
    return code > 0 ? slParserFallback(code) : 0;
}
