// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim-kernel-replay's command line
 *
 * The usage text and the options (getopt_long: this is a tool of its own,
 * not a ksmsim subcommand) into a struct kr_cmdline; main.c decides what
 * they combine to (a single replay, a batch, a guest, a probe).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "kr.h"
#include "ksmsim/version.h"

void kr_usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim-kernel-replay [OPTIONS] TRACE\n"
		"       ksmsim-kernel-replay [OPTIONS] --out-dir DIR TRACE...\n"
		"       ksmsim-kernel-replay --guest baseline|lpi|BZIMAGE [OPTIONS] TRACE...\n"
		"\n"
		"Replay a ksmtrace v1 file on this machine's KSM (Linux, root) and write\n"
		"its snapshot records (JSON Lines) to stdout.\n"
		"\n"
		"  --snapshots FILE  write the records to FILE (via FILE.tmp, renamed\n"
		"                    only when the whole trace ran)\n"
		"  --out-dir DIR     replay every TRACE, one after the other; for NAME.trace\n"
		"                    write DIR/NAME.jsonl (records, when the replay ran to\n"
		"                    its end), DIR/NAME.rc (exit status), DIR/NAME.log\n"
		"                    (messages).  Exit: 0, or the first failing status\n"
		"  --guest KERNEL    replay inside a guest kernel booted under QEMU, one\n"
		"                    boot for all traces: baseline or lpi (built by\n"
		"                    tools/guest/build.sh), or a bzImage path\n"
		"  --guest-dir DIR   where build.sh keeps the kernels (default\n"
		"                    $KSMSIM_GUEST_DIR or ~/.cache/ksmsim/guest)\n"
		"  --accel tcg|kvm   QEMU accelerator (default tcg)\n"
		"  --guest-timeout S stop the guest after S seconds (default 120 + 30 a trace)\n"
		"  --console FILE    keep the guest's console log in FILE\n"
		"  --keep-going      report failed expects and go on (exit 1 at the end)\n"
		"  --wait SECONDS    wait up to SECONDS for another replay to finish\n"
		"                    (default 0: refuse at once)\n"
		"  --lock FILE       the lock file (default %s); the saved\n"
		"                    settings journal is FILE.saved\n"
		"  --no-drain        do not drain per-CPU LRU batches before ksmd batches\n"
		"                    (for experiments: merges then vary from run to run)\n"
		"  --allow-foreign   replay even though other processes have memory\n"
		"                    registered with KSM (by default the replay refuses,\n"
		"                    exit 2, naming them): ksmd is then stopped with run=0\n"
		"                    instead of run=2, so their merged pages stay merged\n"
		"                    (unless a trace's run=2, or a max_page_sharing or\n"
		"                    merge_across_nodes change, needs every page\n"
		"                    unmerged: a message says so); the records' global.*\n"
		"                    counters include their pages, procs.* stay exact\n"
		"  --list-ksm-users  only list the other processes with KSM-registered\n"
		"                    memory, as the start-up check sees them (exit 0 none,\n"
		"                    1 some)\n"
		"  --probe           only check that a replay could run here (exit 0/2);\n"
		"                    with --guest, that the guest can be booted\n"
		"  -v, --verbose     log commands and ksmd batches to stderr\n"
		"  -h, --help        this text\n"
		"\n"
		"  --version         print the version and exit\n"
		"\n"
		"Exit status: 0 ok, 1 an expect failed, 2 cannot start (also: other KSM\n"
		"users), 3 replay error (or a guest that did not finish; or another KSM\n"
		"user appeared during the replay), 128+N interrupted by signal N.\n"
		"KSM settings are restored in every case: by the replay itself, or, if it\n"
		"is killed (SIGKILL, a crash), at once by its guardian process, which also\n"
		"stops QEMU and removes the guest's job folder; if even that is killed, by\n"
		"the next replay, from the journal LOCK.saved.\n",
		KR_DEFAULT_LOCK);
}

static int parse_seconds(const char *opt, const char *arg, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (!*arg || *end || *arg == '-' || v > max) {
		fprintf(stderr, "ksmsim-kernel-replay: %s wants seconds (0..%u), got '%s'\n", opt,
			max, arg);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int kr_parse_args(int argc, char **argv, struct kr_cmdline *cl)
{
	static const struct option longopts[] = {
		{ "out-dir", required_argument, NULL, 'o' },
		{ "guest", required_argument, NULL, 'g' },
		{ "guest-dir", required_argument, NULL, 'G' },
		{ "accel", required_argument, NULL, 'a' },
		{ "guest-timeout", required_argument, NULL, 't' },
		{ "console", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "snapshots", required_argument, NULL, 's' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "wait", required_argument, NULL, 'w' },
		{ "lock", required_argument, NULL, 'l' },
		{ "no-drain", no_argument, NULL, 'n' },
		{ "probe", no_argument, NULL, 'p' },
		{ "allow-foreign", no_argument, NULL, 'F' },
		{ "list-ksm-users", no_argument, NULL, 'L' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*cl = (struct kr_cmdline){ .lock_path = KR_DEFAULT_LOCK, .guest = { .accel = "tcg" } };
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			cl->out_dir = optarg;
			break;
		case 'g':
			cl->guest.kernel = optarg;
			break;
		case 'G':
			cl->guest.dir = optarg;
			break;
		case 'a':
			if (strcmp(optarg, "tcg") && strcmp(optarg, "kvm")) {
				fprintf(stderr, "ksmsim-kernel-replay: --accel wants tcg or kvm, got '%s'\n",
					optarg);
				return KR_EXIT_START;
			}
			cl->guest.accel = optarg;
			break;
		case 't':
			if (parse_seconds("--guest-timeout", optarg, 7 * 86400, &cl->guest.timeout))
				return KR_EXIT_START;
			break;
		case 'c':
			cl->guest.console = optarg;
			break;
		case 'V':
			printf("ksmsim-kernel-replay %s\n", ksmsim_version());
			return KR_EXIT_OK;
		case 's':
			cl->snap_path = optarg;
			break;
		case 'k':
			cl->opt.keep_going = true;
			break;
		case 'w':
			if (parse_seconds("--wait", optarg, 86400, &cl->wait_secs))
				return KR_EXIT_START;
			break;
		case 'l':
			cl->lock_path = optarg;
			break;
		case 'n':
			cl->opt.no_drain = true;
			break;
		case 'p':
			cl->probe_only = true;
			break;
		case 'F':
			cl->allow_foreign = true;
			break;
		case 'L':
			cl->list_users = true;
			break;
		case 'v':
			cl->opt.verbose = true;
			break;
		case 'h':
			kr_usage(stdout);
			return KR_EXIT_OK;
		default:
			kr_usage(stderr);
			return KR_EXIT_START;
		}
	}
	cl->guest.verbose = cl->opt.verbose;
	return -1;
}
