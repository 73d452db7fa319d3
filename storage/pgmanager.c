/*
 * pgmanager.c — the private PostgreSQL cluster inside sluiced's data
 * directory.
 *
 *   DIR/pg/            owned by the cluster's user, 0700
 *   DIR/pg/data/       the cluster (initdb on first start)
 *   DIR/pg/server.log  PostgreSQL's log; DIR/pg/initdb.log: initdb/pg_ctl
 *   socket             DIR/pg/.s.PGSQL.5432, or /tmp/sluice-<hash>/ when
 *                      DIR's path is too long for sun_path (107 bytes)
 *
 * Unix socket only (listen_addresses = ''), trust on it, UTF8, locale C,
 * fsync on, small shared_buffers. PostgreSQL refuses to run as root: as
 * root the cluster belongs to and runs as an unprivileged user (`sluice`,
 * created by scripts/deps.sh; else `postgres`, else `nobody`); children
 * drop privileges between fork and exec.
 *
 * Health: the postmaster's pid (postmaster.pid, checked in /proc, a
 * zombie counts as dead) and PQping. A postmaster that is gone is started
 * again; PostgreSQL itself refuses to start while old backends still hold
 * its shared memory, so the start is retried for a few seconds.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sl_storage.h"

#ifndef SL_PG_BINDIR
#define SL_PG_BINDIR ""
#endif

#define SUN_PATH_MAX 107
#define PG_PORT 5432

struct StPg {
    char dir[PATH_MAX];     /* DIR/pg */
    char data[PATH_MAX];    /* DIR/pg/data */
    char sockdir[PATH_MAX];
    char bindir[PATH_MAX];
    char runlog[PATH_MAX];  /* initdb and pg_ctl output */
    char conninfo[PATH_MAX + 128];
    char user[64];
    uid_t uid;
    gid_t gid;
    bool drop_privileges;
};

/* Runs argv (as the cluster's user), output appended to pg->runlog;
 * returns the exit status, or -1. Only async-signal-safe calls between
 * fork and exec: sluiced has threads. */
static int run(StPg *pg, char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(pg->runlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        if (pg->drop_privileges) {
            if (setgroups(0, NULL) < 0 || setgid(pg->gid) < 0 || setuid(pg->uid) < 0)
                _exit(126);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Is pid a live (not zombie) process named postgres? */
static bool is_live_postgres(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *open_p = strchr(buf, '('), *close_p = strrchr(buf, ')');
    if (!open_p || !close_p || close_p[1] != ' ')
        return false;
    *close_p = '\0';
    char state = close_p[2];
    return state != 'Z' && state != 'X' && !strcmp(open_p + 1, "postgres");
}

/* The pid recorded in a lock file's first line, 0 if none. */
static pid_t lockfile_pid(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    long pid = 0;
    if (fscanf(f, "%ld", &pid) != 1)
        pid = 0;
    fclose(f);
    return pid > 0 ? (pid_t)pid : 0;
}

int st_pg_postmaster_pid(const StPg *pg)
{
    char pidfile[PATH_MAX + 32];
    snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", pg->data);
    pid_t pid = lockfile_pid(pidfile);
    return pid && is_live_postgres(pid) ? (int)pid : 0;
}

/* A lock file naming a pid that is alive but not PostgreSQL (the pid was
 * reused after a crash) would stop PostgreSQL from starting: remove it.
 * A dead pid is left for PostgreSQL, which checks its shared memory. */
static void clear_stale_lock(const char *path)
{
    pid_t pid = lockfile_pid(path);
    if (!pid || is_live_postgres(pid))
        return;
    if (kill(pid, 0) == 0 || errno == EPERM) {
        sl_warn("private PostgreSQL: %s names pid %d, which is no running PostgreSQL (gone, or the pid was reused): removing the stale lock file",
                path, (int)pid);
        unlink(path);
    } else {
        sl_info("private PostgreSQL: %s is stale (pid %d is gone); PostgreSQL will replace it", path, (int)pid);
    }
}

static bool answers(const StPg *pg)
{
    PGPing p = PQping(pg->conninfo);
    return p == PQPING_OK;
}

static int pg_start_cluster(StPg *pg, SlError *err)
{
    char pgctl[PATH_MAX + 16], logfile[PATH_MAX + 16], opts[PATH_MAX + 128], lock[PATH_MAX + 32];
    snprintf(pgctl, sizeof pgctl, "%s/pg_ctl", pg->bindir);
    snprintf(logfile, sizeof logfile, "%s/server.log", pg->dir);
    snprintf(opts, sizeof opts, "-k '%s' -p %d -c listen_addresses=''", pg->sockdir, PG_PORT);
    snprintf(lock, sizeof lock, "%s/postmaster.pid", pg->data);
    clear_stale_lock(lock);
    snprintf(lock, sizeof lock, "%s/.s.PGSQL.%d.lock", pg->sockdir, PG_PORT);
    clear_stale_lock(lock);
    char *argv[] = {pgctl, "-D", pg->data, "-l", logfile, "-o", opts, "-w", "-t", "60", "start", NULL};
    /* after a crash, old backends may hold the shared memory a little
     * while: PostgreSQL refuses to start until they are gone */
    for (int attempt = 0; attempt < 20; attempt++) {
        sl_info("private PostgreSQL: starting (%s start -D %s)%s", pgctl, pg->data,
                pg->drop_privileges ? " as an unprivileged user" : "");
        if (run(pg, argv) == 0) {
            for (int i = 0; i < 100 && !answers(pg); i++)
                sleep_ms(100);
            if (answers(pg)) {
                sl_info("private PostgreSQL: running (pid %d), socket in %s", st_pg_postmaster_pid(pg),
                        pg->sockdir);
                return 0;
            }
        }
        sleep_ms(500);
    }
    return sl_error(err, SL_E_CONNECTION_FAILURE, "could not start the private PostgreSQL in %s (see %s and %s)",
                    pg->data, logfile, pg->runlog);
}

/* As root: the user the cluster runs as. */
static int pick_user(StPg *pg, SlError *err)
{
    const char *users[] = {"sluice", "postgres", "nobody"};
    struct passwd *pw = NULL;
    for (size_t i = 0; i < 3 && !pw; i++) {
        pw = getpwnam(users[i]);
        if (!pw && i == 0)
            sl_warn("private PostgreSQL: no user \"sluice\" (scripts/deps.sh creates it); trying another");
    }
    if (!pw)
        return sl_error(err, SL_E_INVALID_AUTHORIZATION,
                        "running as root and no unprivileged user for PostgreSQL (create one named sluice)");
    pg->uid = pw->pw_uid;
    pg->gid = pw->pw_gid;
    snprintf(pg->user, sizeof pg->user, "%s", pw->pw_name);
    pg->drop_privileges = true;
    sl_info("private PostgreSQL: running as root, so the cluster runs as user \"%s\" (uid %d)", pg->user,
            (int)pg->uid);
    return 0;
}

/* The cluster's user must be able to walk down to DIR/pg: add o+x to the
 * data directory and to any ancestor that lacks it. */
static void make_traversable(const StPg *pg, const char *abs)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s", abs);
    for (;;) {
        struct stat st;
        if (stat(path, &st) == 0 && !(st.st_mode & S_IXOTH) && st.st_uid != pg->uid) {
            sl_info("private PostgreSQL: adding o+x to %s so user \"%s\" can reach the cluster", path, pg->user);
            if (chmod(path, (st.st_mode & 07777) | S_IXOTH) < 0)
                sl_warn("could not chmod %s: %s", path, strerror(errno));
        }
        char *slash = strrchr(path, '/');
        if (!slash || slash == path)
            break;
        *slash = '\0';
    }
}

static int own(const StPg *pg, const char *path, SlError *err)
{
    if (pg->drop_privileges && chown(path, pg->uid, pg->gid) < 0)
        return sl_error(err, SL_E_IO_ERROR, "could not give %s to user \"%s\": %s", path, pg->user, strerror(errno));
    return 0;
}

static int pick_socket_dir(StPg *pg, SlError *err)
{
    char sock[PATH_MAX + 32];
    snprintf(sock, sizeof sock, "%s/.s.PGSQL.%d", pg->dir, PG_PORT);
    if (strlen(sock) <= SUN_PATH_MAX && !strchr(pg->dir, '\'') && !strchr(pg->dir, ' ')) {
        snprintf(pg->sockdir, sizeof pg->sockdir, "%s", pg->dir);
        return 0;
    }
    /* too long for sun_path: a short directory named by the path's hash */
    snprintf(pg->sockdir, sizeof pg->sockdir, "/tmp/sluice-%016llx",
             (unsigned long long)sl_hash_bytes(pg->dir, strlen(pg->dir), 0x51u));
    sl_info("private PostgreSQL: the data directory's path is too long for a Unix socket; socket in %s",
            pg->sockdir);
    if (mkdir(pg->sockdir, 0700) < 0 && errno != EEXIST)
        return sl_error(err, SL_E_IO_ERROR, "could not create %s: %s", pg->sockdir, strerror(errno));
    struct stat st;
    if (lstat(pg->sockdir, &st) < 0 || !S_ISDIR(st.st_mode) ||
        (st.st_uid != 0 && st.st_uid != (pg->drop_privileges ? pg->uid : geteuid())))
        return sl_error(err, SL_E_IO_ERROR, "%s is not a directory of ours", pg->sockdir);
    return own(pg, pg->sockdir, err);
}

static int initdb(StPg *pg, SlError *err)
{
    char prog[PATH_MAX + 16];
    snprintf(prog, sizeof prog, "%s/initdb", pg->bindir);
    sl_info("private PostgreSQL: initializing a new cluster in %s (user sluice, trust on the Unix socket only, "
            "UTF8, locale C)", pg->data);
    char *argv[] = {prog, "-D", pg->data, "--auth-local=trust", "--auth-host=reject", "-U", "sluice", "-E", "UTF8",
                    "--locale=C", NULL};
    if (run(pg, argv) != 0)
        return sl_error(err, SL_E_IO_ERROR, "initdb of the private PostgreSQL failed (see %s)", pg->runlog);
    char conf[PATH_MAX + 32];
    snprintf(conf, sizeof conf, "%s/postgresql.conf", pg->data);
    FILE *f = fopen(conf, "a");
    if (!f)
        return sl_error(err, SL_E_IO_ERROR, "could not open %s: %s", conf, strerror(errno));
    fprintf(f, "\n# added by sluiced: a private cluster for its state\n"
               "listen_addresses = ''\n"
               "fsync = on\n"
               "shared_buffers = 32MB\n"
               "max_connections = 50\n"
               "logging_collector = off\n");
    fclose(f);
    return 0;
}

StPg *st_pg_start(const char *data_dir, const char *bindir, SlError *err)
{
    if (!bindir || !*bindir)
        bindir = SL_PG_BINDIR;
    if (!*bindir) {
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "no PostgreSQL binaries: set --pg-bindir, or use --state");
        return NULL;
    }
    StPg *pg = sl_calloc(1, sizeof *pg);
    char abs[PATH_MAX];
    if (!realpath(data_dir, abs) || strlen(abs) + 32 >= sizeof pg->dir) {
        sl_error(err, SL_E_IO_ERROR, "data directory \"%s\": %s", data_dir, strerror(errno ? errno : ENAMETOOLONG));
        free(pg);
        return NULL;
    }
    snprintf(pg->dir, sizeof pg->dir, "%s/pg", abs);
    snprintf(pg->data, sizeof pg->data, "%s/pg/data", abs);
    snprintf(pg->runlog, sizeof pg->runlog, "%s/pg/initdb.log", abs);
    snprintf(pg->bindir, sizeof pg->bindir, "%s", bindir);
    if (geteuid() == 0) {
        if (pick_user(pg, err) < 0)
            goto fail;
        make_traversable(pg, abs);
    }
    if (mkdir(pg->dir, 0700) < 0 && errno != EEXIST) {
        sl_error(err, SL_E_IO_ERROR, "could not create %s: %s", pg->dir, strerror(errno));
        goto fail;
    }
    if (own(pg, pg->dir, err) < 0)
        goto fail;
    int fd = open(pg->runlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (pg->drop_privileges && fchown(fd, pg->uid, pg->gid) < 0)
            sl_warn("could not chown %s", pg->runlog);
        close(fd);
    }
    if (pick_socket_dir(pg, err) < 0)
        goto fail;
    snprintf(pg->conninfo, sizeof pg->conninfo, "host=%s port=%d user=sluice dbname=postgres connect_timeout=10",
             pg->sockdir, PG_PORT);

    char version[PATH_MAX + 32];
    snprintf(version, sizeof version, "%s/PG_VERSION", pg->data);
    if (access(version, F_OK) != 0 && initdb(pg, err) < 0)
        goto fail;
    if (st_pg_postmaster_pid(pg) && answers(pg)) {
        sl_info("private PostgreSQL: already running (pid %d)", st_pg_postmaster_pid(pg));
        return pg;
    }
    if (st_pg_ensure_running(pg, err) < 0)
        goto fail;
    return pg;
fail:
    free(pg);
    return NULL;
}

const char *st_pg_conninfo(const StPg *pg)
{
    return pg->conninfo;
}

int st_pg_ensure_running(StPg *pg, SlError *err)
{
    if (st_pg_postmaster_pid(pg)) {
        /* alive; it may be restarting its backends after a crash of
         * one of them: give it time rather than starting another */
        for (int i = 0; i < 100; i++) {
            if (answers(pg))
                return 0;
            if (!st_pg_postmaster_pid(pg))
                break;
            sleep_ms(100);
        }
        if (st_pg_postmaster_pid(pg))
            return sl_error(err, SL_E_CONNECTION_FAILURE, "the private PostgreSQL (pid %d) does not answer",
                            st_pg_postmaster_pid(pg));
    }
    if (access(pg->data, F_OK) == 0) {
        char pidfile[PATH_MAX + 32];
        snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", pg->data);
        if (access(pidfile, F_OK) == 0)
            sl_warn("the private PostgreSQL is down (its postmaster is gone: a crash or a kill): starting it again");
    }
    return pg_start_cluster(pg, err);
}

void st_pg_stop(StPg *pg)
{
    if (!pg)
        return;
    if (st_pg_postmaster_pid(pg)) {
        char pgctl[PATH_MAX + 16];
        snprintf(pgctl, sizeof pgctl, "%s/pg_ctl", pg->bindir);
        char *argv[] = {pgctl, "-D", pg->data, "-m", "fast", "-w", "-t", "60", "stop", NULL};
        sl_info("private PostgreSQL: stopping (fast)");
        if (run(pg, argv) != 0)
            sl_warn("could not stop the private PostgreSQL cleanly (see %s)", pg->runlog);
    }
    free(pg);
}
