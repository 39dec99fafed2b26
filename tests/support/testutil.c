/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the test programs. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

const char *tu_src(const char *rel, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s", STEWARD_SOURCE_DIR, rel);
    return buf;
}

sw_instant tu_instant(const char *iso)
{
    sw_instant t = 0;
    if (sw_instant_parse(iso, &t) != SW_OK)
        fail_msg("bad instant in test: %s", iso);
    return t;
}

sw_policy *tu_bundled(void)
{
    sw_policy *p = NULL;
    sw_diags *d = sw_diags_new();
    sw_status st = sw_policy_load_bundled(d, &p);
    if (st != SW_OK) {
        char line[1400];
        for (size_t i = 0; i < sw_diags_count(d); i++)
            print_error("%s\n", sw_diag_format(sw_diags_at(d, i), line,
                                                sizeof(line)));
    }
    sw_diags_free(d);
    assert_int_equal(st, SW_OK);
    return p;
}

static char *slurp_fd(int fd)
{
    lseek(fd, 0, SEEK_SET);
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    for (;;) {
        if (len + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    close(fd);
    return buf;
}

static int temp_fd(void)
{
    char path[] = "/tmp/steward-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    return fd;
}

void tu_steward(tu_run *r, const char *const *env, ...)
{
    const char *argv[64];
    int argc = 0;
    argv[argc++] = STEWARD_BIN;
    va_list ap;
    va_start(ap, env);
    for (const char *a; (a = va_arg(ap, const char *)) && argc < 63;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    int out = temp_fd(), err = temp_fd();
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out, 1);
        dup2(err, 2);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        unsetenv("STEWARD_POLICY");
        unsetenv("STEWARD_NOW");
        for (size_t i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int st;
    assert_true(waitpid(pid, &st, 0) == pid);
    r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    r->out = slurp_fd(out);
    r->err = slurp_fd(err);
}

void tu_run_free(tu_run *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}
