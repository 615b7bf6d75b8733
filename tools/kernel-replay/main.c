// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim-kernel-replay — replay a ksmtrace on the live kernel's KSM
 *
 *   ksmsim-kernel-replay [OPTIONS] TRACE
 *
 * The order of things matters more here than anywhere else in the
 * project, because the program changes machine-wide state:
 *
 *  1. Parse the trace (the project's parser): a malformed trace never
 *     touches the machine.
 *  2. Check that the KSM settings are writable and page flags readable;
 *     refuse to start otherwise (exit 2) and say why.
 *  3. Catch SIGINT/SIGTERM/SIGHUP/SIGQUIT: from here on a signal only sets
 *     a flag; every wait loop sees it and the replay unwinds normally.
 *  4. Take the exclusive lock (--wait SECONDS, default: refuse at once).
 *  5. Restore the settings a killed replay left in its journal, if any;
 *     save every setting; write the journal.
 *  6. Replay.
 *  7. Always: kill the workers, restore every setting (run=2 first, so
 *     everything ends unmerged; run last, with its saved value), check
 *     they read back as saved, remove the journal, release the lock.
 *  8. Output: snapshots go to stdout, or with --snapshots FILE to
 *     FILE.tmp, renamed to FILE only when the trace ran to its end.
 *
 * Exit status: 0 the trace ran and every expect held; 1 an expect failed;
 * 2 could not start (usage, trace, permissions, lock); 3 the replay
 * stopped on an error; 128+N interrupted by signal N.  In every case the
 * settings were restored, or a message says which were not.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/outfile.h"
#include "kr.h"

volatile sig_atomic_t kr_stop_signal;

static void on_signal(int sig)
{
	kr_stop_signal = sig;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ksmsim-kernel-replay [OPTIONS] TRACE\n"
		"\n"
		"Replay a ksmtrace v1 file on this machine's KSM (Linux, root) and write\n"
		"its snapshot records (JSON Lines) to stdout.\n"
		"\n"
		"  --snapshots FILE  write the records to FILE (via FILE.tmp, renamed\n"
		"                    only when the whole trace ran)\n"
		"  --keep-going      report failed expects and go on (exit 1 at the end)\n"
		"  --wait SECONDS    wait up to SECONDS for another replay to finish\n"
		"                    (default 0: refuse at once)\n"
		"  --lock FILE       the lock file (default %s); the saved\n"
		"                    settings journal is FILE.saved\n"
		"  --no-drain        do not drain per-CPU LRU batches before ksmd batches\n"
		"                    (for experiments: merges then vary from run to run)\n"
		"  --probe           only check that a replay could run here (exit 0/2)\n"
		"  -v, --verbose     log commands and ksmd batches to stderr\n"
		"  -h, --help        this text\n"
		"\n"
		"Exit status: 0 ok, 1 an expect failed, 2 cannot start, 3 replay error,\n"
		"128+N interrupted by signal N.  KSM settings are restored in every case.\n",
		KR_DEFAULT_LOCK);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: blocking calls return EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL); /* a dead worker's pipe: EPIPE instead */
}

/* Block or unblock (@how) the signals that stop a replay. */
static void stop_signals(int how)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGQUIT);
	sigprocmask(how, &s, NULL);
}

static void block_signals(void)
{
	stop_signals(SIG_BLOCK);
}

static void unblock_signals(void)
{
	stop_signals(SIG_UNBLOCK);
}

static int probe(void)
{
	struct kr_pageinfo pi = { .kpageflags_fd = -1 };
	struct ksm_diag err;

	if (kr_settings_check_writable(&err) || kr_pageinfo_open(&pi, &err)) {
		kr_pageinfo_close(&pi);
		fprintf(stderr, "ksmsim-kernel-replay: cannot replay here: ");
		ksm_diag_print(stderr, &err);
		return KR_EXIT_START;
	}
	kr_pageinfo_close(&pi);
	printf("ksmsim-kernel-replay: KSM at %s is usable\n", KR_SYSFS_DIR);
	return KR_EXIT_OK;
}

static void print_err(const struct ksm_diag *err)
{
	fprintf(stderr, "ksmsim-kernel-replay: ");
	ksm_diag_print(stderr, err);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "snapshots", required_argument, NULL, 's' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "wait", required_argument, NULL, 'w' },
		{ "lock", required_argument, NULL, 'l' },
		{ "no-drain", no_argument, NULL, 'n' },
		{ "probe", no_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kr_options opt = { 0 };
	const char *snap_path = NULL, *lock_path = KR_DEFAULT_LOCK;
	char journal[512];
	struct outfile snaps;
	unsigned wait_secs = 0;
	struct trace t = { 0 };
	struct ksm_diag err;
	struct kr_settings saved, leftover;
	struct kr_pageinfo pi = { .kpageflags_fd = -1 };
	struct kr_ctl ctl = { 0 };
	struct kr_ksmd ksmd = { 0 };
	struct kr_state st = { 0 };
	FILE *out = stdout;
	int lock_fd, status, c;
	bool restored_ok;

	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			snap_path = optarg;
			break;
		case 'k':
			opt.keep_going = true;
			break;
		case 'w': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (!*optarg || *end || v > 86400) {
				fprintf(stderr, "ksmsim-kernel-replay: --wait wants seconds (0..86400)\n");
				return KR_EXIT_START;
			}
			wait_secs = (unsigned)v;
			break;
		}
		case 'l':
			lock_path = optarg;
			break;
		case 'n':
			opt.no_drain = true;
			break;
		case 'p':
			return probe();
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return KR_EXIT_OK;
		default:
			usage(stderr);
			return KR_EXIT_START;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return KR_EXIT_START;
	}

	/* 1. the trace */
	if (trace_parse_file(argv[optind], &t, &err)) {
		ksm_diag_print(stderr, &err);
		return KR_EXIT_START;
	}
	/* 2. permissions */
	if (kr_settings_check_writable(&err)) {
		fprintf(stderr, "ksmsim-kernel-replay: refusing to start: ");
		ksm_diag_print(stderr, &err);
		trace_free(&t);
		return KR_EXIT_START;
	}
	/* 3. signals */
	install_signals();
	/* 4. the lock */
	lock_fd = kr_lock_acquire(lock_path, wait_secs, &err);
	if (lock_fd < 0) {
		fprintf(stderr, "ksmsim-kernel-replay: refusing to start: ");
		ksm_diag_print(stderr, &err);
		trace_free(&t);
		return kr_stop_signal ? KR_EXIT_SIGNAL + kr_stop_signal : KR_EXIT_START;
	}
	/* 5. settings */
	snprintf(journal, sizeof(journal), "%s.saved", lock_path);
	if (!kr_journal_read(journal, &leftover)) {
		fprintf(stderr, "ksmsim-kernel-replay: %s: a replay did not restore the KSM "
			"settings; restoring them first\n", journal);
		block_signals();
		if (kr_settings_restore(&leftover)) {
			fprintf(stderr, "ksmsim-kernel-replay: could not restore them all; "
				"fix %s by hand (see %s)\n", KR_SYSFS_DIR, journal);
			kr_lock_release(lock_fd);
			trace_free(&t);
			return KR_EXIT_START;
		}
		kr_journal_remove(journal);
		unblock_signals();
	}
	if (kr_settings_save(&saved, &err) || kr_journal_write(journal, &saved, &err) ||
	    kr_pageinfo_open(&pi, &err)) {
		print_err(&err);
		kr_journal_remove(journal);
		kr_pageinfo_close(&pi);
		kr_lock_release(lock_fd);
		trace_free(&t);
		return KR_EXIT_START;
	}
	if (snap_path) {
		if (outfile_open(&snaps, snap_path, &err)) {
			print_err(&err);
			kr_journal_remove(journal);
			kr_pageinfo_close(&pi);
			kr_lock_release(lock_fd);
			trace_free(&t);
			return KR_EXIT_START;
		}
		out = snaps.f;
	}
	if (opt.verbose) {
		struct utsname u;

		if (!uname(&u))
			fprintf(stderr, "ksmsim-kernel-replay: kernel %s, trace %s\n", u.release,
				argv[optind]);
	}

	/* 6. the replay */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); /* orphaned workers come back to us */
	ctl.self = getpid();
	ctl.verbose = opt.verbose;
	ksmd.drain = !opt.no_drain;
	ksmd.verbose = opt.verbose;
	ksm_snap_knobs_default(&st.knobs);
	st.ctl = &ctl;
	st.ksmd = &ksmd;
	st.pi = &pi;
	if (kr_ksmd_start(&ksmd, &err)) {
		print_err(&err);
		status = KR_EXIT_REPLAY;
	} else {
		status = kr_replay(&t, &st, out, &opt);
	}

	/* 7. tear down, whatever happened */
	block_signals();
	kr_ctl_kill_all(&ctl);
	restored_ok = !kr_settings_restore(&saved);
	if (restored_ok)
		kr_journal_remove(journal);
	else
		fprintf(stderr, "ksmsim-kernel-replay: some KSM settings were not restored; "
			"the saved values are in %s\n", journal);
	kr_pageinfo_close(&pi);
	kr_lock_release(lock_fd);

	/* 8. output */
	if (snap_path) {
		bool complete = !kr_stop_signal &&
			(status == KR_EXIT_OK || (status == KR_EXIT_EXPECT && opt.keep_going));

		if (!complete || !restored_ok) {
			outfile_abort(&snaps);
		} else if (outfile_commit(&snaps, &err)) {
			print_err(&err);
			status = KR_EXIT_REPLAY;
		}
	}
	trace_free(&t);
	if (kr_stop_signal) {
		fprintf(stderr, "ksmsim-kernel-replay: interrupted by signal %d; KSM settings %s\n",
			(int)kr_stop_signal, restored_ok ? "restored" : "NOT all restored");
		return KR_EXIT_SIGNAL + kr_stop_signal;
	}
	if (!restored_ok && status == KR_EXIT_OK)
		status = KR_EXIT_REPLAY;
	return status;
}
