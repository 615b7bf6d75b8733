// SPDX-License-Identifier: MIT
/*
 * DOC: ksmsim-difffuzz — random traces, the simulator against a real kernel
 *
 *   ksmsim-difffuzz [--traces N] [--seed S] [--steps K] [--refused P] [--out DIR]
 *                   [--replayer PATH] [--guest baseline|lpi]
 *                   [--sim-kernel baseline|lpi] [--ignore FIELD]...
 *                   [--batch N] [--backend auto|batch|single] [--wait S]
 *                   [--shrink-per-group N] [--json] [--quiet]
 *   ksmsim-difffuzz --generate N [--seed S] [--steps K] [--refused P] [--out DIR]
 *
 * Each trace is generated (gen.c), replayed in-process on the simulator
 * (sim.c) and, in batches, on the kernel by ksmsim-kernel-replay
 * (backend.c); the two outcomes are compared (compare.c).  A disagreement
 * is replayed once more on the kernel, shrunk with ddmin (shrink.c) and
 * written to DIR/NAME/ with both outputs and an explanation (cases.c); then the
 * run goes on.  The order of things:
 *
 *  1. flags; --out created and tried before anything runs (exit 2);
 *  2. the work folder (mkdtemp), removed on every way out, signals
 *     included (they only set a flag; loops and waits look at it);
 *  3. the replayer found and probed (exit 77 with its reason);
 *  4. the loop; progress on stderr; a SIGINT stops it, the statistics so
 *     far are printed and the cases written so far stay;
 *  5. the summary (stdout; with --json a JSON object on stdout and the
 *     text on stderr).
 *
 * Exit status: 0 every trace agreed; 1 some disagreed; 2 bad usage or
 * --out not writable; 3 the backend failed in mid-run; 77 the kernel
 * replayer cannot run here; 128+N interrupted by signal N.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/array.h"
#include "core/cleanup.h"
#include "ksmsim/snapshot_diff.h"
#include "ksmsim/trace.h"
#include "run.h"

volatile sig_atomic_t fz_stop_signal;

static struct fz_backend backend;
static char workdir[PATH_MAX];
static double last_progress;
static bool progress_shown;

static void cleanup(void)
{
	if (backend.child > 0) {
		kill(backend.child, SIGTERM);
		backend.child = 0;
	}
	if (workdir[0]) {
		fz_rmtree(workdir);
		workdir[0] = '\0';
	}
}

static void on_signal(int sig)
{
	fz_stop_signal = sig;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: waits return EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* ---- progress ---- */

void fz_progress(const struct opts *o, const struct stats *s, const char *what)
{
	double now = fz_now(), el = now - s->t0;
	bool tty = isatty(2);

	if (o->quiet || el < 1.0 || now - last_progress < (tty ? 1.0 : 10.0))
		return;
	last_progress = now;
	if (what) {
		fprintf(stderr, "%s[difffuzz] %s%s", tty ? "\r\033[K" : "", what, tty ? "" : "\n");
	} else {
		double rate = el > 0 ? (double)s->traces / el : 0;
		double eta = rate > 0 ? (double)(o->traces - s->traces) / rate : 0;

		fprintf(stderr, "%s[difffuzz] %lu/%lu traces, %.1f traces/s, %lu agreed, "
			"%lu disagreed, ETA %.0fs%s", tty ? "\r\033[K" : "", s->traces, o->traces,
			rate, s->agreed, s->disagreed, eta, tty ? "" : "\n");
	}
	progress_shown = true;
}

void fz_progress_done(void)
{
	if (progress_shown && isatty(2))
		fputs("\r\033[K", stderr);
	progress_shown = false;
}

/* ---- the modes ---- */

static int generate(const struct opts *o)
{
	for (unsigned long i = 0; i < o->generate; i++) {
		char name[64], file[80];
		unsigned n;
		size_t len;
		char *text;

		if (fz_stop_signal)
			return FZ_EXIT_SIGNAL + fz_stop_signal;
		text = fz_generate(o->seed, (unsigned)i, o->steps, o->refused, o->migrate, &n, &len);
		fz_trace_name(name, sizeof(name), o->seed, (unsigned)i);
		snprintf(file, sizeof(file), "%s.trace", name);
		if (fz_put_file(o->out, file, text, len)) {
			free(text);
			return FZ_EXIT_USAGE;
		}
		free(text);
	}
	if (!o->quiet)
		fprintf(stderr, "ksmsim-difffuzz: %lu traces written to %s\n", o->generate, o->out);
	return FZ_EXIT_OK;
}

static void default_replayer(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t k = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (k <= 0) {
		snprintf(buf, len, "ksmsim-kernel-replay");
		return;
	}
	self[k] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	fz_fmt(buf, len, "%s/ksmsim-kernel-replay", self);
	if (!access(buf, X_OK))
		return;
	fz_fmt(buf, len, "%s/../tools/ksmsim-kernel-replay", self);
	if (!access(buf, X_OK))
		return;
	fz_fmt(buf, len, "%s/ksmsim-kernel-replay", self);
}

/* NAME of a given trace file: its base name without .trace, made unique. */
static void file_name(char *buf, size_t len, const char *path, unsigned long i)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 6 && !strcmp(base + n - 6, ".trace"))
		n -= 6;
	if (n > 40)
		n = 40;
	/* the index keeps two files of the same name apart */
	snprintf(buf, len, "%.*s-%04lu", (int)n, base, i);
	for (char *c = buf; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			*c = '_';
}

/* Read and parse every given trace before anything runs. */
static int load_files(struct opts *o)
{
	o->texts = xcalloc(o->nfiles, sizeof(*o->texts));
	o->lens = xcalloc(o->nfiles, sizeof(*o->lens));
	for (size_t i = 0; i < o->nfiles; i++) {
		struct ksm_diag err;
		struct trace t = { 0 };
		FILE *f = fopen(o->files[i], "r");
		char *buf = NULL;
		size_t cap = 0, n = 0;

		if (f) {
			int c;

			while ((c = fgetc(f)) != EOF) {
				if (n + 1 >= cap) {
					cap = cap ? 2 * cap : 4096;
					buf = xrealloc(buf, cap);
				}
				buf[n++] = (char)c;
			}
			if (ferror(f)) {
				free(buf);
				buf = NULL;
			}
			fclose(f);
		}
		if (!f || (!buf && n)) {
			fprintf(stderr, "%s: cannot read: %s\n", o->files[i], strerror(errno));
			return -1;
		}
		if (!buf)
			buf = xcalloc(1, 1);
		buf[n] = '\0';
		if (trace_parse_string(o->files[i], buf, n, &t, &err)) {
			ksm_diag_print(stderr, &err);
			trace_free(&t);
			free(buf);
			return -1;
		}
		trace_free(&t);
		o->texts[i] = buf;
		o->lens[i] = n;
	}
	o->traces = o->nfiles;
	return 0;
}

struct item {
	char name[64];
	char *text;
	size_t len;
	unsigned ncmds;
	struct fz_outcome sim;
};

static int fuzz(const struct opts *o, struct stats *s)
{
	static char foreign[2048], warned[2048];
	unsigned long t = 0;

	while (t < o->traces && !fz_stop_signal) {
		unsigned long nb = o->traces - t < o->batch ? o->traces - t : o->batch;
		struct item *it = xcalloc(nb, sizeof(*it));
		struct fz_batch bt;
		int r = 0;

		if (fz_batch_begin(&backend, &bt)) {
			free(it);
			snprintf(s->infra_why, sizeof(s->infra_why), "%s", backend.why);
			s->infra_failed = true;
			return -1;
		}
		for (unsigned long i = 0; i < nb && !r; i++) {
			if (o->nfiles) {
				struct fz_lines fl = { 0 };

				it[i].text = xmalloc(o->lens[t + i] + 1);
				memcpy(it[i].text, o->texts[t + i], o->lens[t + i] + 1);
				it[i].len = o->lens[t + i];
				file_name(it[i].name, sizeof(it[i].name), o->files[t + i], t + i);
				fz_lines_from_text(&fl, it[i].text);
				it[i].ncmds = (unsigned)fl.n;
				fz_lines_free(&fl);
			} else {
				it[i].text = fz_generate(o->seed, (unsigned)(t + i), o->steps,
							 o->refused, o->migrate, &it[i].ncmds,
							 &it[i].len);
				fz_trace_name(it[i].name, sizeof(it[i].name), o->seed,
					      (unsigned)(t + i));
			}
			fz_sim_run(it[i].name, it[i].text, it[i].len, o->sim_kernel, &it[i].sim);
			r = fz_batch_add(&backend, &bt, it[i].name, it[i].text, it[i].len);
		}
		if (!r && !fz_stop_signal)
			r = fz_backend_run(&backend, &bt);
		if (!r && fz_stop_signal)
			r = -2;
		snprintf(foreign, sizeof(foreign), "%s", r ? "" : backend.foreign);
		if (foreign[0] && strcmp(foreign, warned) && !o->quiet) {
			fz_progress_done();
			fprintf(stderr, "[difffuzz] warning: other processes were registered with KSM "
				"during a batch: %s; their pages are scanned and counted too\n", foreign);
			snprintf(warned, sizeof(warned), "%s", foreign);
		}
		for (unsigned long i = 0; i < nb && !r; i++) {
			struct fz_verdict v;

			fz_compare(it[i].name, &it[i].sim, &bt.jobs[i].out, &o->ign, &v);
			s->traces++;
			s->commands += it[i].ncmds;
			if (v.agree) {
				s->agreed++;
			} else {
				if (!o->quiet) {
					fz_progress_done();
					fprintf(stderr, "[difffuzz] %s disagrees: %s: %s != %s\n",
						it[i].name, v.field, v.sim_value, v.kernel_value);
				}
				r = fz_handle(&backend, o, s, it[i].name, it[i].text, it[i].len,
					      &it[i].sim, &bt.jobs[i].out, &v, foreign);
			}
			fz_verdict_free(&v);
			fz_progress(o, s, NULL);
		}
		fz_batch_end(&bt);
		for (unsigned long i = 0; i < nb; i++) {
			free(it[i].text);
			fz_outcome_free(&it[i].sim);
		}
		free(it);
		if (r == -2 || fz_stop_signal) {
			s->interrupted = true;
			return -2;
		}
		if (r) {
			snprintf(s->infra_why, sizeof(s->infra_why), "%s", backend.why);
			s->infra_failed = true;
			return -1;
		}
		t += nb;
	}
	if (fz_stop_signal) {
		s->interrupted = true;
		return -2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* Static: what it owns (trace files and texts) lives until exit. */
	static struct opts o = { .traces = 100, .seed = 1, .steps = 40, .out = "difffuzz-out",
				 .batch = 50, .shrink_per_group = 3, .confirm = 1, .wait = 60 };
	struct stats s = { 0 };
	const char *tmp = getenv("TMPDIR");
	int rc;

	rc = fz_parse_args(argc, argv, &o);
	if (rc > 0)
		return FZ_EXIT_OK;
	if (rc < 0) {
		fprintf(stderr, "Try 'ksmsim-difffuzz --help'.\n");
		return FZ_EXIT_USAGE;
	}
	if (o.nfiles && load_files(&o))
		return FZ_EXIT_USAGE;
	if (fz_check_out_dir(o.out))
		return FZ_EXIT_USAGE;
	cleanup_install_signals(); /* temporary outputs go on a crash too */
	install_signals();
	if (o.gen_mode)
		return generate(&o);

	/* The work folder, gone on every way out. */
	snprintf(workdir, sizeof(workdir), "%s/ksmsim-difffuzz.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(workdir)) {
		fprintf(stderr, "ksmsim-difffuzz: cannot create a work folder in %s: %s\n",
			tmp && *tmp ? tmp : "/tmp", strerror(errno));
		workdir[0] = '\0';
		return FZ_EXIT_USAGE;
	}
	atexit(cleanup);
	/* Whatever the replayer leaves behind comes back to us (backend.c). */
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	snprintf(backend.workdir, sizeof(backend.workdir), "%s", workdir);
	if (o.replayer)
		snprintf(backend.replayer, sizeof(backend.replayer), "%s", o.replayer);
	else
		default_replayer(backend.replayer, sizeof(backend.replayer));
	backend.guest = o.guest;
	backend.mode = o.mode;
	backend.wait_secs = o.wait;
	backend.quiet = o.quiet;
	backend.ignore_others = o.ignore_others;
	if (fz_backend_start(&backend)) {
		cleanup();
		if (fz_stop_signal)
			return FZ_EXIT_SIGNAL + fz_stop_signal;
		fprintf(stderr, "ksmsim-difffuzz: SKIP: cannot replay on a kernel here: %s\n",
			backend.why);
		return FZ_EXIT_SKIP;
	}
	s.t0 = fz_now();
	last_progress = s.t0;
	rc = fuzz(&o, &s);
	fz_progress_done();
	cleanup();
	if (rc == -1 && !s.traces && o.guest) {
		/* The guest never came up: nothing can be compared here. */
		fprintf(stderr, "ksmsim-difffuzz: SKIP: cannot replay on a kernel here: %s\n",
			s.infra_why);
		return FZ_EXIT_SKIP;
	}
	if (o.json) {
		fz_summary(&o, &s, &backend, stderr);
		fz_summary_json(&o, &s, &backend);
	} else {
		fz_summary(&o, &s, &backend, stdout);
		fflush(stdout);
	}
	if (s.interrupted)
		return FZ_EXIT_SIGNAL + (fz_stop_signal ? fz_stop_signal : SIGINT);
	if (s.infra_failed)
		return FZ_EXIT_INFRA;
	return s.disagreed ? FZ_EXIT_DISAGREE : FZ_EXIT_OK;
}
