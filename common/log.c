/*
 * log.c — leveled logging to stderr, one line per call, thread safe.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "sl_common.h"

static int current_level = SL_LOG_INFO; /* read and written atomically */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const level_names[] = {"debug", "info", "warning", "error", "fatal"};

void sl_log_set_level(SlLogLevel level)
{
    __atomic_store_n(&current_level, (int)level, __ATOMIC_RELAXED);
}

SlLogLevel sl_log_get_level(void)
{
    return (SlLogLevel)__atomic_load_n(&current_level, __ATOMIC_RELAXED);
}

int sl_log_level_parse(const char *name, SlLogLevel *out)
{
    for (int i = 0; i <= SL_LOG_FATAL; i++) {
        if (!strcasecmp(name, level_names[i])) {
            *out = (SlLogLevel)i;
            return 0;
        }
    }
    return -1;
}

void sl_log(SlLogLevel level, const char *fmt, ...)
{
    if ((int)level < __atomic_load_n(&current_level, __ATOMIC_RELAXED))
        return;
    if ((unsigned)level > SL_LOG_FATAL)
        level = SL_LOG_FATAL;
    struct timeval tv;
    struct tm tm;
    char line[2048];
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC [%s] ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000),
                     level_names[level]);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof line)
        vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&log_lock);
    fputs(line, stderr);
    fputc('\n', stderr);
    fflush(stderr);
    pthread_mutex_unlock(&log_lock);
}
