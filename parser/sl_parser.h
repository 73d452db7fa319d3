/*
 * sl_parser.h — the one public header of parser/: SQL text in, AST out.
 *
 * A hand-written tokenizer (tokenize.c) drives a Lemon grammar (sql.y);
 * grammar actions only call the constructors in ast.c. Everything is
 * allocated in the caller's arena; the AST borrows nothing from the input
 * text (identifiers and strings are copied, NUL-terminated), so the text
 * may be freed after parsing. No globals: any thread can parse.
 *
 * Locations are 0-based byte offsets into the parsed text; -1 means none.
 * An error's SlError.position is 1-based (character index, as pgwire's 'P'
 * field wants it).
 */
#ifndef SL_PARSER_H
#define SL_PARSER_H

#include "sl_common.h"

/* ---------------------------------------------------------------- lists */
typedef struct PsList {
    int n;
    int cap;
    void **items;
} PsList;

PsList *ps_list_new(SlArena *a);
void ps_list_push(SlArena *a, PsList *l, void *item);
#define PS_LIST_LEN(l) ((l) ? (l)->n : 0)
#define PS_LIST_AT(l, i) ((l)->items[(i)])

/* ---------------------------------------------------------- expressions */
typedef enum PsExprKind {
    PS_E_CONST,    /* literal: value (NULL literal: value.isnull, type UNKNOWN) */
    PS_E_PARAM,    /* $n: param_no */
    PS_E_COLUMN,   /* [qualifier.]name */
    PS_E_STAR,     /* * or qualifier.* (select list) */
    PS_E_UNARY,    /* op PS_OP_NEG, PS_OP_NOT, PS_OP_PLUS: left */
    PS_E_BINARY,   /* op: arithmetic, comparison, ||, AND, OR: left, right */
    PS_E_IS,       /* left IS [NOT] {NULL|TRUE|FALSE|UNKNOWN|DISTINCT FROM right} */
    PS_E_LIKE,     /* left [NOT] LIKE|ILIKE right [ESCAPE escape] */
    PS_E_IN,       /* left [NOT] IN (list) */
    PS_E_BETWEEN,  /* left [NOT] BETWEEN low AND high */
    PS_E_CASE,     /* CASE [arg] WHEN..THEN.. [ELSE else_expr] END */
    PS_E_CAST,     /* CAST(left AS type), left::type, type 'literal' */
    PS_E_FUNC      /* name(args) with DISTINCT / star flags */
} PsExprKind;

typedef enum PsOp {
    PS_OP_ADD, PS_OP_SUB, PS_OP_MUL, PS_OP_DIV, PS_OP_MOD, PS_OP_CONCAT,
    PS_OP_EQ, PS_OP_NE, PS_OP_LT, PS_OP_LE, PS_OP_GT, PS_OP_GE,
    PS_OP_AND, PS_OP_OR, PS_OP_NOT, PS_OP_NEG, PS_OP_PLUS
} PsOp;

typedef enum PsIsKind {
    PS_IS_NULL, PS_IS_TRUE, PS_IS_FALSE, PS_IS_UNKNOWN, PS_IS_DISTINCT_FROM
} PsIsKind;

/* A type name as written: `type` resolved with sl_type_from_name when the
 * name is known, else SL_T_UNKNOWN and the binder reports 42704 with
 * `name`. typmods are kept for VARCHAR(n) and NUMERIC(p,s). */
typedef struct PsTypeName {
    SlType type;
    char *name;          /* as written, lower-cased, single-spaced */
    int typmod[2];       /* -1 when absent */
    int location;
} PsTypeName;

/* INTERVAL '4' SECOND and friends: the unit qualifier of an interval
 * literal (applied when the literal is a bare number). */
typedef enum PsIntervalUnit {
    PS_IU_NONE = 0, PS_IU_YEAR, PS_IU_MONTH, PS_IU_DAY, PS_IU_HOUR,
    PS_IU_MINUTE, PS_IU_SECOND
} PsIntervalUnit;

typedef struct PsCaseWhen {
    struct PsExpr *when;
    struct PsExpr *then;
} PsCaseWhen;

typedef struct PsExpr {
    PsExprKind kind;
    int location;
    /* CONST: integer literals that fit are INT4, then INT8, else NUMERIC;
     * literals with '.' or 'e' are NUMERIC; 'strings' are TEXT with
     * unknown_literal set (their type comes from context, as in PG);
     * TRUE/FALSE are BOOL; NULL is isnull with type UNKNOWN. */
    SlValue value;
    bool unknown_literal;
    int param_no;                /* PARAM: 1-based */
    char *qualifier;             /* COLUMN / STAR: may be NULL */
    char *name;                  /* COLUMN: column; FUNC: lower-cased name
                                  * (schema-qualified names keep the last
                                  * part; pg_catalog. is dropped) */
    PsOp op;                     /* UNARY / BINARY */
    PsIsKind is_kind;            /* IS */
    bool negated;                /* IS NOT, NOT LIKE, NOT IN, NOT BETWEEN */
    bool ilike;                  /* LIKE: ILIKE */
    struct PsExpr *left;         /* operand / CASE arg / CAST input */
    struct PsExpr *right;
    struct PsExpr *escape;       /* LIKE ... ESCAPE */
    struct PsExpr *low, *high;   /* BETWEEN */
    PsList *list;                /* IN: PsExpr*; FUNC: args; CASE: PsCaseWhen* */
    struct PsExpr *else_expr;    /* CASE */
    PsTypeName *cast_type;       /* CAST */
    PsIntervalUnit interval_unit;/* CAST to interval with a unit qualifier */
    bool func_star;              /* count(*) */
    bool func_distinct;          /* count(DISTINCT x) */
    const char *sql_name;        /* FUNC written as special SQL syntax
                                  * (CURRENT_TIMESTAMP, EXTRACT(f FROM x)):
                                  * that keyword, lower-case; `name` is the
                                  * function computing it ("now",
                                  * "date_part"). NULL for plain calls. */
} PsExpr;

/* ----------------------------------------------------------- statements */
typedef enum PsStmtKind {
    PS_S_EMPTY,            /* ';' alone or blank text */
    PS_S_SELECT,
    PS_S_SET,              /* SET [SESSION|LOCAL] name {TO|=} value[, ...] | DEFAULT;
                            * SET TIME ZONE value; SET NAMES value */
    PS_S_SHOW,             /* SHOW name | SHOW ALL */
    PS_S_SHOW_OBJECTS,     /* SHOW STREAMS | MATERIALIZED VIEWS | QUERIES | CHECKPOINTS */
    PS_S_RESET,            /* RESET name | RESET ALL */
    PS_S_BEGIN,            /* BEGIN [WORK|TRANSACTION] [modes], START TRANSACTION */
    PS_S_COMMIT,           /* COMMIT, END */
    PS_S_ROLLBACK,         /* ROLLBACK, ABORT */
    PS_S_CREATE_STREAM,
    PS_S_CREATE_VIEW,      /* CREATE MATERIALIZED VIEW */
    PS_S_DROP,             /* DROP STREAM|MATERIALIZED VIEW [IF EXISTS] name [CASCADE] */
    PS_S_ALTER_VIEW,       /* ALTER MATERIALIZED VIEW name SET (opts) | RESUME */
    PS_S_INSERT,
    PS_S_COPY_FROM,        /* COPY name [(cols)] FROM STDIN [WITH] (opts) */
    PS_S_COPY_TO,          /* COPY (SUBSCRIBE ... | SELECT ...) TO STDOUT [WITH (opts)] */
    PS_S_SUBSCRIBE,        /* SUBSCRIBE [TO] name [AS OF n] [WITH (opts)] */
    PS_S_DECLARE,          /* DECLARE name CURSOR [WITH HOLD] FOR SUBSCRIBE|SELECT */
    PS_S_FETCH,            /* FETCH [ALL|FORWARD n|n] [FROM|IN] name [WITH (opts)] */
    PS_S_CLOSE,            /* CLOSE name | CLOSE ALL */
    PS_S_LISTEN,           /* LISTEN channel */
    PS_S_UNLISTEN,         /* UNLISTEN channel | * */
    PS_S_EXPLAIN,          /* EXPLAIN stmt */
    PS_S_DISCARD,          /* DISCARD ALL */
    PS_S_FAILPOINT         /* SET FAILPOINT ... (defined by the restart issue) */
} PsStmtKind;

typedef struct PsTarget {       /* select-list item */
    PsExpr *expr;
    char *alias;                /* AS alias, or NULL */
    int location;
} PsTarget;

typedef struct PsOrderItem {
    PsExpr *expr;
    bool desc;
    int nulls;                  /* 0 default, 1 NULLS FIRST, 2 NULLS LAST */
} PsOrderItem;

typedef enum PsFromKind {
    PS_FROM_NAME,               /* a stream, view or system view */
    PS_FROM_TUMBLE,             /* TUMBLE(name, col, size) */
    PS_FROM_HOP,                /* HOP(name, col, slide, size) */
    PS_FROM_SESSION             /* SESSION(name, col, gap) */
} PsFromKind;

typedef struct PsFrom {
    PsFromKind kind;
    char *schema;               /* NULL, or e.g. "sluice", "pg_catalog" */
    char *name;
    char *alias;                /* or NULL */
    PsList *args;               /* window function arguments after name: PsExpr* */
    int location;
} PsFrom;

typedef struct PsSelect {
    int location;               /* of the SELECT keyword */
    bool distinct;
    PsList *targets;            /* PsTarget* */
    PsList *from;               /* PsFrom* (comma list); NULL when no FROM */
    PsExpr *where;
    PsList *group_by;           /* PsExpr* */
    PsExpr *having;
    PsList *order_by;           /* PsOrderItem* */
    PsExpr *limit;
    PsExpr *offset;
} PsSelect;

typedef struct PsColumnDef {
    char *name;
    PsTypeName *type;
    bool not_null;
    int location;
} PsColumnDef;

typedef struct PsOption {       /* WITH (name = value, ...) item */
    char *name;                 /* lower-cased */
    PsExpr *value;              /* a literal (string, number, bool) or identifier
                                 * (COLUMN expr); NULL when only a name is given */
    int location;
} PsOption;

typedef struct PsStmt {
    PsStmtKind kind;
    int location;               /* where the statement starts in the text */
    int length;                 /* its length in bytes, without the ';' */

    /* SELECT; also the body of CREATE VIEW, EXPLAIN, DECLARE, COPY TO */
    PsSelect *select;

    /* names: SET/SHOW/RESET setting, stream, view, cursor, channel */
    char *name;
    bool all;                   /* SHOW ALL, RESET ALL, CLOSE ALL, UNLISTEN *, FETCH ALL */
    PsList *values;             /* SET: PsExpr* (literals or identifiers);
                                 * NULL with set_default for DEFAULT */
    bool set_default;
    bool is_local;              /* SET LOCAL */

    /* SHOW_OBJECTS: which; DROP: what */
    enum { PS_OBJ_STREAM = 1, PS_OBJ_VIEW, PS_OBJ_QUERY, PS_OBJ_CHECKPOINT } obj;
    bool if_exists, if_not_exists, cascade;

    /* CREATE STREAM */
    PsList *columns;            /* PsColumnDef* */
    char *watermark_column;     /* WATERMARK FOR col AS expr */
    PsExpr *watermark_expr;
    PsList *options;            /* PsOption*: WITH (...) of CREATE, ALTER SET,
                                 * COPY, SUBSCRIBE, FETCH, COPY TO */
    /* CREATE VIEW: text of the AS SELECT ... (copied), for the catalog */
    char *query_text;
    int body_location;          /* where the AS SELECT body starts (internal) */
    bool resume;                /* ALTER ... RESUME */

    /* INSERT / COPY FROM */
    PsList *insert_columns;     /* char* names, or NULL for all */
    PsList *rows;               /* INSERT: PsList* of PsExpr* per row */

    /* COPY TO, DECLARE, EXPLAIN: the inner statement */
    struct PsStmt *inner;
    /* SUBSCRIBE */
    PsExpr *as_of;              /* AS OF n, or NULL */
    /* FETCH */
    int64_t fetch_count;        /* -1 for ALL */
    bool with_hold;
} PsStmt;

/* Parse one message's text into its statements (PsStmt*, in order).
 * An empty text yields one PS_S_EMPTY statement. On error returns -1,
 * sets err->code SL_E_SYNTAX_ERROR (42601), err->position to the 1-based
 * character position of the offending token (or of the end of input, for
 * an incomplete statement), and a message like PostgreSQL's:
 *   syntax error at or near "FORM"      syntax error at end of input
 *   unterminated quoted string at or near "'abc"
 * `$n` parameters are recorded; *max_param (if not NULL) gets the highest n. */
int ps_parse(const char *sql, size_t len, SlArena *arena, PsList **stmts,
             int *max_param, SlError *err);

/* Name of a statement kind, for EXPLAIN and logs ("SELECT", "CREATE STREAM"). */
const char *ps_stmt_kind_name(PsStmtKind k);

/* Deparse an expression back to SQL (used for view definitions, EXPLAIN
 * and GROUP BY matching). Appends to out. Parentheses only where the
 * precedence needs them; the text parses back to the same tree. */
void ps_expr_deparse(const PsExpr *e, SlBuf *out);

/* Column name PostgreSQL would give a select-list item (its alias if it
 * has one), following PG's FigureColname: the column name; the function
 * name (or the SQL keyword: "current_timestamp", "extract"); for a CAST,
 * its input's name if that has one, else PG's type name ("int4" for
 * '5'::int, "float8", "varchar", "timestamptz"); for CASE, its ELSE
 * result's name, else "case"; "?column?" otherwise. */
const char *ps_target_name(const PsTarget *t, SlArena *a);

#endif /* SL_PARSER_H */
