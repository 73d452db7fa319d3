/*
 * pgmanager.c — the private PostgreSQL cluster inside sluiced's data
 * directory: initdb on first start, start on a Unix socket in DIR/pg,
 * restart if found down, fast stop at shutdown. PostgreSQL refuses to run
 * as root, so as root the cluster belongs to and runs as an unprivileged
 * user (`sluice`, created by scripts/deps.sh; else `postgres` or `nobody`).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sl_storage.h"

struct StPg {
    char dir[1024];        /* DIR/pg: the cluster, its socket and its log */
    char bindir[1024];
    char conninfo[1200];
    uid_t uid;
    gid_t gid;
    bool drop_privileges;
};

/* Runs argv (as the cluster's user), output to the cluster's log; returns
 * the exit status or -1. */
static int run(StPg *pg, char *const argv[])
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char logpath[1100];
        snprintf(logpath, sizeof logpath, "%s.log", pg->dir);
        int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
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

static int pg_start_cluster(StPg *pg, SlError *err)
{
    char data[1100], opts[1400], pgctl[1100], logfile[1100];
    snprintf(data, sizeof data, "%s/data", pg->dir);
    snprintf(pgctl, sizeof pgctl, "%s/pg_ctl", pg->bindir);
    snprintf(logfile, sizeof logfile, "%s/server.log", pg->dir);
    snprintf(opts, sizeof opts, "-c listen_addresses='' -k %s -c shared_buffers=32MB -c max_connections=50", pg->dir);
    char *argv[] = {pgctl, "-D", data, "-l", logfile, "-o", opts, "-w", "-t", "60", "start", NULL};
    if (run(pg, argv) != 0)
        return sl_error(err, SL_E_CONNECTION_FAILURE,
                        "could not start the private PostgreSQL in %s (see %s)", data, logfile);
    return 0;
}

static bool pg_running(StPg *pg)
{
    char data[1100], pgctl[1100];
    snprintf(data, sizeof data, "%s/data", pg->dir);
    snprintf(pgctl, sizeof pgctl, "%s/pg_ctl", pg->bindir);
    char *argv[] = {pgctl, "-D", data, "status", NULL};
    return run(pg, argv) == 0;
}

StPg *st_pg_start(const char *data_dir, const char *bindir, SlError *err)
{
    if (!bindir || !*bindir) {
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE, "no PostgreSQL binaries: set --pg-bindir, or use --state");
        return NULL;
    }
    StPg *pg = sl_calloc(1, sizeof *pg);
    char abs[900];
    char absbuf[PATH_MAX];
    if (!realpath(data_dir, absbuf) || strlen(absbuf) >= sizeof abs) {
        sl_error(err, SL_E_IO_ERROR, "data directory \"%s\": %s", data_dir, strerror(errno ? errno : ENAMETOOLONG));
        free(pg);
        return NULL;
    }
    snprintf(abs, sizeof abs, "%s", absbuf);
    snprintf(pg->dir, sizeof pg->dir, "%s/pg", abs);
    snprintf(pg->bindir, sizeof pg->bindir, "%s", bindir);
    if (strlen(pg->dir) + 20 > 107) {
        sl_error(err, SL_E_INVALID_PARAMETER_VALUE,
                 "the data directory path is too long for PostgreSQL's Unix socket (at most about 85 characters)");
        free(pg);
        return NULL;
    }
    if (geteuid() == 0) {
        const char *users[] = {"sluice", "postgres", "nobody"};
        struct passwd *pw = NULL;
        for (size_t i = 0; i < 3 && !pw; i++)
            pw = getpwnam(users[i]);
        if (!pw) {
            sl_error(err, SL_E_INVALID_AUTHORIZATION, "running as root and no unprivileged user for PostgreSQL "
                                                       "(create one named sluice)");
            free(pg);
            return NULL;
        }
        pg->uid = pw->pw_uid;
        pg->gid = pw->pw_gid;
        pg->drop_privileges = true;
        /* the cluster's user must be able to reach DIR/pg */
        chmod(abs, 0755);
    }
    mkdir(pg->dir, 0700);
    if (pg->drop_privileges && chown(pg->dir, pg->uid, pg->gid) < 0) {
        sl_error(err, SL_E_IO_ERROR, "could not give %s to the PostgreSQL user: %s", pg->dir, strerror(errno));
        free(pg);
        return NULL;
    }
    char logpath[1100];
    snprintf(logpath, sizeof logpath, "%s.log", pg->dir);
    int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        if (pg->drop_privileges && fchown(fd, pg->uid, pg->gid) < 0)
            sl_warn("could not chown %s", logpath);
        close(fd);
    }
    char data[1100], version[1200];
    snprintf(data, sizeof data, "%s/data", pg->dir);
    snprintf(version, sizeof version, "%s/PG_VERSION", data);
    if (access(version, F_OK) != 0) {
        sl_info("initializing the private PostgreSQL in %s", data);
        char initdb[1100];
        snprintf(initdb, sizeof initdb, "%s/initdb", pg->bindir);
        char *argv[] = {initdb, "-D", data, "-A", "trust", "-U", "sluice", "-E", "UTF8", "--locale=C", "--no-sync",
                        NULL};
        if (run(pg, argv) != 0) {
            sl_error(err, SL_E_IO_ERROR, "initdb of the private PostgreSQL failed (see %s)", logpath);
            free(pg);
            return NULL;
        }
    }
    if (!pg_running(pg)) {
        char pidfile[1200];
        snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", data);
        if (access(pidfile, F_OK) == 0)
            sl_info("removing a stale postmaster.pid left by a crash");
        unlink(pidfile);
        if (pg_start_cluster(pg, err) < 0) {
            free(pg);
            return NULL;
        }
    }
    snprintf(pg->conninfo, sizeof pg->conninfo, "host=%s port=5432 user=sluice dbname=postgres", pg->dir);
    sl_info("private PostgreSQL running in %s", data);
    return pg;
}

const char *st_pg_conninfo(const StPg *pg)
{
    return pg->conninfo;
}

int st_pg_ensure_running(StPg *pg, SlError *err)
{
    if (pg_running(pg))
        return 0;
    sl_warn("the private PostgreSQL is down: starting it again");
    return pg_start_cluster(pg, err);
}

void st_pg_stop(StPg *pg)
{
    if (!pg)
        return;
    char data[1100], pgctl[1100];
    snprintf(data, sizeof data, "%s/data", pg->dir);
    snprintf(pgctl, sizeof pgctl, "%s/pg_ctl", pg->bindir);
    char *argv[] = {pgctl, "-D", data, "-m", "fast", "-w", "stop", NULL};
    if (run(pg, argv) != 0)
        sl_warn("could not stop the private PostgreSQL cleanly");
    free(pg);
}
