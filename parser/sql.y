/*
 * sql.y — Sluice's SQL grammar for the Lemon parser generator.
 *
 * Actions only call the constructors of ast.c (parser_int.h). Every node
 * and every token text lives in the parse state's arena, so no symbol owns
 * memory of its own and no %destructor is needed: an abandoned parse frees
 * nothing. Keywords that need not be reserved fall back to ID, so they stay
 * usable as names; INTERVAL and EXTRACT/SUBSTRING are keywords only before
 * a string / a '(' (the tokenizer decides), so they are names elsewhere.
 * Precedence follows PostgreSQL's gram.y.
 */
%name slParser
%token_prefix TK_
%token_type {Token}
%default_type {void *}
%extra_context {ParseState *ps}

%include {
#include <string.h>
#include "parser_int.h"
#define YYNOERRORRECOVERY 1
#define YYPARSEFREENEVERNULL 1
}

%syntax_error {
    ps_syntax_error(ps, yymajor ? &yyminor : NULL);
}
%stack_overflow {
    if (!ps->failed) {
        ps->failed = true;
        sl_error(ps->err, SL_E_PROGRAM_LIMIT_EXCEEDED, "statement is too deeply nested");
    }
}
%stack_size 1000

/* Tokens made by the tokenizer that are not keywords. */
%token ID STRING INTEGER NUMBER PARAM SEMI LP RP COMMA DOT STAR PLUS MINUS SLASH
       PERCENT CONCAT TYPECAST EQ NE LT LE GT GE.

/* Non-reserved keywords: usable as identifiers wherever a keyword is not
 * expected. */
%fallback ID
  ABORT ALTER BEGIN CASCADE CHECKPOINTS CLOSE COMMIT COMMITTED CREATE CURSOR DAY
  DECLARE DEFAULT DISCARD DROP EXISTS EXPLAIN FETCH FIRST FORWARD HOLD HOUR IF
  INSERT INTO INTERVAL ISOLATION LAST LEVEL LISTEN LOCAL MATERIALIZED MINUTE
  MONTH NAMES NEXT NULLS OF ONLY QUERIES READ RESET RESTRICT RESUME ROLLBACK
  SECOND SESSION SET SHOW START STDIN STDOUT STREAM STREAMS SUBSCRIBE TIME
  TRANSACTION UNCOMMITTED UNLISTEN VALUES VIEW VIEWS WATERMARK WITHOUT WORK WRITE
  YEAR ZONE REPEATABLE SERIALIZABLE BINARY EXTRACT SUBSTRING COPY
  ESCAPE TO CSV HEADER DELIMITER QUOTE CHARACTERISTICS UNKNOWN PRECISION VARYING
  AUTHORIZATION CURRENT_SCHEMA.

%left OR.
%left AND.
%right NOT.
%nonassoc IS ISNULL NOTNULL.
%nonassoc EQ NE LT LE GT GE.
%nonassoc BETWEEN IN LIKE ILIKE.
%nonassoc ESCAPE.
%left CONCAT.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right UMINUS.
%left TYPECAST.
%left DOT.
%nonassoc WITH.

/* ------------------------------------------------------------ statements */
input ::= cmdlist.
cmdlist ::= cmdlist SEMI ecmd.
cmdlist ::= ecmd.
ecmd ::= .
ecmd ::= cmd(S). { ps_stmt_add(ps, S); }

%type cmd {PsStmt *}
cmd(S) ::= select(X). { S = ps_stmt_new(ps, PS_S_SELECT); S->select = X; }

/* SELECT */
%type select {PsSelect *}
select(S) ::= SELECT(K) distinct(D) targets(T) from(F) where(W) groupby(G) having(H)
              orderby(O) limit(L).
{
    S = ps_select_new(ps);
    S->location = K.pos;
    S->distinct = D; S->targets = T; S->from = F; S->where = W; S->group_by = G;
    S->having = H; S->order_by = O->list; S->limit = L->limit; S->offset = L->offset;
}

%type distinct {bool}
distinct(D) ::= . { D = false; }
distinct(D) ::= DISTINCT. { D = true; }
distinct(D) ::= ALL. { D = false; }

%type targets {PsList *}
targets(L) ::= target(T). { L = ps_list1(ps, T); }
targets(L) ::= targets(A) COMMA target(T). { L = ps_list_add(ps, A, T); }

%type target {PsTarget *}
target(T) ::= expr(E). { T = ps_target(ps, E, NULL); }
target(T) ::= expr(E) AS collabel(A). { T = ps_target(ps, E, &A); }
target(T) ::= expr(E) ID(A). { T = ps_target(ps, E, &A); }
target(T) ::= STAR(S). { T = ps_target(ps, ps_star(ps, NULL, &S), NULL); }
target(T) ::= ID(Q) DOT STAR(S). { T = ps_target(ps, ps_star(ps, &Q, &S), NULL); }

%type from {PsList *}
from(F) ::= . { F = NULL; }
from(F) ::= FROM fromlist(L). { F = L; }
%type fromlist {PsList *}
fromlist(L) ::= fromitem(I). { L = ps_list1(ps, I); }
fromlist(L) ::= fromlist(A) COMMA fromitem(I). { L = ps_list_add(ps, A, I); }

%type fromitem {PsFrom *}
fromitem(I) ::= ID(N) alias(A). { I = ps_from(ps, NULL, &N, A.n ? &A : NULL); }
fromitem(I) ::= ID(S) DOT ID(N) alias(A). { I = ps_from(ps, &S, &N, A.n ? &A : NULL); }
fromitem(I) ::= ID(F) LP ID(N) COMMA exprlist(L) RP alias(A).
    { I = ps_from_window(ps, &F, &N, L, A.n ? &A : NULL); }

%type alias {Token}
alias(A) ::= . { A.z = NULL; A.n = 0; A.pos = -1; A.rawlen = 0; }
alias(A) ::= AS name(N). { A = N; }
alias(A) ::= ID(N). { A = N; }

%type where {PsExpr *}
where(W) ::= . { W = NULL; }
where(W) ::= WHERE expr(E). { W = E; }

%type groupby {PsList *}
groupby(G) ::= . { G = NULL; }
groupby(G) ::= GROUP BY exprlist(L). { G = L; }

%type having {PsExpr *}
having(H) ::= . { H = NULL; }
having(H) ::= HAVING expr(E). { H = E; }

%include {
typedef struct OrderList { PsList *list; } OrderList;
typedef struct LimitPair { PsExpr *limit; PsExpr *offset; } LimitPair;
}
%type orderby {OrderList *}
orderby(O) ::= . { O = sl_alloc0(ps->arena, sizeof(OrderList)); }
orderby(O) ::= ORDER BY orderlist(L). { O = sl_alloc0(ps->arena, sizeof(OrderList)); O->list = L; }
%type orderlist {PsList *}
orderlist(L) ::= orderitem(I). { L = ps_list1(ps, I); }
orderlist(L) ::= orderlist(A) COMMA orderitem(I). { L = ps_list_add(ps, A, I); }
%type orderitem {PsOrderItem *}
orderitem(I) ::= expr(E) sortdir(D) nullsorder(N). { I = ps_order(ps, E, D, N); }
%type sortdir {bool}
sortdir(D) ::= . { D = false; }
sortdir(D) ::= ASC. { D = false; }
sortdir(D) ::= DESC. { D = true; }
%type nullsorder {int}
nullsorder(N) ::= . { N = 0; }
nullsorder(N) ::= NULLS FIRST. { N = 1; }
nullsorder(N) ::= NULLS LAST. { N = 2; }

%type limit {LimitPair *}
limit(L) ::= . { L = sl_alloc0(ps->arena, sizeof(LimitPair)); }
limit(L) ::= LIMIT limval(E). { L = sl_alloc0(ps->arena, sizeof(LimitPair)); L->limit = E; }
limit(L) ::= OFFSET expr(O). { L = sl_alloc0(ps->arena, sizeof(LimitPair)); L->offset = O; }
limit(L) ::= LIMIT limval(E) OFFSET expr(O).
    { L = sl_alloc0(ps->arena, sizeof(LimitPair)); L->limit = E; L->offset = O; }
limit(L) ::= OFFSET expr(O) LIMIT limval(E).
    { L = sl_alloc0(ps->arena, sizeof(LimitPair)); L->limit = E; L->offset = O; }
%type limval {PsExpr *}
limval(E) ::= expr(X). { E = X; }
limval(E) ::= ALL. { E = NULL; }

/* SET / SHOW / RESET */
cmd(S) ::= SET setscope(L) setname(N) setassign setvalues(V).
    { S = ps_stmt_new(ps, PS_S_SET); S->name = N; S->values = V; S->is_local = L; }
cmd(S) ::= SET setscope(L) setname(N) setassign DEFAULT.
    { S = ps_stmt_new(ps, PS_S_SET); S->name = N; S->set_default = true; S->is_local = L; }
%type setname {char *}
setname(N) ::= ID(A). { N = ps_dotted(ps, &A, NULL); }
setname(N) ::= ID(A) DOT ID(B). { N = ps_dotted(ps, &A, &B); }
cmd(S) ::= SET setscope(L) TIME ZONE setvalue(V).
    { S = ps_stmt_new(ps, PS_S_SET); S->name = "timezone"; S->values = ps_list1(ps, V); S->is_local = L; }
cmd(S) ::= SET setscope(L) TIME ZONE LOCAL.
    { S = ps_stmt_new(ps, PS_S_SET); S->name = "timezone"; S->set_default = true; S->is_local = L; }
cmd(S) ::= SET setscope(L) TIME ZONE DEFAULT.
    { S = ps_stmt_new(ps, PS_S_SET); S->name = "timezone"; S->set_default = true; S->is_local = L; }
cmd(S) ::= SET NAMES setvalue(V).
    { S = ps_stmt_new(ps, PS_S_SET); S->name = "client_encoding"; S->values = ps_list1(ps, V); }
cmd(S) ::= SET SESSION CHARACTERISTICS AS TRANSACTION txnmodes.
    { S = ps_stmt_new(ps, PS_S_SET); S->name = NULL; }
cmd(S) ::= SET TRANSACTION txnmodes.
    { S = ps_stmt_new(ps, PS_S_SET); S->name = NULL; }

%type setscope {bool}
setscope(L) ::= . { L = false; }
setscope(L) ::= SESSION. { L = false; }
setscope(L) ::= LOCAL. { L = true; }
setassign ::= TO.
setassign ::= EQ.
%type setvalues {PsList *}
setvalues(L) ::= setvalue(V). { L = ps_list1(ps, V); }
setvalues(L) ::= setvalues(A) COMMA setvalue(V). { L = ps_list_add(ps, A, V); }
%type setvalue {PsExpr *}
setvalue(V) ::= STRING(T). { V = ps_const_str(ps, &T); }
setvalue(V) ::= INTEGER(T). { V = ps_const_int(ps, &T); }
setvalue(V) ::= NUMBER(T). { V = ps_const_num(ps, &T); }
setvalue(V) ::= MINUS(M) INTEGER(T). { V = ps_unary(ps, PS_OP_NEG, ps_const_int(ps, &T), &M); }
setvalue(V) ::= MINUS(M) NUMBER(T). { V = ps_unary(ps, PS_OP_NEG, ps_const_num(ps, &T), &M); }
setvalue(V) ::= name(T). { V = ps_column(ps, NULL, &T); }
setvalue(V) ::= ON(T). { V = ps_column(ps, NULL, &T); }
setvalue(V) ::= TRUE(T). { V = ps_const_bool(ps, true, &T); }
setvalue(V) ::= FALSE(T). { V = ps_const_bool(ps, false, &T); }

cmd(S) ::= SHOW setname(N).
    { S = ps_stmt_new(ps, PS_S_SHOW); S->name = N; }
cmd(S) ::= SHOW ALL.
    { S = ps_stmt_new(ps, PS_S_SHOW); S->all = true; }
cmd(S) ::= SHOW TIME ZONE.
    { S = ps_stmt_new(ps, PS_S_SHOW); S->name = "timezone"; }
cmd(S) ::= SHOW TRANSACTION ISOLATION LEVEL.
    { S = ps_stmt_new(ps, PS_S_SHOW); S->name = "transaction_isolation"; }
cmd(S) ::= SHOW SESSION AUTHORIZATION.
    { S = ps_stmt_new(ps, PS_S_SHOW); S->name = "session_authorization"; }
cmd(S) ::= SHOW STREAMS.
    { S = ps_stmt_new(ps, PS_S_SHOW_OBJECTS); S->obj = PS_OBJ_STREAM; }
cmd(S) ::= SHOW MATERIALIZED VIEWS.
    { S = ps_stmt_new(ps, PS_S_SHOW_OBJECTS); S->obj = PS_OBJ_VIEW; }
cmd(S) ::= SHOW VIEWS.
    { S = ps_stmt_new(ps, PS_S_SHOW_OBJECTS); S->obj = PS_OBJ_VIEW; }
cmd(S) ::= SHOW QUERIES.
    { S = ps_stmt_new(ps, PS_S_SHOW_OBJECTS); S->obj = PS_OBJ_QUERY; }
cmd(S) ::= SHOW CHECKPOINTS.
    { S = ps_stmt_new(ps, PS_S_SHOW_OBJECTS); S->obj = PS_OBJ_CHECKPOINT; }
cmd(S) ::= RESET setname(N).
    { S = ps_stmt_new(ps, PS_S_RESET); S->name = N; }
cmd(S) ::= RESET ALL.
    { S = ps_stmt_new(ps, PS_S_RESET); S->all = true; }
cmd(S) ::= RESET TIME ZONE.
    { S = ps_stmt_new(ps, PS_S_RESET); S->name = "timezone"; }

/* Transactions */
cmd(S) ::= BEGIN optwork txnmodes. { S = ps_stmt_new(ps, PS_S_BEGIN); }
cmd(S) ::= START TRANSACTION txnmodes. { S = ps_stmt_new(ps, PS_S_BEGIN); }
cmd(S) ::= COMMIT optwork. { S = ps_stmt_new(ps, PS_S_COMMIT); }
cmd(S) ::= END optwork. { S = ps_stmt_new(ps, PS_S_COMMIT); }
cmd(S) ::= ROLLBACK optwork. { S = ps_stmt_new(ps, PS_S_ROLLBACK); }
cmd(S) ::= ABORT optwork. { S = ps_stmt_new(ps, PS_S_ROLLBACK); }
optwork ::= .
optwork ::= WORK.
optwork ::= TRANSACTION.
txnmodes ::= .
txnmodes ::= txnmodes txnmode.
txnmodes ::= txnmodes COMMA txnmode.
txnmode ::= ISOLATION LEVEL isolevel.
txnmode ::= READ ONLY.
txnmode ::= READ WRITE.
txnmode ::= NOT DEFERRABLE.
txnmode ::= DEFERRABLE.
isolevel ::= READ COMMITTED.
isolevel ::= READ UNCOMMITTED.
isolevel ::= REPEATABLE READ.
isolevel ::= SERIALIZABLE.

cmd(S) ::= DISCARD ALL. { S = ps_stmt_new(ps, PS_S_DISCARD); S->all = true; }

/* CREATE STREAM */
%include {
typedef struct StreamElem { PsColumnDef *col; char *wm_column; PsExpr *wm_expr; } StreamElem;
}
cmd(S) ::= CREATE STREAM ifnotexists(E) name(N) LP streamelems(C) RP withopts(O).
{
    S = ps_stmt_new(ps, PS_S_CREATE_STREAM);
    S->if_not_exists = E; S->name = ps_tokstr(ps, &N); S->options = O;
    S->columns = ps_list_new(ps->arena);
    for (int i = 0; i < C->n; i++) {
        StreamElem *el = C->items[i];
        if (el->col) {
            ps_list_push(ps->arena, S->columns, el->col);
        } else {
            S->watermark_column = el->wm_column;
            S->watermark_expr = el->wm_expr;
        }
    }
}
%type ifnotexists {bool}
ifnotexists(E) ::= . { E = false; }
ifnotexists(E) ::= IF NOT EXISTS. { E = true; }
%type ifexists {bool}
ifexists(E) ::= . { E = false; }
ifexists(E) ::= IF EXISTS. { E = true; }

%type streamelems {PsList *}
streamelems(L) ::= streamelem(C). { L = ps_list1(ps, C); }
streamelems(L) ::= streamelems(A) COMMA streamelem(C). { L = ps_list_add(ps, A, C); }
%type streamelem {StreamElem *}
streamelem(C) ::= name(N) typename(T) notnull(NN).
{
    C = sl_alloc0(ps->arena, sizeof(StreamElem));
    C->col = ps_coldef(ps, &N, T, NN);
}
streamelem(C) ::= WATERMARK(N) typename(T) notnull(NN).   /* a column named watermark */
{
    C = sl_alloc0(ps->arena, sizeof(StreamElem));
    C->col = ps_coldef(ps, &N, T, NN);
}
streamelem(C) ::= WATERMARK FOR name(N) AS expr(E).
{
    C = sl_alloc0(ps->arena, sizeof(StreamElem));
    C->wm_column = ps_tokstr(ps, &N);
    C->wm_expr = E;
}
%type notnull {bool}
notnull(B) ::= . { B = false; }
notnull(B) ::= NOT NULL. { B = true; }
notnull(B) ::= NULL. { B = false; }

%type withopts {PsList *}
withopts(O) ::= . { O = NULL; }
withopts(O) ::= WITH LP optlist(L) RP. { O = L; }
%type optlist {PsList *}
optlist(L) ::= opt(O). { L = ps_list1(ps, O); }
optlist(L) ::= optlist(A) COMMA opt(O). { L = ps_list_add(ps, A, O); }
%type opt {PsOption *}
opt(O) ::= name(N). { O = ps_option(ps, &N, NULL); }
opt(O) ::= name(N) EQ optvalue(V). { O = ps_option(ps, &N, V); }
opt(O) ::= name(N) optvalue(V). { O = ps_option(ps, &N, V); }
opt(O) ::= NULL(N) optvalue(V). { O = ps_option(ps, &N, V); }
opt(O) ::= NULL(N) EQ optvalue(V). { O = ps_option(ps, &N, V); }
%type optvalue {PsExpr *}
optvalue(V) ::= setvalue(X). { V = X; }
optvalue(V) ::= NULL(T). { V = ps_const_null(ps, &T); }

/* CREATE MATERIALIZED VIEW */
cmd(S) ::= CREATE MATERIALIZED VIEW ifnotexists(E) name(N) withopts(O) AS select(Q).
{
    S = ps_stmt_new(ps, PS_S_CREATE_VIEW);
    S->if_not_exists = E; S->name = ps_tokstr(ps, &N); S->options = O; S->select = Q;
    S->body_location = Q->location;
}

/* DROP / ALTER */
cmd(S) ::= DROP STREAM ifexists(E) name(N) dropbehavior(C).
    { S = ps_stmt_new(ps, PS_S_DROP); S->obj = PS_OBJ_STREAM; S->if_exists = E; S->name = ps_tokstr(ps, &N); S->cascade = C; }
cmd(S) ::= DROP MATERIALIZED VIEW ifexists(E) name(N) dropbehavior(C).
    { S = ps_stmt_new(ps, PS_S_DROP); S->obj = PS_OBJ_VIEW; S->if_exists = E; S->name = ps_tokstr(ps, &N); S->cascade = C; }
%type dropbehavior {bool}
dropbehavior(C) ::= . { C = false; }
dropbehavior(C) ::= CASCADE. { C = true; }
dropbehavior(C) ::= RESTRICT. { C = false; }

cmd(S) ::= ALTER MATERIALIZED VIEW name(N) SET LP optlist(L) RP.
    { S = ps_stmt_new(ps, PS_S_ALTER_VIEW); S->name = ps_tokstr(ps, &N); S->options = L; }
cmd(S) ::= ALTER MATERIALIZED VIEW name(N) RESUME.
    { S = ps_stmt_new(ps, PS_S_ALTER_VIEW); S->name = ps_tokstr(ps, &N); S->resume = true; }

/* INSERT */
cmd(S) ::= INSERT INTO name(N) collist(C) VALUES rows(R).
    { S = ps_stmt_new(ps, PS_S_INSERT); S->name = ps_tokstr(ps, &N); S->insert_columns = C; S->rows = R; }
%type collist {PsList *}
collist(L) ::= . { L = NULL; }
collist(L) ::= LP names(N) RP. { L = N; }
%type names {PsList *}
names(L) ::= name(N). { L = ps_list1(ps, ps_tokstr(ps, &N)); }
names(L) ::= names(A) COMMA name(N). { L = ps_list_add(ps, A, ps_tokstr(ps, &N)); }
%type rows {PsList *}
rows(L) ::= LP exprlist(E) RP. { L = ps_list1(ps, E); }
rows(L) ::= rows(A) COMMA LP exprlist(E) RP. { L = ps_list_add(ps, A, E); }

/* COPY */
cmd(S) ::= COPY name(N) collist(C) FROM STDIN copyopts(O).
    { S = ps_stmt_new(ps, PS_S_COPY_FROM); S->name = ps_tokstr(ps, &N); S->insert_columns = C; S->options = O; }
cmd(S) ::= COPY LP subscribe(Q) RP TO STDOUT copyopts(O).
    { S = ps_stmt_new(ps, PS_S_COPY_TO); S->inner = Q; S->options = O; }
cmd(S) ::= COPY LP select(Q) RP TO STDOUT copyopts(O).
{
    S = ps_stmt_new(ps, PS_S_COPY_TO); S->options = O;
    S->inner = ps_stmt_new(ps, PS_S_SELECT); S->inner->select = Q;
}
%type copyopts {PsList *}
copyopts(O) ::= . { O = NULL; }
copyopts(O) ::= WITH LP optlist(L) RP. { O = L; }
copyopts(O) ::= LP optlist(L) RP. { O = L; }
copyopts(O) ::= WITH oldcopyopts(L). { O = L; }
copyopts(O) ::= oldcopyopts(L). { O = L; }
%type oldcopyopts {PsList *}
oldcopyopts(L) ::= oldcopyopt(O). { L = ps_list1(ps, O); }
oldcopyopts(L) ::= oldcopyopts(A) oldcopyopt(O). { L = ps_list_add(ps, A, O); }
%type oldcopyopt {PsOption *}
oldcopyopt(O) ::= CSV(T). { O = ps_option_str(ps, "format", ps_column(ps, NULL, &T), T.pos); }
oldcopyopt(O) ::= BINARY(T). { O = ps_option_str(ps, "format", ps_column(ps, NULL, &T), T.pos); }
oldcopyopt(O) ::= HEADER(T). { O = ps_option_str(ps, "header", NULL, T.pos); }
oldcopyopt(O) ::= DELIMITER(T) optas STRING(V). { O = ps_option_str(ps, "delimiter", ps_const_str(ps, &V), T.pos); }
oldcopyopt(O) ::= NULL(T) optas STRING(V). { O = ps_option_str(ps, "null", ps_const_str(ps, &V), T.pos); }
oldcopyopt(O) ::= QUOTE(T) optas STRING(V). { O = ps_option_str(ps, "quote", ps_const_str(ps, &V), T.pos); }
oldcopyopt(O) ::= ESCAPE(T) optas STRING(V). { O = ps_option_str(ps, "escape", ps_const_str(ps, &V), T.pos); }
optas ::= .
optas ::= AS.

/* SUBSCRIBE */
cmd(S) ::= subscribe(Q). { S = Q; }
%type subscribe {PsStmt *}
subscribe(S) ::= SUBSCRIBE optto name(N) asof(A) withopts(O).
    { S = ps_stmt_new(ps, PS_S_SUBSCRIBE); S->name = ps_tokstr(ps, &N); S->as_of = A; S->options = O; }
optto ::= .
optto ::= TO.
%type asof {PsExpr *}
asof(A) ::= . { A = NULL; }
asof(A) ::= AS OF expr(E). { A = E; }

/* Cursors */
cmd(S) ::= DECLARE name(N) optbinary CURSOR hold(H) FOR subscribe(Q).
    { S = ps_stmt_new(ps, PS_S_DECLARE); S->name = ps_tokstr(ps, &N); S->with_hold = H; S->inner = Q; }
cmd(S) ::= DECLARE name(N) optbinary CURSOR hold(H) FOR select(Q).
{
    S = ps_stmt_new(ps, PS_S_DECLARE); S->name = ps_tokstr(ps, &N); S->with_hold = H;
    S->inner = ps_stmt_new(ps, PS_S_SELECT); S->inner->select = Q;
}
optbinary ::= .
optbinary ::= BINARY.
%type hold {bool}
hold(H) ::= . { H = false; }
hold(H) ::= WITH HOLD. { H = true; }
hold(H) ::= WITHOUT HOLD. { H = false; }

cmd(S) ::= FETCH fetchcount(C) fromin name(N) withopts(O).
    { S = ps_stmt_new(ps, PS_S_FETCH); S->fetch_count = C; S->all = C < 0; S->name = ps_tokstr(ps, &N); S->options = O; }
cmd(S) ::= FETCH name(N) withopts(O).
    { S = ps_stmt_new(ps, PS_S_FETCH); S->fetch_count = 1; S->name = ps_tokstr(ps, &N); S->options = O; }
cmd(S) ::= FETCH FROM name(N) withopts(O).
    { S = ps_stmt_new(ps, PS_S_FETCH); S->fetch_count = 1; S->name = ps_tokstr(ps, &N); S->options = O; }
cmd(S) ::= FETCH IN name(N) withopts(O).
    { S = ps_stmt_new(ps, PS_S_FETCH); S->fetch_count = 1; S->name = ps_tokstr(ps, &N); S->options = O; }
%type fetchcount {int64_t}
fetchcount(C) ::= ALL. { C = -1; }
fetchcount(C) ::= FORWARD ALL. { C = -1; }
fetchcount(C) ::= FORWARD. { C = 1; }
fetchcount(C) ::= NEXT. { C = 1; }
fetchcount(C) ::= INTEGER(T). { C = ps_tokint(ps, &T); }
fetchcount(C) ::= FORWARD INTEGER(T). { C = ps_tokint(ps, &T); }
fromin ::= .
fromin ::= FROM.
fromin ::= IN.

cmd(S) ::= CLOSE name(N). { S = ps_stmt_new(ps, PS_S_CLOSE); S->name = ps_tokstr(ps, &N); }
cmd(S) ::= CLOSE ALL. { S = ps_stmt_new(ps, PS_S_CLOSE); S->all = true; }

/* LISTEN */
cmd(S) ::= LISTEN name(N). { S = ps_stmt_new(ps, PS_S_LISTEN); S->name = ps_tokstr(ps, &N); }
cmd(S) ::= UNLISTEN name(N). { S = ps_stmt_new(ps, PS_S_UNLISTEN); S->name = ps_tokstr(ps, &N); }
cmd(S) ::= UNLISTEN STAR. { S = ps_stmt_new(ps, PS_S_UNLISTEN); S->all = true; }

/* EXPLAIN */
cmd(S) ::= EXPLAIN(E) cmd(Q).
    { S = ps_stmt_new(ps, PS_S_EXPLAIN); S->inner = Q; S->body_location = E.pos + E.rawlen; }

/* ------------------------------------------------------------- names */
%type name {Token}
name(A) ::= ID(X). { A = X; }

/* After AS in a select list any word is a label, as in PostgreSQL. */
%type collabel {Token}
collabel(A) ::= ID(X). { A = X; }
collabel(A) ::= reserved(X). { A = X; }
%type reserved {Token}
reserved(A) ::= ALL(X). { A = X; }
reserved(A) ::= AND(X). { A = X; }
reserved(A) ::= AS(X). { A = X; }
reserved(A) ::= ASC(X). { A = X; }
reserved(A) ::= BETWEEN(X). { A = X; }
reserved(A) ::= BY(X). { A = X; }
reserved(A) ::= CASE(X). { A = X; }
reserved(A) ::= CAST(X). { A = X; }
reserved(A) ::= CURRENT_CATALOG(X). { A = X; }
reserved(A) ::= CURRENT_DATE(X). { A = X; }
reserved(A) ::= CURRENT_TIMESTAMP(X). { A = X; }
reserved(A) ::= CURRENT_USER(X). { A = X; }
reserved(A) ::= DEFAULT(X). { A = X; }
reserved(A) ::= DEFERRABLE(X). { A = X; }
reserved(A) ::= DESC(X). { A = X; }
reserved(A) ::= DISTINCT(X). { A = X; }
reserved(A) ::= ELSE(X). { A = X; }
reserved(A) ::= END(X). { A = X; }
reserved(A) ::= FALSE(X). { A = X; }
reserved(A) ::= FOR(X). { A = X; }
reserved(A) ::= FROM(X). { A = X; }
reserved(A) ::= GROUP(X). { A = X; }
reserved(A) ::= HAVING(X). { A = X; }
reserved(A) ::= ILIKE(X). { A = X; }
reserved(A) ::= IN(X). { A = X; }
reserved(A) ::= IS(X). { A = X; }
reserved(A) ::= ISNULL(X). { A = X; }
reserved(A) ::= LIKE(X). { A = X; }
reserved(A) ::= LIMIT(X). { A = X; }
reserved(A) ::= LOCALTIMESTAMP(X). { A = X; }
reserved(A) ::= NOT(X). { A = X; }
reserved(A) ::= NOTNULL(X). { A = X; }
reserved(A) ::= NULL(X). { A = X; }
reserved(A) ::= OFFSET(X). { A = X; }
reserved(A) ::= ON(X). { A = X; }
reserved(A) ::= OR(X). { A = X; }
reserved(A) ::= ORDER(X). { A = X; }
reserved(A) ::= SELECT(X). { A = X; }
reserved(A) ::= SESSION_USER(X). { A = X; }
reserved(A) ::= THEN(X). { A = X; }
reserved(A) ::= TRUE(X). { A = X; }
reserved(A) ::= USER(X). { A = X; }
reserved(A) ::= WHEN(X). { A = X; }
reserved(A) ::= WHERE(X). { A = X; }
reserved(A) ::= WITH(X). { A = X; }

/* ------------------------------------------------------------ types */
%type typename {PsTypeName *}
typename(T) ::= ID(A) typmod(M). [OR] { T = ps_typename(ps, &A, NULL, M.a, M.b); }
typename(T) ::= ID(A) PRECISION(B). { T = ps_typename(ps, &A, &B, -1, -1); }
typename(T) ::= ID(A) VARYING(B) typmod(M). { T = ps_typename(ps, &A, &B, M.a, M.b); }
typename(T) ::= ID(A) typmod(M) WITH TIME ZONE.
    { T = ps_typename_str(ps, "timestamp with time zone", M.a, M.b, A.pos); (void)A; }
typename(T) ::= ID(A) typmod(M) WITHOUT TIME ZONE.
    { T = ps_typename(ps, &A, NULL, M.a, M.b); }
typename(T) ::= INTERVAL(A). { T = ps_typename(ps, &A, NULL, -1, -1); }
%include {
typedef struct TypMod { int a, b; } TypMod;
}
%type typmod {TypMod}
typmod(M) ::= . { M.a = -1; M.b = -1; }
typmod(M) ::= LP INTEGER(A) RP. { M.a = ps_tokint(ps, &A); M.b = -1; }
typmod(M) ::= LP INTEGER(A) COMMA INTEGER(B) RP. { M.a = ps_tokint(ps, &A); M.b = ps_tokint(ps, &B); }

/* ------------------------------------------------------- expressions */
%type expr {PsExpr *}
%type exprlist {PsList *}
exprlist(L) ::= expr(E). { L = ps_list1(ps, E); }
exprlist(L) ::= exprlist(A) COMMA expr(E). { L = ps_list_add(ps, A, E); }

expr(E) ::= LP expr(X) RP. { E = X; }
expr(E) ::= INTEGER(T). { E = ps_const_int(ps, &T); }
expr(E) ::= NUMBER(T). { E = ps_const_num(ps, &T); }
expr(E) ::= STRING(T). { E = ps_const_str(ps, &T); }
expr(E) ::= TRUE(T). { E = ps_const_bool(ps, true, &T); }
expr(E) ::= FALSE(T). { E = ps_const_bool(ps, false, &T); }
expr(E) ::= NULL(T). { E = ps_const_null(ps, &T); }
expr(E) ::= PARAM(T). { E = ps_param(ps, &T); }
expr(E) ::= ID(N). { E = ps_column(ps, NULL, &N); }
expr(E) ::= ID(Q) DOT ID(N). { E = ps_column(ps, &Q, &N); }
expr(E) ::= ID(T) STRING(S). { E = ps_typed_literal(ps, &T, &S, PS_IU_NONE); }
expr(E) ::= INTERVAL(T) STRING(S) iunit(U). { E = ps_typed_literal(ps, &T, &S, U); }

%type iunit {PsIntervalUnit}
iunit(U) ::= . { U = PS_IU_NONE; }
iunit(U) ::= YEAR. { U = PS_IU_YEAR; }
iunit(U) ::= MONTH. { U = PS_IU_MONTH; }
iunit(U) ::= DAY. { U = PS_IU_DAY; }
iunit(U) ::= HOUR. { U = PS_IU_HOUR; }
iunit(U) ::= MINUTE. { U = PS_IU_MINUTE; }
iunit(U) ::= SECOND. { U = PS_IU_SECOND; }

/* special-syntax functions */
/* SQL-standard functions written without parentheses */
expr(E) ::= CURRENT_TIMESTAMP(T). { E = ps_func_sql(ps, "now", "current_timestamp", NULL, &T); }
expr(E) ::= CURRENT_DATE(T). { E = ps_func_sql(ps, "current_date", "current_date", NULL, &T); }
expr(E) ::= LOCALTIMESTAMP(T). { E = ps_func_sql(ps, "localtimestamp", "localtimestamp", NULL, &T); }
expr(E) ::= CURRENT_USER(T). { E = ps_func_sql(ps, "current_user", "current_user", NULL, &T); }
expr(E) ::= SESSION_USER(T). { E = ps_func_sql(ps, "session_user", "session_user", NULL, &T); }
expr(E) ::= USER(T). { E = ps_func_sql(ps, "current_user", "user", NULL, &T); }
expr(E) ::= CURRENT_SCHEMA(T). { E = ps_func_sql(ps, "current_schema", "current_schema", NULL, &T); }
expr(E) ::= CURRENT_SCHEMA(T) LP RP. { E = ps_func_named(ps, "current_schema", NULL, &T); }
expr(E) ::= CURRENT_CATALOG(T). { E = ps_func_sql(ps, "current_database", "current_catalog", NULL, &T); }
expr(E) ::= CAST(T) LP expr(X) AS typename(Y) RP. { E = ps_cast(ps, X, Y, &T); }
expr(E) ::= EXTRACT(T) LP ID(F) FROM expr(X) RP.
    { E = ps_func_sql(ps, "date_part", "extract", ps_list_add(ps, ps_list1(ps, ps_const_str(ps, &F)), X), &T); }
expr(E) ::= EXTRACT(T) LP iunitword(F) FROM expr(X) RP.
    { E = ps_func_sql(ps, "date_part", "extract", ps_list_add(ps, ps_list1(ps, ps_const_str(ps, &F)), X), &T); }
expr(E) ::= EXTRACT(T) LP STRING(F) FROM expr(X) RP.
    { E = ps_func_sql(ps, "date_part", "extract", ps_list_add(ps, ps_list1(ps, ps_const_str(ps, &F)), X), &T); }
%type iunitword {Token}
iunitword(W) ::= YEAR(T). { W = T; }
iunitword(W) ::= MONTH(T). { W = T; }
iunitword(W) ::= DAY(T). { W = T; }
iunitword(W) ::= HOUR(T). { W = T; }
iunitword(W) ::= MINUTE(T). { W = T; }
iunitword(W) ::= SECOND(T). { W = T; }
expr(E) ::= SUBSTRING(T) LP expr(X) FROM expr(A) RP.
    { E = ps_func_named(ps, "substring", ps_list_add(ps, ps_list1(ps, X), A), &T); }
expr(E) ::= SUBSTRING(T) LP expr(X) FROM expr(A) FOR expr(B) RP.
    { E = ps_func_named(ps, "substring", ps_list_add(ps, ps_list_add(ps, ps_list1(ps, X), A), B), &T); }
expr(E) ::= SUBSTRING(T) LP expr(X) FOR expr(B) RP.
    { E = ps_func_named(ps, "substring", ps_list_add(ps, ps_list_add(ps, ps_list1(ps, X), ps_const_int(ps, &(Token){"1", 1, T.pos, 0})), B), &T); }
expr(E) ::= SUBSTRING(T) LP exprlist(L) RP. { E = ps_func_named(ps, "substring", L, &T); }

/* function calls */
expr(E) ::= ID(N) LP RP. { E = ps_func(ps, &N, NULL, false, false); }
expr(E) ::= ID(N) LP STAR RP. { E = ps_func(ps, &N, NULL, false, true); }
expr(E) ::= ID(N) LP exprlist(L) RP. { E = ps_func(ps, &N, L, false, false); }
expr(E) ::= ID(N) LP DISTINCT exprlist(L) RP. { E = ps_func(ps, &N, L, true, false); }
expr(E) ::= ID(N) LP ALL exprlist(L) RP. { E = ps_func(ps, &N, L, false, false); }
expr(E) ::= ID(S) DOT ID(N) LP RP. { (void)S; E = ps_func(ps, &N, NULL, false, false); }
expr(E) ::= ID(S) DOT ID(N) LP exprlist(L) RP. { (void)S; E = ps_func(ps, &N, L, false, false); }

/* CASE */
expr(E) ::= CASE(T) caseoperand(A) whens(W) caseelse(X) END. { E = ps_case(ps, A, W, X, &T); }
%type caseoperand {PsExpr *}
caseoperand(A) ::= . { A = NULL; }
caseoperand(A) ::= expr(X). { A = X; }
%type whens {PsList *}
whens(L) ::= WHEN expr(W) THEN expr(T). { L = ps_list1(ps, ps_when(ps, W, T)); }
whens(L) ::= whens(A) WHEN expr(W) THEN expr(T). { L = ps_list_add(ps, A, ps_when(ps, W, T)); }
%type caseelse {PsExpr *}
caseelse(X) ::= . { X = NULL; }
caseelse(X) ::= ELSE expr(Y). { X = Y; }

/* operators */
expr(E) ::= expr(L) OR(T) expr(R). { E = ps_binary(ps, PS_OP_OR, L, R, &T); }
expr(E) ::= expr(L) AND(T) expr(R). { E = ps_binary(ps, PS_OP_AND, L, R, &T); }
expr(E) ::= NOT(T) expr(X). { E = ps_unary(ps, PS_OP_NOT, X, &T); }
expr(E) ::= expr(L) EQ(T) expr(R). { E = ps_binary(ps, PS_OP_EQ, L, R, &T); }
expr(E) ::= expr(L) NE(T) expr(R). { E = ps_binary(ps, PS_OP_NE, L, R, &T); }
expr(E) ::= expr(L) LT(T) expr(R). { E = ps_binary(ps, PS_OP_LT, L, R, &T); }
expr(E) ::= expr(L) LE(T) expr(R). { E = ps_binary(ps, PS_OP_LE, L, R, &T); }
expr(E) ::= expr(L) GT(T) expr(R). { E = ps_binary(ps, PS_OP_GT, L, R, &T); }
expr(E) ::= expr(L) GE(T) expr(R). { E = ps_binary(ps, PS_OP_GE, L, R, &T); }
expr(E) ::= expr(L) CONCAT(T) expr(R). { E = ps_binary(ps, PS_OP_CONCAT, L, R, &T); }
expr(E) ::= expr(L) PLUS(T) expr(R). { E = ps_binary(ps, PS_OP_ADD, L, R, &T); }
expr(E) ::= expr(L) MINUS(T) expr(R). { E = ps_binary(ps, PS_OP_SUB, L, R, &T); }
expr(E) ::= expr(L) STAR(T) expr(R). { E = ps_binary(ps, PS_OP_MUL, L, R, &T); }
expr(E) ::= expr(L) SLASH(T) expr(R). { E = ps_binary(ps, PS_OP_DIV, L, R, &T); }
expr(E) ::= expr(L) PERCENT(T) expr(R). { E = ps_binary(ps, PS_OP_MOD, L, R, &T); }
expr(E) ::= MINUS(T) expr(X). [UMINUS] { E = ps_unary(ps, PS_OP_NEG, X, &T); }
expr(E) ::= PLUS(T) expr(X). [UMINUS] { E = ps_unary(ps, PS_OP_PLUS, X, &T); }
expr(E) ::= expr(X) TYPECAST(T) typename(Y). { E = ps_cast(ps, X, Y, &T); }

expr(E) ::= expr(L) IS(T) NULL. { E = ps_is(ps, L, PS_IS_NULL, false, NULL, &T); }
expr(E) ::= expr(L) IS(T) NOT NULL. { E = ps_is(ps, L, PS_IS_NULL, true, NULL, &T); }
expr(E) ::= expr(L) ISNULL(T). { E = ps_is(ps, L, PS_IS_NULL, false, NULL, &T); }
expr(E) ::= expr(L) NOTNULL(T). { E = ps_is(ps, L, PS_IS_NULL, true, NULL, &T); }
expr(E) ::= expr(L) IS(T) TRUE. { E = ps_is(ps, L, PS_IS_TRUE, false, NULL, &T); }
expr(E) ::= expr(L) IS(T) NOT TRUE. { E = ps_is(ps, L, PS_IS_TRUE, true, NULL, &T); }
expr(E) ::= expr(L) IS(T) FALSE. { E = ps_is(ps, L, PS_IS_FALSE, false, NULL, &T); }
expr(E) ::= expr(L) IS(T) NOT FALSE. { E = ps_is(ps, L, PS_IS_FALSE, true, NULL, &T); }
expr(E) ::= expr(L) IS(T) UNKNOWN. { E = ps_is(ps, L, PS_IS_UNKNOWN, false, NULL, &T); }
expr(E) ::= expr(L) IS(T) NOT UNKNOWN. { E = ps_is(ps, L, PS_IS_UNKNOWN, true, NULL, &T); }
expr(E) ::= expr(L) IS(T) DISTINCT FROM expr(R). [IS] { E = ps_is(ps, L, PS_IS_DISTINCT_FROM, false, R, &T); }
expr(E) ::= expr(L) IS(T) NOT DISTINCT FROM expr(R). [IS] { E = ps_is(ps, L, PS_IS_DISTINCT_FROM, true, R, &T); }

expr(E) ::= expr(L) LIKE(T) expr(R). { E = ps_like(ps, L, R, NULL, false, false, &T); }
expr(E) ::= expr(L) LIKE(T) expr(R) ESCAPE expr(X). [LIKE] { E = ps_like(ps, L, R, X, false, false, &T); }
expr(E) ::= expr(L) NOT(T) LIKE expr(R). [LIKE] { E = ps_like(ps, L, R, NULL, true, false, &T); }
expr(E) ::= expr(L) NOT(T) LIKE expr(R) ESCAPE expr(X). [LIKE] { E = ps_like(ps, L, R, X, true, false, &T); }
expr(E) ::= expr(L) ILIKE(T) expr(R). { E = ps_like(ps, L, R, NULL, false, true, &T); }
expr(E) ::= expr(L) NOT(T) ILIKE expr(R). [LIKE] { E = ps_like(ps, L, R, NULL, true, true, &T); }
expr(E) ::= expr(L) IN(T) LP exprlist(X) RP. { E = ps_in(ps, L, X, false, &T); }
expr(E) ::= expr(L) NOT(T) IN LP exprlist(X) RP. [IN] { E = ps_in(ps, L, X, true, &T); }
expr(E) ::= expr(X) BETWEEN(T) expr(A) AND expr(B). [BETWEEN] { E = ps_between(ps, X, A, B, false, &T); }
expr(E) ::= expr(X) NOT(T) BETWEEN expr(A) AND expr(B). [BETWEEN] { E = ps_between(ps, X, A, B, true, &T); }
