/* SPDX-License-Identifier: MIT */
/*
 * The subcommands of the ksmsim command line.  Each lives in its own
 * sim/cli/cmd_<name>.c, takes the arguments after its name (argv[0] is
 * the subcommand's name) and returns the process exit status:
 * 0 success, 1 the run found a failure (a failed expect, a difference),
 * 2 bad usage or bad input.
 */
#ifndef KSMSIM_CLI_COMMANDS_H
#define KSMSIM_CLI_COMMANDS_H

enum {
	KSMSIM_EXIT_OK = 0,
	KSMSIM_EXIT_FAIL = 1,  /* the run completed and found a failure */
	KSMSIM_EXIT_USAGE = 2, /* bad flags, unreadable or malformed input */
};

int cmd_replay(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_fmt(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_explore_merge(int argc, char **argv);
int cmd_rmap(int argc, char **argv);
int cmd_dot(int argc, char **argv);
int cmd_window(int argc, char **argv);

#endif /* KSMSIM_CLI_COMMANDS_H */
