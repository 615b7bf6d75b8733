// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim-kernel-replay — replay a ksmtrace on the live kernel's KSM
 *
 *   ksmsim-kernel-replay [OPTIONS] TRACE
 *   ksmsim-kernel-replay [OPTIONS] --out-dir DIR TRACE...     (batch.c)
 *   ksmsim-kernel-replay --guest KERNEL [OPTIONS] TRACE...    (guest.c)
 *
 * Started as PID 1 it is a guest kernel's init (guest_init.c).
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
 *  5. Look for other processes with memory registered with KSM
 *     (foreign.c); refuse (exit 2, naming them) unless --allow-foreign.
 *  6. Restore the settings a killed replay left in its journal, if any;
 *     save every setting; write the journal; start the guardian
 *     (guardian.c), which restores them if we die without doing it.
 *  7. Replay.
 *  8. Always: kill the workers, look again for other KSM users (one that
 *     came meanwhile makes the records suspect: exit 3 unless allowed),
 *     restore every setting (run=2 first, so everything ends unmerged —
 *     run=0 instead when other users' merges are kept; run last, with its
 *     saved value), check they read back as saved, remove the journal,
 *     dismiss the guardian, release the lock.
 *  9. Output: snapshots go to stdout, or with --snapshots FILE to
 *     FILE.tmp, renamed to FILE only when the trace ran to its end or
 *     stopped at a failed expect (whose expect_failed records end it).
 *
 * Exit status: 0 the trace ran and every expect held; 1 an expect failed;
 * 2 could not start (usage, trace, permissions, lock); 3 the replay
 * stopped on an error; 128+N interrupted by signal N.  In every case the
 * settings were restored, or a message says which were not.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/cleanup.h"
#include "core/outfile.h"
#include "kr.h"

volatile sig_atomic_t kr_stop_signal;

static void on_signal(int sig)
{
	kr_stop_signal = sig;
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

static void batch_progress(void *ctx, size_t done, size_t total, const char *name, int code)
{
	(void)ctx;
	fprintf(stderr, "ksmsim-kernel-replay: [%zu/%zu] %s: exit %d\n", done, total, name, code);
}

/* --out-dir on this machine: one replay process per trace (batch.c). */
static int run_batch(char *const *traces, size_t n, const char *out_dir, char *const *pass,
		     size_t npass, bool verbose)
{
	char self[4096];
	struct kr_batch b = { 0 };
	struct ksm_diag err;
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int status;

	if (len < 0) {
		perror("ksmsim-kernel-replay: /proc/self/exe");
		return KR_EXIT_START;
	}
	self[len] = '\0';
	if (kr_batch_check(traces, n, &err)) {
		print_err(&err);
		return KR_EXIT_START;
	}
	install_signals();
	b.self = self;
	b.traces = traces;
	b.n = n;
	b.out_dir = out_dir;
	b.pass = pass;
	b.npass = npass;
	if (verbose || isatty(2))
		b.progress = batch_progress;
	status = kr_batch_run(&b, &err);
	if (status < 0) {
		print_err(&err);
		return KR_EXIT_REPLAY;
	}
	return status;
}

int main(int argc, char **argv)
{
	struct kr_cmdline cl;
	struct kr_options opt;
	const char *snap_path, *lock_path;
	char journal[512];
	struct outfile snaps;
	unsigned wait_secs;
	struct trace t = { 0 };
	struct ksm_diag err;
	struct kr_settings saved, leftover;
	struct kr_pageinfo pi = { .kpageflags_fd = -1 };
	struct kr_ctl ctl = { 0 };
	struct kr_ksmd ksmd = { 0 };
	struct kr_state st = { 0 };
	FILE *out = stdout;
	int lock_fd, status;
	bool restored_ok, probe_only, allow_foreign, list_users;
	struct kr_foreign foreign;
	struct kr_guardian guardian = { .pid = 0, .fd = -1 };
	struct kr_guardian_job gjob = { 0 };
	struct kr_guest_opts guest;
	const char *out_dir;
	/* Options every replay of a batch or a guest gets. */
	char *pass[8], wait_arg[16];
	size_t npass = 0;

	if (getpid() == 1)
		kr_guest_init();
	/* Temporary outputs (--snapshots FILE.tmp.PID, the guest's initramfs)
	 * are removed on a crash too; install_signals() then takes over the
	 * signals that stop a replay cleanly.  Not in a guest's init (above),
	 * which the kernel never lets a signal's default action end. */
	cleanup_install_signals();
	status = kr_parse_args(argc, argv, &cl);
	if (status >= 0)
		return status;
	opt = cl.opt;
	snap_path = cl.snap_path;
	lock_path = cl.lock_path;
	wait_secs = cl.wait_secs;
	probe_only = cl.probe_only;
	allow_foreign = cl.allow_foreign;
	list_users = cl.list_users;
	guest = cl.guest;
	out_dir = cl.out_dir;
	if (list_users) {
		kr_foreign_scan(&foreign, getpid());
		kr_foreign_print(stdout, "", &foreign);
		if (foreign.unreadable)
			printf("(%zu processes could not be looked at: run as root)\n",
			       foreign.unreadable);
		return kr_foreign_any(&foreign) ? 1 : 0;
	}
	if (probe_only) {
		if (!guest.kernel)
			return probe();
		if (kr_guest_probe(&guest, &err)) {
			fprintf(stderr, "ksmsim-kernel-replay: cannot boot a guest here: ");
			ksm_diag_print(stderr, &err);
			return KR_EXIT_START;
		}
		printf("ksmsim-kernel-replay: the %s guest can be booted\n", guest.kernel);
		return KR_EXIT_OK;
	}
	if (optind >= argc) {
		kr_usage(stderr);
		return KR_EXIT_START;
	}
	if (argc - optind > 1 && !out_dir) {
		fprintf(stderr, "ksmsim-kernel-replay: %d traces given: replaying several needs "
			"--out-dir DIR\n", argc - optind);
		return KR_EXIT_START;
	}
	if (out_dir && snap_path) {
		fprintf(stderr, "ksmsim-kernel-replay: --snapshots and --out-dir exclude each other "
			"(a batch writes DIR/NAME.jsonl)\n");
		return KR_EXIT_START;
	}
	if (!guest.kernel && (guest.dir || guest.console || guest.timeout)) {
		fprintf(stderr, "ksmsim-kernel-replay: --guest-dir, --guest-timeout and --console "
			"need --guest\n");
		return KR_EXIT_START;
	}
	if (guest.kernel || out_dir) {
		if (opt.keep_going)
			pass[npass++] = "--keep-going";
		if (opt.no_drain)
			pass[npass++] = "--no-drain";
		if (opt.verbose)
			pass[npass++] = "-v";
		/* Not into a guest: nobody else uses its KSM, so nothing to allow. */
		if (allow_foreign && !guest.kernel)
			pass[npass++] = "--allow-foreign";
		if (!guest.kernel) {
			snprintf(wait_arg, sizeof(wait_arg), "%u", wait_secs);
			pass[npass++] = "--wait";
			pass[npass++] = wait_arg;
			pass[npass++] = "--lock";
			pass[npass++] = (char *)lock_path;
		}
		if (guest.kernel) {
			install_signals();
			return kr_guest_run(&guest, argv + optind, (size_t)(argc - optind), out_dir,
					    snap_path, pass, npass);
		}
		return run_batch(argv + optind, (size_t)(argc - optind), out_dir, pass, npass,
				 opt.verbose);
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
	/* 5. other KSM users: before any setting is touched */
	kr_foreign_scan(&foreign, getpid());
	snprintf(journal, sizeof(journal), "%s.saved", lock_path);
	if (!kr_journal_read(journal, &leftover)) {
		/* A dead replay's pages may be all that the counters show. */
		if (foreign.n && !allow_foreign)
			goto refuse_foreign;
		fprintf(stderr, "ksmsim-kernel-replay: %s: a replay did not restore the KSM "
			"settings; restoring them first\n", journal);
		block_signals();
		if (kr_settings_restore(&leftover, foreign.n > 0)) {
			fprintf(stderr, "ksmsim-kernel-replay: could not restore them all; "
				"fix %s by hand (see %s)\n", KR_SYSFS_DIR, journal);
			kr_lock_release(lock_fd);
			trace_free(&t);
			return KR_EXIT_START;
		}
		kr_journal_remove(journal);
		unblock_signals();
		kr_foreign_scan(&foreign, getpid());
	}
	if (kr_foreign_any(&foreign) && !allow_foreign) {
refuse_foreign:
		fprintf(stderr, "ksmsim-kernel-replay: refusing to start: other processes have "
			"memory registered with KSM; ksmd would scan and count their pages with "
			"the trace's, and the replay's run=2 would unmerge theirs:\n");
		kr_foreign_print(stderr, "ksmsim-kernel-replay:   ", &foreign);
		fprintf(stderr, "ksmsim-kernel-replay: stop them, or replay anyway with "
			"--allow-foreign (their merges are then kept; the records' global counters "
			"include their pages)\n");
		kr_lock_release(lock_fd);
		trace_free(&t);
		return KR_EXIT_START;
	}
	if (!kr_foreign_any(&foreign) && foreign.unexplained) {
		fprintf(stderr, "ksmsim-kernel-replay: note: ");
		kr_foreign_print(stderr, "", &foreign);
		fprintf(stderr, "ksmsim-kernel-replay: note: the replay starts with run=2, "
			"which clears them (and would unmerge such a process's pages; "
			"--allow-foreign keeps them)\n");
	}
	opt.foreign = kr_foreign_any(&foreign) || (allow_foreign && foreign.unexplained);
	if (opt.foreign) {
		fprintf(stderr, "ksmsim-kernel-replay: --allow-foreign: other processes have "
			"memory registered with KSM:\n");
		kr_foreign_print(stderr, "ksmsim-kernel-replay:   ", &foreign);
		fprintf(stderr, "ksmsim-kernel-replay: their merged pages are kept (ksmd is "
			"stopped with run=0, not run=2); the records' global.* counters include "
			"their pages (procs.* are the trace's own, exact); full_scans counts from "
			"this replay's start\n");
	}

	/* 6. settings, and the guardian that restores them if we die */
	if (kr_settings_save(&saved, &err) || kr_journal_write(journal, &saved, &err)) {
		print_err(&err);
		kr_journal_remove(journal);
		kr_lock_release(lock_fd);
		trace_free(&t);
		return KR_EXIT_START;
	}
	gjob.settings = &saved;
	gjob.keep_merges = opt.foreign;
	gjob.journal = journal;
	gjob.lock_fd = lock_fd;
	if (kr_guardian_start(&guardian, &gjob, &err) || kr_pageinfo_open(&pi, &err)) {
		print_err(&err);
		kr_guardian_dismiss(&guardian);
		kr_journal_remove(journal);
		kr_pageinfo_close(&pi);
		kr_lock_release(lock_fd);
		trace_free(&t);
		return KR_EXIT_START;
	}
	if (snap_path) {
		if (outfile_open(&snaps, snap_path, &err)) {
			print_err(&err);
			kr_guardian_dismiss(&guardian);
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

	/* 7. the replay */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); /* orphaned workers come back to us */
	ctl.self = getpid();
	ctl.verbose = opt.verbose;
	ksmd.drain = !opt.no_drain;
	ksmd.verbose = opt.verbose;
	ksm_knobs_default(&st.knobs);
	st.ctl = &ctl;
	st.ksmd = &ksmd;
	st.pi = &pi;
	if (kr_ksmd_start(&ksmd, opt.foreign, &err)) {
		print_err(&err);
		status = KR_EXIT_REPLAY;
	} else {
		status = kr_replay(&t, &st, out, &opt);
	}

	/* 8. tear down, whatever happened */
	block_signals();
	kr_ctl_kill_all(&ctl);
	/* Our processes are gone: any process registered now is someone else. */
	kr_foreign_scan(&foreign, getpid());
	if (foreign.n && !opt.foreign) {
		fprintf(stderr, "ksmsim-kernel-replay: other processes registered memory with "
			"KSM while the replay ran; its records may include their pages:\n");
		kr_foreign_print(stderr, "ksmsim-kernel-replay:   ", &foreign);
		if (status == KR_EXIT_OK || status == KR_EXIT_EXPECT)
			status = KR_EXIT_REPLAY;
	}
	restored_ok = !kr_settings_restore(&saved, opt.foreign || foreign.n);
	if (restored_ok)
		kr_journal_remove(journal);
	else
		fprintf(stderr, "ksmsim-kernel-replay: some KSM settings were not restored; "
			"the saved values are in %s\n", journal);
	kr_guardian_dismiss(&guardian);
	kr_pageinfo_close(&pi);
	kr_lock_release(lock_fd);

	/* 9. output */
	if (snap_path) {
		/* A failed expect keeps the records before it and its own
		 * expect_failed records, as the simulator does. */
		bool complete = !kr_stop_signal &&
			(status == KR_EXIT_OK || status == KR_EXIT_EXPECT);

		if (opt.foreign && complete)
			fprintf(stderr, "ksmsim-kernel-replay: %s: global.* counters include the "
				"pages of other KSM users (--allow-foreign)\n", snap_path);

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
