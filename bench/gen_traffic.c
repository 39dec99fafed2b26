/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen-traffic: writes realistic synthetic communication detail records
 * (NDJSON or CSV) for tests, demos and benchmarks. Deterministic for a
 * seed: destination i is always +447700<i> / user<i>@example.net.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long rng_state;

static unsigned long long next(void)
{
    /* splitmix64: small, good enough, reproducible */
    unsigned long long z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void imei_for(unsigned long n, char out[16])
{
    snprintf(out, 16, "35%012lu", n % 1000000000000UL);
    int sum = 0;
    for (int i = 0; i < 14; i++) {
        int d = out[13 - i] - '0';
        if (i % 2 == 0) {
            d *= 2;
            if (d > 9)
                d -= 9;
        }
        sum += d;
    }
    out[14] = (char)('0' + (10 - sum % 10) % 10);
    out[15] = '\0';
}

static void usage(FILE *f)
{
    fprintf(f, "usage: gen-traffic [--accounts N] [--destinations N] "
               "[--start YYYY-MM-DD] [--days N] [--per-day N] [--seed N] "
               "[--format ndjson|csv] [--countries GB,DE,...]\n");
}

int main(int argc, char **argv)
{
    long accounts = 5, dests = 1000, days = 30, per_day = 100;
    unsigned long long seed = 1;
    const char *start = "2025-01-01", *format = "ndjson",
               *countries = "GB,DE,FR,HR,US";
    static const struct option opts[] = {
        {"accounts", required_argument, NULL, 'a'},
        {"destinations", required_argument, NULL, 'd'},
        {"start", required_argument, NULL, 's'},
        {"days", required_argument, NULL, 'n'},
        {"per-day", required_argument, NULL, 'p'},
        {"seed", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"countries", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'a': accounts = atol(optarg); break;
        case 'd': dests = atol(optarg); break;
        case 's': start = optarg; break;
        case 'n': days = atol(optarg); break;
        case 'p': per_day = atol(optarg); break;
        case 'r': seed = strtoull(optarg, NULL, 10); break;
        case 'f': format = optarg; break;
        case 'c': countries = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (strlen(start) != 10 || !strptime(start, "%Y-%m-%d", &tm) ||
        accounts < 1 || dests < 1 || days < 0 || per_day < 0) {
        usage(stderr);
        return 2;
    }
    time_t t0 = timegm(&tm);
    char cc[16][3];
    int ncc = 0;
    for (const char *p = countries; *p && ncc < 16; p += 2) {
        snprintf(cc[ncc++], 3, "%.2s", p);
        if (p[2] != ',')
            break;
        p++;
    }
    rng_state = seed;
    int csv = strcmp(format, "csv") == 0;
    if (csv)
        puts("id,account,channel,time,sender,destination,country,imsi,imei,"
             "duration,operator,route,price,currency");
    static const char *const channels[] = {"sms",   "sms",   "sms",     "email",
                                           "voice", "viber", "whatsapp"};
    static const char *const operators[] = {"OperatorA", "OperatorB",
                                            "OperatorC"};
    long n = 0;
    for (long d = 0; d < days; d++) {
        for (long k = 0; k < per_day; k++, n++) {
            unsigned long long r = next();
            long dest = (long)(r % (unsigned long long)dests);
            long acc = (long)((r >> 20) % (unsigned long long)accounts);
            const char *ch = channels[(r >> 32) % 7];
            time_t at = t0 + d * 86400 + (time_t)((r >> 40) % 86400);
            struct tm g;
            gmtime_r(&at, &g);
            char when[32], dst[64], imsi[20] = "", imei[16] = "";
            strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &g);
            const char *country = cc[dest % ncc];
            int email = strcmp(ch, "email") == 0;
            if (email) {
                snprintf(dst, sizeof(dst), "user%ld@example.net", dest);
            } else {
                snprintf(dst, sizeof(dst), "+447700%06ld", dest % 1000000);
                snprintf(imsi, sizeof(imsi), "23415%010ld", dest);
            }
            long duration = 0;
            if (strcmp(ch, "voice") == 0) {
                imei_for((unsigned long)dest, imei);
                duration = (long)((r >> 8) % 900);
            }
            const char *op = operators[(r >> 12) % 3];
            double price = (double)((r >> 16) % 900 + 100) / 10000.0;
            if (csv)
                printf("cdr-%ld,ACC-%ld,%s,%s,Sender%ld,%s,%s,%s,%s,%ld,%s,"
                       "route-%llu,%.4f,EUR\n",
                       n, acc, ch, when, acc, dst, country, imsi, imei,
                       duration, op, (r >> 24) % 20, price);
            else
                printf("{\"id\":\"cdr-%ld\",\"account\":\"ACC-%ld\","
                       "\"channel\":\"%s\",\"time\":\"%s\",\"sender\":"
                       "\"Sender%ld\",\"destination\":\"%s\",\"country\":"
                       "\"%s\"%s%s%s%s%s%s,\"duration\":%ld,\"operator\":"
                       "\"%s\",\"route\":\"route-%llu\",\"price\":\"%.4f\","
                       "\"currency\":\"EUR\"}\n",
                       n, acc, ch, when, acc, dst, country,
                       imsi[0] ? ",\"imsi\":\"" : "", imsi, imsi[0] ? "\"" : "",
                       imei[0] ? ",\"imei\":\"" : "", imei, imei[0] ? "\"" : "",
                       duration, op, (r >> 24) % 20, price);
        }
    }
    return ferror(stdout) ? 1 : 0;
}
