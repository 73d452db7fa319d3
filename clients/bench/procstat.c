/*
 * procstat.c — what /proc says about a server process on this machine: its
 * CPU time (all threads), its peak resident set, and which process listens
 * on a TCP port.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double proc_cpu_seconds(pid_t pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* the command may hold spaces and parentheses: fields start after the last ')' */
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    p++;
    /* after ')': state(3) ... utime is field 14, stime 15 */
    unsigned long long utime = 0, stime = 0;
    int field = 2;
    char *save = NULL;
    for (char *tok = strtok_r(p, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        field++;
        if (field == 14)
            utime = strtoull(tok, NULL, 10);
        else if (field == 15) {
            stime = strtoull(tok, NULL, 10);
            break;
        }
    }
    if (field < 15)
        return -1;
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static long status_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kb = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            kb = strtol(line + kl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

long proc_peak_rss_kb(pid_t pid)
{
    return status_kb(pid, "VmHWM");
}

long proc_rss_kb(pid_t pid)
{
    return status_kb(pid, "VmRSS");
}

bool proc_reset_peak_rss(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)pid);
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return false;
    bool ok = write(fd, "5", 1) == 1;
    close(fd);
    return ok;
}

/* the inode of a socket listening on the port, from /proc/net/tcp{,6} */
static unsigned long listen_inode(const char *table, int port)
{
    FILE *f = fopen(table, "r");
    if (!f)
        return 0;
    char line[512];
    unsigned long found = 0;
    if (!fgets(line, sizeof line, f)) {   /* header */
        fclose(f);
        return 0;
    }
    while (!found && fgets(line, sizeof line, f)) {
        char local[128], remote[128];
        unsigned st;
        unsigned long inode;
        /* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
        if (sscanf(line, "%*s %127s %127s %x %*s %*s %*s %*s %*s %lu", local, remote, &st,
                   &inode) != 4)
            continue;
        char *colon = strrchr(local, ':');
        if (!colon || st != 0x0A)   /* TCP_LISTEN */
            continue;
        if ((int)strtol(colon + 1, NULL, 16) == port)
            found = inode;
    }
    fclose(f);
    return found;
}

pid_t proc_pid_listening_on(int port)
{
    unsigned long inode = listen_inode("/proc/net/tcp", port);
    if (!inode)
        inode = listen_inode("/proc/net/tcp6", port);
    if (!inode)
        return 0;
    char want[64];
    snprintf(want, sizeof want, "socket:[%lu]", inode);
    DIR *proc = opendir("/proc");
    if (!proc)
        return 0;
    pid_t pid = 0;
    struct dirent *de;
    while (!pid && (de = readdir(proc))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        char fddir[300];
        snprintf(fddir, sizeof fddir, "/proc/%s/fd", de->d_name);
        DIR *fds = opendir(fddir);
        if (!fds)
            continue;
        struct dirent *fe;
        while ((fe = readdir(fds))) {
            char link[600], target[128];
            snprintf(link, sizeof link, "%s/%s", fddir, fe->d_name);
            ssize_t n = readlink(link, target, sizeof target - 1);
            if (n <= 0)
                continue;
            target[n] = '\0';
            if (strcmp(target, want) == 0) {
                pid = (pid_t)atoi(de->d_name);
                break;
            }
        }
        closedir(fds);
    }
    closedir(proc);
    return pid;
}

/* the parent pid of a process (field 4 of /proc/<pid>/stat), 0 on error */
static pid_t proc_ppid(const char *pid)
{
    char path[300], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    int ppid = 0;
    if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
        return 0;
    return (pid_t)ppid;
}

double proc_tree_cpu_seconds(pid_t pid)
{
    double total = proc_cpu_seconds(pid);
    if (total < 0)
        return -1;
    DIR *proc = opendir("/proc");
    if (!proc)
        return total;
    struct dirent *de;
    while ((de = readdir(proc))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        if (proc_ppid(de->d_name) == pid) {
            double c = proc_cpu_seconds((pid_t)atoi(de->d_name));
            if (c > 0)
                total += c;
        }
    }
    closedir(proc);
    return total;
}
