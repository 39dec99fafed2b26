/* SPDX-License-Identifier: Apache-2.0 */
/* The pages under --web: the privacy centre, the console and their static
 * files; nothing outside those folders, no path with "..". */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stewardd.h"

const char *ctype_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    static const struct {
        const char *ext, *type;
    } types[] = {{".html", "text/html; charset=utf-8"},
                 {".css", "text/css; charset=utf-8"},
                 {".js", "text/javascript; charset=utf-8"},
                 {".svg", "image/svg+xml"},
                 {".png", "image/png"},
                 {".json", "application/json"},
                 {".yaml", "application/yaml"}};
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/* The file under web_dir a page path names, or -1. */
static int static_file(server *srv, const char *url, char *file, size_t n,
                       off_t *size)
{
    if (!srv->o.web_dir || strstr(url, "..") || strchr(url, '\\'))
        return -1;
    static const char *const roots[] = {"/privacy", "/console", "/static"};
    bool ok = strcmp(url, "/") == 0;
    for (size_t i = 0; i < 3; i++) {
        size_t l = strlen(roots[i]);
        if (strncmp(url, roots[i], l) == 0 && (url[l] == '/' || !url[l]))
            ok = true;
    }
    if (!ok)
        return -1;
    const char *rel = strcmp(url, "/") == 0 ? "/privacy/" : url;
    size_t rl = strlen(rel);
    int w = snprintf(file, n, "%s%s%s", srv->o.web_dir, rel,
                     rel[rl - 1] == '/' ? "index.html" : "");
    if (w < 0 || (size_t)w >= n)
        return -1;
    struct stat sb;
    if (stat(file, &sb) != 0)
        return -1;
    if (S_ISDIR(sb.st_mode)) {
        size_t fl = strlen(file);
        if (fl + 12 >= n)
            return -1;
        memcpy(file + fl, "/index.html", 12);
        if (stat(file, &sb) != 0)
            return -1;
    } else if (!strchr(strrchr(file, '/'), '.')) {
        return -1;
    }
    /* /privacy/unsubscribe and the like: a page of the same name */
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0)
        *size = sb.st_size;
    return fd;
}

int page_of(server *srv, const char *url, char *file, size_t n, off_t *size)
{
    int fd = static_file(srv, url, file, n, size);
    if (fd >= 0 || strchr(url + 1, '.'))
        return fd;
    char alt[600]; /* "/privacy/unsubscribe" -> ".../unsubscribe.html" */
    snprintf(alt, sizeof(alt), "%s.html", url);
    return static_file(srv, alt, file, n, size);
}
