/*
 * net.c — sluiced's network layer on libevent.
 *
 * Threads and ownership:
 *  - the main thread owns the listeners (TCP and the Unix socket) and
 *    reads each new connection's first packet: a CancelRequest is served
 *    right there, so a cancel gets through even while every I/O thread is
 *    busy running a statement; anything else is handed, with the bytes
 *    read so far, to an I/O thread (the one with the fewest connections);
 *  - each I/O thread has its own event_base and owns its connections and
 *    their Sessions; nothing of a connection is touched by another thread
 *    except the cancel flag (see srv_cancel) and, while a statement runs,
 *    the Session (see below);
 *  - statements run on statement threads, not on the I/O threads, so a
 *    long statement (pg_sleep, a FETCH that waits for changes, a COPY
 *    that waits for durability) never stalls the other connections of its
 *    I/O thread. A Query, Execute or CopyDone message is handed to the
 *    pool with the connection marked busy; while busy the I/O thread reads
 *    nothing more from that client and leaves its Session alone; the
 *    worker hands the finished job back (io->done) and the I/O thread
 *    flushes the replies and goes on with the client's next message. The
 *    pool grows to as many threads as statements run at once (bounded by
 *    max_connections), like PostgreSQL's backend per connection.
 * TLS is OpenSSL through libevent's OpenSSL filter bufferevents.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server.h"

#define MAX_STARTUP_PACKET 10000
#define OUTPUT_HIGH_WATER (4 * 1024 * 1024)
/* Bytes one read may take from a socket (libevent's default is 16 KB;
 * 2.1 reads at most 4 kB anyway, so CopyData bodies are read by
 * copy_read). Only what is there is read, so idle connections keep
 * small buffers. */
#define MAX_SINGLE_READ (256 * 1024)
/* While a CopyData body is arriving, the socket wakes its thread only
 * once this much of it is there (SO_RCVLOWAT; never more than the body
 * still owes): a client's bulk COPY otherwise comes in reads of a few kB,
 * each a wake-up, an ioctl, a read and a pass through conn_process. */
#define COPY_LOWAT (128 * 1024)

/* ------------------------------------------------------ cancel registry */

typedef struct CancelEntry {
    int32_t pid, secret;
    volatile int *flag;
    void (*wake)(void *arg);
    void *wake_arg;
    struct CancelEntry *next;
} CancelEntry;

static pthread_mutex_t cancel_lock = PTHREAD_MUTEX_INITIALIZER;
static CancelEntry *cancel_list;

void srv_cancel_register(Server *srv, int32_t pid, int32_t secret, volatile int *flag,
                         void (*wake)(void *arg), void *wake_arg)
{
    (void)srv;
    CancelEntry *c = sl_malloc(sizeof *c);
    c->pid = pid;
    c->secret = secret;
    c->flag = flag;
    c->wake = wake;
    c->wake_arg = wake_arg;
    pthread_mutex_lock(&cancel_lock);
    c->next = cancel_list;
    cancel_list = c;
    pthread_mutex_unlock(&cancel_lock);
}

void srv_cancel_unregister(Server *srv, int32_t pid)
{
    (void)srv;
    pthread_mutex_lock(&cancel_lock);
    for (CancelEntry **pp = &cancel_list; *pp; pp = &(*pp)->next) {
        if ((*pp)->pid == pid) {
            CancelEntry *dead = *pp;
            *pp = dead->next;
            free(dead);
            break;
        }
    }
    pthread_mutex_unlock(&cancel_lock);
}

void srv_cancel(Server *srv, int32_t pid, int32_t secret)
{
    (void)srv;
    pthread_mutex_lock(&cancel_lock);
    for (CancelEntry *c = cancel_list; c; c = c->next) {
        if (c->pid == pid && c->secret == secret) {
            *c->flag = 1;
            if (c->wake)
                c->wake(c->wake_arg);
            sl_info("cancel request for session %d", pid);
            break;
        }
    }
    pthread_mutex_unlock(&cancel_lock);
}

int srv_lookup_verifier(Server *srv, const char *user, ScramVerifier *v)
{
    if (!srv->password_file || !*srv->password_file)
        return -1;
    FILE *f = fopen(srv->password_file, "r");
    if (!f) {
        sl_warn("could not open password file \"%s\": %s", srv->password_file, strerror(errno));
        return -1;
    }
    char line[1024];
    int rc = -1;
    size_t ul = strlen(user);
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        if (!strncmp(line, user, ul) && line[ul] == ':') {
            rc = scram_parse_verifier(line + ul + 1, v);
            if (rc < 0)
                sl_warn("malformed verifier for user \"%s\" in %s", user, srv->password_file);
            break;
        }
    }
    fclose(f);
    return rc;
}

/* ------------------------------------------------------------ I/O threads */

typedef struct Handoff {
    evutil_socket_t fd;
    bool is_unix;
    char *bytes;          /* the first packet (and anything after it) */
    size_t nbytes;
    size_t first_len;     /* length of the first packet in bytes */
    char peer[64];
    struct Handoff *next;
} Handoff;

typedef struct IoThread IoThread;
typedef struct Conn {
    Server *srv;
    IoThread *io;
    struct bufferevent *bev;
    evutil_socket_t fd;       /* closed in conn_free; -1 once TLS owns it */
    Session *sess;
    struct event *wake_ev;    /* made active from any thread: see sess_wake */
    bool closing;
    bool tls;
    bool busy;                /* a statement thread owns sess: see run_job */
    bool dead;                /* the socket failed while busy: free when done */
    bool wake_pending;        /* a wake came while busy */
    size_t copy_left;         /* bytes of a CopyData body still to hand over */
    int lowat;                /* the socket's SO_RCVLOWAT (0: the default, 1) */
    struct Conn *prev, *next;
} Conn;

/* One message run on a statement thread. */
typedef struct Job {
    Conn *c;
    char type;
    char *body;
    size_t len;
    SessAction act;
    struct Job *next;
} Job;

struct IoThread {
    pthread_t thread;
    struct event_base *base;
    struct event *wake;
    pthread_mutex_t lock;
    Handoff *queue;
    Job *done;                /* finished statements, back from the pool */
    bool stopping;            /* set by the main thread (under lock) */
    bool quitting;            /* this thread saw stopping (its own flag) */
    Conn *conns;
    int nconns;               /* connections handed to it and not freed (atomic) */
    Server *srv;
    char *copy_buf;           /* COPY_READ bytes: see copy_read */
};

/* Statement threads: a queue and as many threads as are needed. */
struct Pool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    Job *head, *tail;
    int idle;
    bool stopping;
    pthread_t *threads;
    int nthreads, cap;
};
typedef struct Pool Pool;

typedef struct Net {
    Server *srv;
    Pool pool;
    struct Pending *pending;  /* connections whose first packet is awaited */
    struct event_base *base;
    SSL_CTX *ssl_ctx;
    IoThread *io;
    int nio;
    int next_io;
    char unix_path[108];
} Net;

static Net *the_net;

static void conn_free(Conn *c)
{
    __atomic_fetch_sub(&c->io->nconns, 1, __ATOMIC_RELAXED);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->io->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    if (c->bev)
        bufferevent_free(c->bev);
    if (c->fd >= 0)
        evutil_closesocket(c->fd);
    sess_free(c->sess); /* unsubscribes: no wake after this */
    if (c->wake_ev)
        event_free(c->wake_ev);
    IoThread *io = c->io;
    free(c);
    if (io->quitting && !io->conns)
        event_base_loopexit(io->base, NULL); /* the last one is gone */
}

static void conn_flush(Conn *c)
{
    SlBuf *out = sess_output(c->sess);
    if (out->len) {
        bufferevent_write(c->bev, out->data, out->len);
        sl_buf_reset(out);
    }
}

static void conn_close_after_flush(Conn *c)
{
    c->closing = true;
    bufferevent_disable(c->bev, EV_READ);
    conn_flush(c);
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        conn_free(c);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg);
static void conn_read_cb(struct bufferevent *bev, void *arg);
static void pool_submit(struct Pool *pool, Job *j);

static void conn_process(Conn *c);

static void conn_write_cb(struct bufferevent *bev, void *arg)
{
    Conn *c = arg;
    if (evbuffer_get_length(bufferevent_get_output(bev)) == 0) {
        if (c->closing) {
            conn_free(c);
            return;
        }
        if (c->busy)
            return; /* the statement's end enables reading again */
        /* drained: read again (backpressure released), send more changes,
         * and answer what the client pipelined while we were not reading */
        bufferevent_enable(bev, EV_READ);
        if (sess_subscribing(c->sess))
            event_active(c->wake_ev, EV_READ, 0);
        if (evbuffer_get_length(bufferevent_get_input(bev)) > 0)
            conn_process(c); /* may free c: nothing after this */
    }
}

/* Runs on the connection's I/O thread after conn_wake. */
static void conn_wake_cb(evutil_socket_t fd, short what, void *arg)
{
    Conn *c = arg;
    (void)fd;
    (void)what;
    if (c->closing)
        return;
    if (c->busy) {
        c->wake_pending = true; /* the statement thread owns the session */
        return;
    }
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) > OUTPUT_HIGH_WATER)
        return; /* the write callback wakes us when the client caught up */
    bool more = sess_wake(c->sess, 1 << 20);
    conn_flush(c);
    if (more)
        event_active(c->wake_ev, EV_READ, 0);
}

/* Any thread: wake the connection's session. */
static void conn_wake(void *arg)
{
    Conn *c = arg;
    event_active(c->wake_ev, EV_READ, 0);
}

static int start_tls(Conn *c)
{
    /* the 'S' (and anything before it) goes out in plain text first */
    SlBuf *out = sess_output(c->sess);
    struct evbuffer *pending = bufferevent_get_output(c->bev);
    if (out->len)
        evbuffer_add(pending, out->data, out->len);
    sl_buf_reset(out);
    evbuffer_unfreeze(pending, 1); /* the socket bufferevent froze its start */
    while (evbuffer_get_length(pending) > 0)
        if (evbuffer_write(pending, c->fd) < 0 && errno != EAGAIN && errno != EINTR) {
            sl_debug("TLS: could not send the 'S'");
            return -1;
        }
    SSL *ssl = SSL_new(the_net->ssl_ctx);
    if (!ssl) {
        sl_debug("TLS: SSL_new failed");
        return -1;
    }
    bufferevent_free(c->bev);
    /* from here the OpenSSL bufferevent owns the socket and the SSL */
    c->bev = bufferevent_openssl_socket_new(c->io->base, c->fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                            BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) {
        SSL_free(ssl);
        return -1;
    }
    c->fd = -1;
    c->tls = true;
    sess_set_tls(c->sess, true);
    bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    bufferevent_set_max_single_read(c->bev, MAX_SINGLE_READ);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    return 0;
}

/* Hands the first n bytes of the input to the session's COPY, piece by
 * piece as they lie in the buffer, and drains them. */
static void copy_data_pieces(Conn *c, struct evbuffer *in, size_t n)
{
    while (n > 0) {
        struct evbuffer_iovec v[8];
        int nv = evbuffer_peek(in, (ev_ssize_t)n, NULL, v, 8);
        size_t done = 0;
        for (int i = 0; i < nv && i < 8 && done < n; i++) {
            size_t k = v[i].iov_len < n - done ? v[i].iov_len : n - done;
            sess_copy_data(c->sess, v[i].iov_base, k);
            done += k;
        }
        if (done == 0)
            break;
        evbuffer_drain(in, done);
        n -= done;
    }
}

/* Sets the socket's low-water mark for reads to n bytes (plain sockets;
 * TLS buffers bytes of its own, so its connections keep 1). Every byte
 * asked for must be owed by the client: an end of file or an error wakes
 * the thread whatever the mark. */
static void set_lowat(Conn *c, int n)
{
    if (c->tls || c->fd < 0 || n == (c->lowat ? c->lowat : 1))
        return;
    if (setsockopt(c->fd, SOL_SOCKET, SO_RCVLOWAT, &n, sizeof n) == 0)
        c->lowat = n;
}

/* Waiting for the rest of a CopyData body: wake for a large part of it. */
static void copy_lowat(Conn *c)
{
    int want = c->copy_left < COPY_LOWAT ? (int)c->copy_left : COPY_LOWAT;
    int have = c->lowat ? c->lowat : 1;
    /* lower at once (never wait for bytes not owed), raise when worth a call */
    if (want < have || want >= 4 * have)
        set_lowat(c, want);
}

/* The rest of a CopyData body straight from a plain socket, when the
 * input buffer is empty: libevent 2.1 reads a socket 4 kB at a time
 * (EVBUFFER_MAX_READ, whatever the bufferevent's max single read), which
 * made a bulk COPY cost a wake-up, an ioctl and a read per 4 kB. Reads
 * at most the body's bytes (what follows stays for the bufferevent) into
 * the I/O thread's buffer; 0 when nothing came (the bufferevent sees an
 * end of file or an error itself). */
#define COPY_READ (256 * 1024)
static size_t copy_read(Conn *c)
{
    if (c->tls || c->fd < 0)
        return 0;
    if (!c->io->copy_buf)
        c->io->copy_buf = sl_malloc(COPY_READ);
    size_t want = c->copy_left < COPY_READ ? c->copy_left : COPY_READ;
    ssize_t r;
    do
        r = recv(c->fd, c->io->copy_buf, want, 0);
    while (r < 0 && errno == EINTR);
    if (r <= 0)
        return 0;
    c->copy_left -= (size_t)r;
    sess_copy_data(c->sess, c->io->copy_buf, (size_t)r);
    return (size_t)r;
}

/* Reads as many complete messages as the input holds (a CopyData body
 * as much of it as there is). */
static void conn_process(Conn *c)
{
    int direct = 0; /* copy_read calls: a few, then the other connections */
    struct evbuffer *in = bufferevent_get_input(c->bev);
    while (!c->closing) {
        size_t avail = evbuffer_get_length(in);
        unsigned char hdr[5];
        SessAction act;
        if (sess_in_startup(c->sess)) {
            if (avail < 4)
                return;
            evbuffer_copyout(in, hdr, 4);
            uint32_t len = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) | ((uint32_t)hdr[2] << 8) | hdr[3];
            if (len < 8 || len > MAX_STARTUP_PACKET) {
                sess_fatal(c->sess, SL_E_PROTOCOL_VIOLATION, "invalid length of startup packet");
                conn_close_after_flush(c);
                return;
            }
            if (avail < len)
                return;
            char *p = (char *)evbuffer_pullup(in, (ssize_t)len);
            act = sess_startup_packet(c->sess, p + 4, len - 4);
            evbuffer_drain(in, len);
            if (act == SESS_START_TLS) {
                if (evbuffer_get_length(in) > 0) {
                    /* bytes sent before the TLS handshake: refuse them */
                    sl_warn("connection from %s sent data after SSLRequest before the TLS handshake; closing", "client");
                    conn_free(c);
                    return;
                }
                if (start_tls(c) < 0) {
                    sl_warn("could not start TLS: %s", strerror(errno));
                    conn_free(c);
                    return;
                }
                return;
            }
        } else if (c->copy_left > 0) {
            /* the rest of a CopyData body, handed over as it arrives */
            if (avail == 0) {
                if (direct++ == 8 || copy_read(c) == 0) {
                    copy_lowat(c);
                    return;
                }
            } else {
                size_t n = avail < c->copy_left ? avail : c->copy_left;
                copy_data_pieces(c, in, n);
                c->copy_left -= n;
            }
            act = SESS_CONTINUE;
        } else {
            /* between messages: the next one's size is not known yet */
            if (c->lowat > 1)
                set_lowat(c, 1);
            if (avail < 5)
                return;
            evbuffer_copyout(in, hdr, 5);
            uint32_t len = ((uint32_t)hdr[1] << 24) | ((uint32_t)hdr[2] << 16) | ((uint32_t)hdr[3] << 8) | hdr[4];
            if (len < 4 || len > 0x7fffffff) {
                sess_fatal(c->sess, SL_E_PROTOCOL_VIOLATION, "invalid message length");
                conn_close_after_flush(c);
                return;
            }
            if (len - 4 > sess_max_message(c->sess)) {
                char msg[128];
                snprintf(msg, sizeof msg, "message of %u bytes is larger than max_message_size (%zu bytes)",
                         len - 4, sess_max_message(c->sess));
                sess_fatal(c->sess, SL_E_PROGRAM_LIMIT_EXCEEDED, msg);
                conn_close_after_flush(c);
                return;
            }
            char type = (char)hdr[0];
            if (type == 'd' && sess_copy_in(c->sess)) {
                /* COPY data: no need to gather the message (up to 1 GB
                 * from some clients) before parsing it */
                evbuffer_drain(in, 5);
                c->copy_left = len - 4;
                continue;
            }
            if (avail < (size_t)len + 1)
                return;
            if (type == 'Q' || type == 'E' || type == 'c') {
                /* may run long: on a statement thread */
                Job *j = sl_calloc(1, sizeof *j);
                j->c = c;
                j->type = type;
                j->len = len - 4;
                j->body = sl_malloc(j->len ? j->len : 1);
                evbuffer_drain(in, 5);
                evbuffer_remove(in, j->body, j->len);
                c->busy = true;
                bufferevent_disable(c->bev, EV_READ);
                pool_submit(&the_net->pool, j);
                return;
            }
            char *p = (char *)evbuffer_pullup(in, (ssize_t)len + 1);
            act = sess_message(c->sess, type, p + 5, len - 4);
            evbuffer_drain(in, (size_t)len + 1);
        }
        conn_flush(c);
        if (act == SESS_CLOSE) {
            conn_close_after_flush(c);
            return;
        }
        if (evbuffer_get_length(bufferevent_get_output(c->bev)) > OUTPUT_HIGH_WATER) {
            /* the client is not reading: stop reading it until it drains */
            bufferevent_disable(c->bev, EV_READ);
            return;
        }
    }
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    conn_process(arg);
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    Conn *c = arg;
    (void)bev;
    sl_debug("connection event 0x%x%s", (unsigned)what, c->tls ? " (TLS)" : "");
    if (what & BEV_EVENT_ERROR) {
        unsigned long e;
        while ((e = bufferevent_get_openssl_error(c->bev)) != 0) {
            char buf[256];
            ERR_error_string_n(e, buf, sizeof buf);
            sl_debug("TLS error: %s", buf);
        }
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)) {
        if (c->busy) {
            /* the statement thread still uses the session: stop it, free later */
            c->dead = true;
            sess_cancel(c->sess);
            bufferevent_disable(c->bev, EV_READ | EV_WRITE);
        } else {
            conn_free(c);
        }
    }
}

/* ------------------------------------------------------ statement threads */

static void job_free(Job *j)
{
    free(j->body);
    free(j);
}

static void *pool_main(void *arg)
{
    Pool *pool = arg;
    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (!pool->head && !pool->stopping)
            pthread_cond_wait(&pool->cond, &pool->lock);
        if (!pool->head)
            break; /* stopping, nothing left */
        Job *j = pool->head;
        pool->head = j->next;
        if (!pool->head)
            pool->tail = NULL;
        pool->idle--;
        pthread_mutex_unlock(&pool->lock);

        j->act = sess_message(j->c->sess, j->type, j->body, j->len);
        IoThread *io = j->c->io;
        pthread_mutex_lock(&io->lock);
        j->next = io->done;
        io->done = j;
        pthread_mutex_unlock(&io->lock);
        event_active(io->wake, EV_READ, 0);

        pthread_mutex_lock(&pool->lock);
        pool->idle++;
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

static void pool_submit(Pool *pool, Job *j)
{
    pthread_mutex_lock(&pool->lock);
    j->next = NULL;
    if (pool->tail)
        pool->tail->next = j;
    else
        pool->head = j;
    pool->tail = j;
    if (pool->idle == 0) {
        if (pool->nthreads == pool->cap) {
            pool->cap = pool->cap ? pool->cap * 2 : 8;
            pool->threads = sl_realloc(pool->threads, sizeof(pthread_t) * (size_t)pool->cap);
        }
        if (pthread_create(&pool->threads[pool->nthreads], NULL, pool_main, pool) == 0) {
            pool->nthreads++;
            pool->idle++;
        } else if (pool->nthreads == 0) {
            sl_warn("could not start a statement thread: %s", strerror(errno));
        }
    }
    pthread_cond_signal(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
}

static void pool_stop(Pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    pool->stopping = true;
    pthread_cond_broadcast(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < pool->nthreads; i++)
        pthread_join(pool->threads[i], NULL);
    free(pool->threads);
    pthread_cond_destroy(&pool->cond);
    pthread_mutex_destroy(&pool->lock);
}

/* On the I/O thread: a statement thread finished j. */
static void job_done(Job *j, bool stopping)
{
    Conn *c = j->c;
    SessAction act = j->act;
    job_free(j);
    c->busy = false;
    if (c->dead) {
        conn_free(c);
        return;
    }
    if (stopping) {
        sess_fatal(c->sess, SL_E_ADMIN_SHUTDOWN, "terminating connection due to administrator command");
        conn_close_after_flush(c);
        return;
    }
    conn_flush(c);
    if (act == SESS_CLOSE) {
        conn_close_after_flush(c);
        return;
    }
    if (c->wake_pending || sess_subscribing(c->sess)) {
        c->wake_pending = false;
        event_active(c->wake_ev, EV_READ, 0);
    }
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) > OUTPUT_HIGH_WATER)
        return; /* conn_write_cb reads again once the client drained it */
    bufferevent_enable(c->bev, EV_READ);
    conn_process(c); /* messages that came behind this one */
}

static void io_accept(IoThread *io, Handoff *h)
{
    Conn *c = sl_calloc(1, sizeof *c);
    c->srv = io->srv;
    c->io = io;
    c->wake_ev = event_new(io->base, -1, 0, conn_wake_cb, c);
    SessionConfig cfg = {.is_unix = h->is_unix, .tls_available = the_net->ssl_ctx != NULL, .peer = h->peer,
                         .wake = conn_wake, .wake_arg = c};
    c->sess = sess_new(io->srv, &cfg);
    c->fd = h->fd;
    c->bev = bufferevent_socket_new(io->base, h->fd, 0);
    c->next = io->conns;
    if (io->conns)
        io->conns->prev = c;
    io->conns = c;
    if (!c->bev) {
        conn_free(c);
        return;
    }
    bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb, c);
    bufferevent_set_max_single_read(c->bev, MAX_SINGLE_READ);
    /* the first packet and anything that came with it */
    struct evbuffer *in = bufferevent_get_input(c->bev);
    evbuffer_unfreeze(in, 0); /* a socket bufferevent freezes its input's end */
    evbuffer_add(in, h->bytes, h->nbytes);
    evbuffer_freeze(in, 0);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    conn_process(c);
}

static void io_wake_cb(evutil_socket_t fd, short what, void *arg)
{
    IoThread *io = arg;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&io->lock);
    Handoff *q = io->queue;
    io->queue = NULL;
    Job *done = io->done;
    io->done = NULL;
    bool stopping = io->stopping;
    pthread_mutex_unlock(&io->lock);
    while (done) {
        Job *j = done;
        done = done->next;
        job_done(j, stopping);
    }
    while (q) {
        Handoff *h = q;
        q = q->next;
        if (stopping) {
            evutil_closesocket(h->fd);
            __atomic_fetch_sub(&io->nconns, 1, __ATOMIC_RELAXED);
        } else {
            io_accept(io, h);
        }
        free(h->bytes);
        free(h);
    }
    if (stopping && !io->quitting) {
        /* tell every client, close once the message is out; a running
         * statement is canceled and its connection told when it ends
         * (job_done). A client that does not read gets three seconds. */
        io->quitting = true;
        struct timeval backstop = {3, 0};
        event_base_loopexit(io->base, &backstop);
        Conn *next;
        for (Conn *c = io->conns; c; c = next) {
            next = c->next;
            if (c->busy) {
                sess_cancel(c->sess);
                continue;
            }
            if (c->closing)
                continue;
            sess_fatal(c->sess, SL_E_ADMIN_SHUTDOWN, "terminating connection due to administrator command");
            conn_close_after_flush(c);
        }
        if (!io->conns)
            event_base_loopexit(io->base, NULL);
    }
}

static void *io_main(void *arg)
{
    IoThread *io = arg;
    event_base_loop(io->base, EVLOOP_NO_EXIT_ON_EMPTY);
    /* after the backstop: statements still running are canceled; wait
     * for them (their end arrives as io->wake), free everything else */
    for (;;) {
        Conn *next;
        bool busy = false;
        for (Conn *c = io->conns; c; c = next) {
            next = c->next;
            if (c->busy)
                busy = true;
            else
                conn_free(c);
        }
        if (!busy)
            break;
        event_base_loop(io->base, EVLOOP_ONCE);
    }
    return NULL;
}

int net_pick_io(const int *nconns, int n, int start)
{
    int best = start, least = INT_MAX;
    for (int k = 0; k < n; k++) {
        int i = (start + k) % n;
        if (nconns[i] < least) {
            least = nconns[i];
            best = i;
        }
    }
    return best;
}

/* To the I/O thread with the fewest connections (net_pick_io). */
static void handoff(Net *net, Handoff *h)
{
    int counts[64], n = net->nio < 64 ? net->nio : 64;
    for (int i = 0; i < n; i++)
        counts[i] = __atomic_load_n(&net->io[i].nconns, __ATOMIC_RELAXED);
    int best = net_pick_io(counts, n, net->next_io % n);
    IoThread *io = &net->io[best];
    net->next_io = (best + 1) % net->nio;
    __atomic_fetch_add(&io->nconns, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&io->lock);
    h->next = io->queue;
    io->queue = h;
    pthread_mutex_unlock(&io->lock);
    event_active(io->wake, EV_READ, 0);
}

/* -------------------------------------------- main thread: first packet */

typedef struct Pending {
    struct Pending *prev, *next;   /* net->pending, freed at shutdown */
    Net *net;
    struct bufferevent *bev;
    evutil_socket_t fd;
    bool is_unix;
    char peer[64];
} Pending;

static void pending_free(Pending *p, bool close_fd)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        p->net->pending = p->next;
    if (p->next)
        p->next->prev = p->prev;
    bufferevent_free(p->bev);
    if (close_fd)
        evutil_closesocket(p->fd);
    free(p);
}

static void pending_read_cb(struct bufferevent *bev, void *arg)
{
    Pending *p = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t avail = evbuffer_get_length(in);
    if (avail < 8)
        return;
    unsigned char hdr[8];
    evbuffer_copyout(in, hdr, 8);
    uint32_t len = ((uint32_t)hdr[0] << 24) | ((uint32_t)hdr[1] << 16) | ((uint32_t)hdr[2] << 8) | hdr[3];
    uint32_t code = ((uint32_t)hdr[4] << 24) | ((uint32_t)hdr[5] << 16) | ((uint32_t)hdr[6] << 8) | hdr[7];
    if (len < 8 || len > MAX_STARTUP_PACKET) {
        /* let the I/O thread answer with the FATAL error */
    } else if (avail < len) {
        return;
    } else if (code == PG_CANCEL_REQUEST) {
        if (len == 16) {
            unsigned char body[16];
            evbuffer_copyout(in, body, 16);
            int32_t pid = (int32_t)(((uint32_t)body[8] << 24) | ((uint32_t)body[9] << 16) | ((uint32_t)body[10] << 8) | body[11]);
            int32_t secret = (int32_t)(((uint32_t)body[12] << 24) | ((uint32_t)body[13] << 16) | ((uint32_t)body[14] << 8) | body[15]);
            srv_cancel(p->net->srv, pid, secret);
        }
        pending_free(p, true);
        return;
    }
    Handoff *h = sl_calloc(1, sizeof *h);
    h->fd = p->fd;
    h->is_unix = p->is_unix;
    h->nbytes = avail;
    h->bytes = sl_malloc(avail);
    evbuffer_remove(in, h->bytes, avail);
    snprintf(h->peer, sizeof h->peer, "%s", p->peer);
    Net *net = p->net;
    pending_free(p, false);
    handoff(net, h);
}

static void pending_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    (void)what;
    pending_free(arg, true);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int socklen, void *arg)
{
    Net *net = arg;
    (void)l;
    (void)socklen;
    Pending *p = sl_calloc(1, sizeof *p);
    p->net = net;
    p->next = net->pending;
    if (net->pending)
        net->pending->prev = p;
    net->pending = p;
    p->fd = fd;
    p->is_unix = sa->sa_family == AF_UNIX;
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)sa;
        char ip[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(p->peer, sizeof p->peer, "%s:%d", ip, ntohs(in->sin_port));
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } else {
        snprintf(p->peer, sizeof p->peer, "[local]");
    }
    evutil_make_socket_nonblocking(fd);
    p->bev = bufferevent_socket_new(net->base, fd, 0);
    bufferevent_setcb(p->bev, pending_read_cb, NULL, pending_event_cb, p);
    struct timeval tmo = {60, 0};
    bufferevent_set_timeouts(p->bev, &tmo, NULL);
    bufferevent_enable(p->bev, EV_READ);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    (void)l;
    (void)arg;
    sl_warn("accept failed: %s", evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
    Server *srv = arg;
    (void)fd;
    (void)what;
    if (srv->tick)
        srv->tick(srv->tick_arg);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    Net *net = arg;
    (void)what;
    sl_info("received signal %d: shutting down", (int)sig);
    event_base_loopbreak(net->base);
}

/* ------------------------------------------------------------------ TLS */

static SSL_CTX *make_ssl_ctx(const char *cert, const char *key, SlError *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        goto error;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        sl_error(err, SL_E_IO_ERROR, "could not load TLS certificate file \"%s\"", cert);
        goto error;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
        sl_error(err, SL_E_IO_ERROR, "could not load TLS private key file \"%s\"", key);
        goto error;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        sl_error(err, SL_E_IO_ERROR, "TLS private key \"%s\" does not match certificate \"%s\"", key, cert);
        goto error;
    }
    return ctx;
error:
    if (err && err->code == SL_E_OK)
        sl_error(err, SL_E_INTERNAL_ERROR, "could not create TLS context");
    unsigned long e = ERR_get_error();
    if (e) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        sl_error_detail(err, "%s", buf);
    }
    if (ctx)
        SSL_CTX_free(ctx);
    return NULL;
}

/* ----------------------------------------------------------------- run */

int net_run(Server *srv, SlError *err)
{
    Net net;
    memset(&net, 0, sizeof net);
    net.srv = srv;
    the_net = &net;
    evthread_use_pthreads();
    signal(SIGPIPE, SIG_IGN);

    const char *cert = sl_settings_get(srv->settings, "tls_cert");
    const char *key = sl_settings_get(srv->settings, "tls_key");
    if (*cert || *key) {
        if (!*cert || !*key)
            return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "--tls-cert and --tls-key go together");
        net.ssl_ctx = make_ssl_ctx(cert, key, err);
        if (!net.ssl_ctx)
            return -1;
    } else if (sl_settings_get_bool(srv->settings, "tls_required")) {
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "--tls-required needs --tls-cert and --tls-key");
    }

    net.base = event_base_new();
    int port = (int)sl_settings_get_int(srv->settings, "port");
    const char *listen_addr = sl_settings_get(srv->settings, "listen");
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, listen_addr, &sin.sin_addr) != 1) {
        event_base_free(net.base);
        return sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "invalid listen address \"%s\" (an IPv4 address)", listen_addr);
    }
    struct evconnlistener *tcp = evconnlistener_new_bind(net.base, accept_cb, &net,
                                                         LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
                                                         (struct sockaddr *)&sin, sizeof sin);
    if (!tcp) {
        event_base_free(net.base);
        return sl_error(err, SL_E_IO_ERROR, "could not listen on %s:%d: %s", listen_addr, port, strerror(errno));
    }
    evconnlistener_set_error_cb(tcp, accept_error_cb);

    /* the Unix socket in the data directory */
    struct evconnlistener *ux = NULL;
    const char *dir = sl_settings_get(srv->settings, "data_dir");
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    int n = snprintf(sun.sun_path, sizeof sun.sun_path, "%s/.s.PGSQL.%d", dir, port);
    if (n > 0 && (size_t)n < sizeof sun.sun_path) {
        unlink(sun.sun_path);
        ux = evconnlistener_new_bind(net.base, accept_cb, &net, LEV_OPT_CLOSE_ON_FREE, 128,
                                     (struct sockaddr *)&sun, sizeof sun);
        if (ux) {
            chmod(sun.sun_path, 0777);
            snprintf(net.unix_path, sizeof net.unix_path, "%s", sun.sun_path);
        } else {
            sl_warn("could not listen on Unix socket %s: %s", sun.sun_path, strerror(errno));
        }
    } else {
        sl_warn("data directory path too long for a Unix socket; TCP only");
    }

    pthread_mutex_init(&net.pool.lock, NULL);
    pthread_cond_init(&net.pool.cond, NULL);
    net.nio = (int)sl_settings_get_int(srv->settings, "io_threads");
    net.io = sl_calloc((size_t)net.nio, sizeof(IoThread));
    for (int i = 0; i < net.nio; i++) {
        IoThread *io = &net.io[i];
        io->srv = srv;
        io->base = event_base_new();
        pthread_mutex_init(&io->lock, NULL);
        io->wake = event_new(io->base, -1, EV_PERSIST | EV_READ, io_wake_cb, io);
        event_add(io->wake, NULL);
        pthread_create(&io->thread, NULL, io_main, io);
    }
    struct event *sigint = evsignal_new(net.base, SIGINT, signal_cb, &net);
    struct event *sigterm = evsignal_new(net.base, SIGTERM, signal_cb, &net);
    event_add(sigint, NULL);
    event_add(sigterm, NULL);
    struct event *tick = event_new(net.base, -1, EV_PERSIST, tick_cb, srv);
    struct timeval two = {2, 0};
    event_add(tick, &two);

    sl_info("sluiced %s listening on %s:%d%s%s%s", SL_VERSION_STRING, listen_addr, port,
            net.unix_path[0] ? " and " : "", net.unix_path, net.ssl_ctx ? " (TLS available)" : "");
    fflush(stderr);
    event_base_dispatch(net.base);

    /* shutdown: stop accepting, tell the I/O threads, join them */
    evconnlistener_free(tcp);
    while (net.pending)
        pending_free(net.pending, true);
    if (ux) {
        evconnlistener_free(ux);
        unlink(net.unix_path);
    }
    for (int i = 0; i < net.nio; i++) {
        IoThread *io = &net.io[i];
        pthread_mutex_lock(&io->lock);
        io->stopping = true;
        pthread_mutex_unlock(&io->lock);
        event_active(io->wake, EV_READ, 0);
    }
    for (int i = 0; i < net.nio; i++) {
        IoThread *io = &net.io[i];
        pthread_join(io->thread, NULL);
        event_free(io->wake);
        event_base_free(io->base);
        pthread_mutex_destroy(&io->lock);
        free(io->copy_buf);
    }
    free(net.io);
    pool_stop(&net.pool);
    event_free(sigint);
    event_free(sigterm);
    event_free(tick);
    event_base_free(net.base);
    if (net.ssl_ctx)
        SSL_CTX_free(net.ssl_ctx);
    the_net = NULL;
    return 0;
}
