// SPDX-License-Identifier: MIT
/* ksmsim-difffuzz's summary: what agreed, what did not, where the cases are. */
#include <inttypes.h>
#include <string.h>

#include "core/json.h"
#include "run.h"

void fz_summary(const struct opts *o, const struct stats *s, const struct fz_backend *b,
		FILE *f)
{
	double el = fz_now() - s->t0;

	if (o->nfiles)
		fprintf(f, "difffuzz: %lu of %zu given traces, %lu commands; ", s->traces,
			o->nfiles, s->commands);
	else
		fprintf(f, "difffuzz: seed %" PRIu64 ", %lu traces of %u steps, %lu commands; ",
			o->seed, s->traces, o->steps, s->commands);
	fprintf(f, "simulator sim.kernel=%s vs %s\n", o->sim_kernel,
		o->guest ? (!strcmp(o->guest, "lpi") ? "the lpi guest kernel" : "the baseline guest kernel") : "the host kernel");
	fprintf(f, "agreed %lu, disagreed %lu, unstable %lu\n", s->agreed, s->disagreed,
		s->unstable);
	for (size_t i = 0; i < s->ngroups; i++)
		fprintf(f, "  %-36s %lu trace(s), %lu shrunk; e.g. %s/%s (%zu commands%s)\n",
			s->groups[i].name, s->groups[i].traces, s->groups[i].shrunk, o->out,
			s->groups[i].example, s->groups[i].example_cmds,
			s->groups[i].example_shrunk ? "" : ", not shrunk");
	if (s->unstable)
		fprintf(f, "  unstable: the kernel did not repeat its result (e.g. %s/%s)\n",
			o->out, s->unstable_example);
	fprintf(f, "cases written %lu (shrunk %lu) to %s\n", s->cases, s->shrunk, o->out);
	fprintf(f, "kernel replays %lu in %lu batches (%s mode, %.1f s); total %.1f s\n",
		b->replays, b->batches,
		b->mode == FZ_BACKEND_BATCH ? "batch" : "single", b->seconds, el);
	if (s->interrupted)
		fprintf(f, "interrupted: the figures are those of the traces done so far\n");
	if (s->infra_failed)
		fprintf(f, "stopped: %s\n", s->infra_why);
}

void fz_summary_json(const struct opts *o, const struct stats *s, const struct fz_backend *b)
{
	FILE *f = stdout;

	fprintf(f, "{\"seed\":%" PRIu64 ",\"steps\":%u,\"traces\":%lu,\"commands\":%lu,"
		"\"agreed\":%lu,\"disagreed\":%lu,\"unstable\":%lu,\"groups\":{",
		o->seed, o->steps, s->traces, s->commands, s->agreed, s->disagreed,
		s->unstable);
	for (size_t i = 0; i < s->ngroups; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_string(f, s->groups[i].name);
		fprintf(f, ":{\"traces\":%lu,\"shrunk\":%lu,\"example\":", s->groups[i].traces,
			s->groups[i].shrunk);
		json_string(f, s->groups[i].example);
		fprintf(f, ",\"example_commands\":%zu}", s->groups[i].example_cmds);
	}
	fprintf(f, "},\"cases\":%lu,\"shrunk\":%lu,\"out\":", s->cases, s->shrunk);
	json_string(f, o->out);
	fprintf(f, ",\"sim_kernel\":");
	json_string(f, o->sim_kernel);
	fprintf(f, ",\"guest\":");
	if (o->guest)
		json_string(f, o->guest);
	else
		fprintf(f, "null");
	fprintf(f, ",\"backend\":\"%s\",\"kernel_replays\":%lu,\"batches\":%lu,"
		"\"kernel_seconds\":%.3f,\"seconds\":%.3f,\"interrupted\":%s,\"failed\":",
		b->mode == FZ_BACKEND_BATCH ? "batch" : "single", b->replays,
		b->batches, b->seconds, fz_now() - s->t0,
		s->interrupted ? "true" : "false");
	if (s->infra_failed)
		json_string(f, s->infra_why);
	else
		fprintf(f, "null");
	fprintf(f, "}\n");
	fflush(f);
}
