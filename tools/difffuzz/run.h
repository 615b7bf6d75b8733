/* SPDX-License-Identifier: MIT */
/*
 * ksmsim-difffuzz's command line and run state, shared by main.c (the
 * loop, progress), options.c (flags), cases.c (a disagreement handled),
 * files.c (the cases written) and summary.c.
 */
#ifndef KSMSIM_DIFFFUZZ_RUN_H
#define KSMSIM_DIFFFUZZ_RUN_H

#include "difffuzz.h"

#define MAX_GROUPS 64

struct opts {
	unsigned long traces;
	uint64_t seed;
	unsigned steps;
	unsigned refused;
	unsigned migrate;
	const char *out;
	const char *replayer;
	const char *guest;
	const char *sim_kernel;
	struct fz_ignore ign;
	bool json, quiet;
	unsigned batch;
	unsigned long generate;
	bool gen_mode;
	enum fz_backend_mode mode;
	unsigned shrink_per_group;
	unsigned confirm;
	unsigned wait;
	bool ignore_others;  /* --other-ksm-users ignore */
	const char **files;  /* traces to compare instead of random ones */
	size_t nfiles;
	char **texts;        /* their contents */
	size_t *lens;
};

struct group {
	char name[160];
	unsigned long traces;   /* disagreements of this kind       */
	unsigned long shrunk;   /* of them shrunk                   */
	char example[96];       /* the first case                   */
	size_t example_cmds;    /* its size                         */
	bool example_shrunk;
};

struct stats {
	double t0;
	unsigned long traces, commands, agreed, disagreed, unstable, cases, shrunk;
	char unstable_example[96]; /* the first unstable case          */
	unsigned long sim_refused; /* shrink candidates the simulator refused */
	struct group groups[MAX_GROUPS];
	size_t ngroups;
	bool interrupted, infra_failed;
	char infra_why[2048];
};

/* options.c: 0 ok, 1 --help or --version done, -1 bad usage (said). */
int fz_parse_args(int argc, char **argv, struct opts *o);
void fz_usage(FILE *out);

/* main.c: a progress line on stderr (@what, or the run's figures when
 * NULL), at most every second on a terminal, every 10 s otherwise;
 * fz_progress_done() clears it from a terminal. */
void fz_progress(const struct opts *o, const struct stats *s, const char *what);
void fz_progress_done(void);

/*
 * cases.c: a disagreement of @sim and @ker on trace @name: replay it
 * again, shrink it, write DIR/NAME/ (docs/difffuzz.md).  A result the
 * kernel does not repeat is counted as unstable, not as a disagreement.
 * Returns 0, -1 backend failure, -2 interrupted (the case is written as
 * far as it is known).
 */
int fz_handle(struct fz_backend *b, const struct opts *o, struct stats *s, const char *name,
	      const char *text, size_t len, const struct fz_outcome *sim,
	      const struct fz_outcome *ker, const struct fz_verdict *v, const char *foreign);

/* files.c */
int fz_mkdir_p(const char *path);
/* Create @dir and make sure a file can be written in it (said if not). */
int fz_check_out_dir(const char *dir);
/* Write @len bytes to @dir/@file, never half written. */
int fz_put_file(const char *dir, const char *file, const char *text, size_t len);
int fz_put_str(const char *dir, const char *file, const char *text);

/* summary.c: the run's figures as text (to @f) or as JSON (stdout). */
void fz_summary(const struct opts *o, const struct stats *s, const struct fz_backend *b,
		FILE *f);
void fz_summary_json(const struct opts *o, const struct stats *s, const struct fz_backend *b);

#endif /* KSMSIM_DIFFFUZZ_RUN_H */
