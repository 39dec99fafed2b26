/* SPDX-License-Identifier: Apache-2.0 */
/* One entry point per command family, dispatched from main.c. */
#ifndef STEWARD_COMMANDS_H
#define STEWARD_COMMANDS_H

#include "cli.h"

int cmd_policy(int argc, char **argv, cli *c);
int cmd_init(int argc, char **argv, cli *c);
int cmd_subject(int argc, char **argv, cli *c);
int cmd_record(int argc, char **argv, cli *c);
int cmd_event(int argc, char **argv, cli *c);
int cmd_audit(int argc, char **argv, cli *c);
int cmd_hold(int argc, char **argv, cli *c);
int cmd_sweep(int argc, char **argv, cli *c);
int cmd_retention(int argc, char **argv, cli *c);
int cmd_traffic(int argc, char **argv, cli *c);
int cmd_consent(int argc, char **argv, cli *c);
int cmd_objection(int argc, char **argv, cli *c);
int cmd_unsubscribe(int argc, char **argv, cli *c);
int cmd_suppression(int argc, char **argv, cli *c);
int cmd_check(int argc, char **argv, cli *c);
int cmd_scan(int argc, char **argv, cli *c);
int cmd_cookie(int argc, char **argv, cli *c);
int cmd_request(int argc, char **argv, cli *c);
int cmd_report(int argc, char **argv, cli *c);
int cmd_key(int argc, char **argv, cli *c);
int cmd_calendar(int argc, char **argv, cli *c);
int cmd_disclosure(int argc, char **argv, cli *c);
int cmd_system(int argc, char **argv, cli *c);

#endif
