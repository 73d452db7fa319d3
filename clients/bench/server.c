/*
 * server.c — a sluiced that sluice-bench starts itself (--sluiced PATH
 * --data DIR): on a free port, with its own data directory, its output in
 * a log file, so that the recovery mode can kill -9 it and time the
 * restart from exec until the server answers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* a TCP port nobody listens on now (the kernel's pick for port 0) */
static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static void sleep_s(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

bool server_init(BenchServer *s, const char *path, const char *data, const char *extra_args)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->data = data;
    s->extra = extra_args;
    if (mkdir(data, 0700) < 0 && errno != EEXIST) {
        fprintf(stderr, "sluice-bench: cannot create %s: %s\n", data, strerror(errno));
        return false;
    }
    snprintf(s->log_path, sizeof s->log_path, "%s/sluiced-bench.log", data);
    s->port = free_port();
    if (s->port <= 0) {
        fprintf(stderr, "sluice-bench: no free TCP port\n");
        return false;
    }
    snprintf(s->conninfo, sizeof s->conninfo, "host=127.0.0.1 port=%d user=bench dbname=sluice",
             s->port);
    return true;
}

/* true once SELECT 1 answers on a new connection */
static bool answers(const BenchServer *s)
{
    PGconn *c = PQconnectdb(s->conninfo);
    bool ok = false;
    if (PQstatus(c) == CONNECTION_OK) {
        PGresult *r = PQexec(c, "SELECT 1");
        ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 &&
             strcmp(PQgetvalue(r, 0, 0), "1") == 0;
        PQclear(r);
    }
    PQfinish(c);
    return ok;
}

bool server_start(BenchServer *s, double timeout, double *ready_seconds)
{
    struct stat st;
    s->log_offset = stat(s->log_path, &st) == 0 ? (long)st.st_size : 0;
    char port[16];
    snprintf(port, sizeof port, "%d", s->port);
    char *argv[64];
    int argc = 0;
    argv[argc++] = (char *)s->path;
    argv[argc++] = "-D";
    argv[argc++] = (char *)s->data;
    argv[argc++] = "-p";
    argv[argc++] = port;
    char *extra = s->extra ? strdup(s->extra) : NULL, *save = NULL;
    for (char *t = extra ? strtok_r(extra, " ", &save) : NULL; t && argc < 62;
         t = strtok_r(NULL, " ", &save))
        argv[argc++] = t;
    argv[argc] = NULL;
    fflush(NULL);
    double t0 = bench_now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("sluice-bench: fork");
        free(extra);
        return false;
    }
    if (pid == 0) {
        int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) {
            dup2(nul, 0);
            close(nul);
        }
        setpgid(0, 0);   /* a ^C of sluice-bench does not reach it */
        execv(s->path, argv);
        fprintf(stderr, "sluice-bench: exec %s: %s\n", s->path, strerror(errno));
        _exit(127);
    }
    free(extra);
    s->pid = pid;
    /* poll: a refused connection costs microseconds, so 2 ms steps
     * resolve the ready time well enough */
    for (;;) {
        if (answers(s)) {
            if (ready_seconds)
                *ready_seconds = bench_now() - t0;
            return true;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            fprintf(stderr, "sluice-bench: sluiced exited during start (status %d); see %s\n", status,
                    s->log_path);
            s->pid = 0;
            return false;
        }
        if (bench_now() - t0 > timeout) {
            fprintf(stderr, "sluice-bench: sluiced did not answer within %.0f s; see %s\n", timeout,
                    s->log_path);
            return false;
        }
        sleep_s(0.002);
    }
}

bool server_kill9(BenchServer *s)
{
    if (s->pid <= 0)
        return false;
    kill(s->pid, SIGKILL);
    int status;
    bool ok = waitpid(s->pid, &status, 0) == s->pid;
    s->pid = 0;
    return ok;
}

bool server_stop(BenchServer *s, double timeout)
{
    if (s->pid <= 0)
        return true;
    kill(s->pid, SIGTERM);
    double t0 = bench_now();
    for (;;) {
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return true;
        }
        if (bench_now() - t0 > timeout) {
            fprintf(stderr, "sluice-bench: sluiced did not stop within %.0f s; killing it\n", timeout);
            return server_kill9(s);
        }
        sleep_s(0.01);
    }
}

char *server_log_since_start(const BenchServer *s)
{
    FILE *f = fopen(s->log_path, "r");
    if (!f)
        return NULL;
    if (fseek(f, s->log_offset, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 4096) {
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                buf = NULL;
            } else {
                buf = nb;
            }
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

pid_t server_pg_pid(const BenchServer *s)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/pg/data/postmaster.pid", s->data);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long pid = 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return (pid_t)pid;
}
