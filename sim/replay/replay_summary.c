// SPDX-License-Identifier: MIT
/*
 * DOC: The line that ends every checked replay
 *
 * A check that finds nothing used to print nothing, and a check on the
 * baseline kernel — which has no indexed walk, so the comparison the
 * linear_page_index question is about cannot happen — passed just as
 * quietly.  This line says what was checked, whatever the outcome:
 *
 *   T: check: 9 checks run, 14 KSM pages checked (31 anonymous);
 *      strategies compared: full, indexed, naive, truth; 1 divergence,
 *      0 findings; naive control: 1 miss, as expected after mremap
 *
 * The naive walk's misses are counted apart: the naive walk is the
 * withdrawn v1-v3 series kept as a negative control, so its misses are
 * evidence the checker has teeth, not findings about the series.
 * (one line), and on a kernel without the index, in place of the
 * strategies, that only full vs truth (and the naive control) was
 * compared and that `--kernel lpi` compares indexed too.  `ksmsim check`
 * and `ksmsim replay` print it; check --json prints the same figures.
 */
#include "core/json.h"
#include "ksmsim/replay.h"

/* Findings other than divergences and the naive control's misses. */
static bool is_other(int k)
{
	return k != RMAP_FINDING_DIVERGENCE && k != RMAP_FINDING_NAIVE_MISS;
}

static unsigned long other_findings(const struct replay_result *res)
{
	unsigned long n = 0;

	for (int k = 0; k < RMAP_FINDING__COUNT; k++)
		if (is_other(k))
			n += res->reported[k];
	return n;
}

void replay_check_summary(FILE *out, const char *file, const struct replay_result *res)
{
	unsigned long div = res->reported[RMAP_FINDING_DIVERGENCE], other = other_findings(res);
	unsigned long naive = res->reported[RMAP_FINDING_NAIVE_MISS];
	bool first = true;

	fprintf(out, "%s: check: %lu check%s run, %lu KSM page%s checked (%lu anonymous); ",
		file, res->checks, res->checks == 1 ? "" : "s", res->ksm_pages_checked,
		res->ksm_pages_checked == 1 ? "" : "s", res->anon_pages_checked);
	if (!res->checks_without_index)
		fprintf(out, "strategies compared: full, indexed, naive, truth");
	else if (res->checks_without_index == res->checks)
		fprintf(out, "only full vs truth (and the naive control) compared: the baseline "
			"kernel has no indexed walk, add --kernel lpi to compare it");
	else
		fprintf(out, "strategies compared: full, indexed, naive, truth, but %lu of the "
			"checks ran on the baseline kernel, which has no indexed walk (only full "
			"vs truth there; add --kernel lpi to compare indexed in all)",
			res->checks_without_index);
	fprintf(out, "; %lu divergence%s, %lu finding%s", div, div == 1 ? "" : "s", other,
		other == 1 ? "" : "s");
	for (int k = 0; k < RMAP_FINDING__COUNT; k++) {
		if (!is_other(k) || !res->reported[k])
			continue;
		fprintf(out, "%s%s %lu", first ? " (" : ", ",
			rmap_finding_name((enum rmap_finding_kind)k), res->reported[k]);
		first = false;
	}
	fprintf(out, "%s", first ? "" : ")");
	if (naive)
		fprintf(out, "; naive control: %lu miss%s, as expected after mremap", naive,
			naive == 1 ? "" : "es");
	fputc('\n', out);
}

void replay_check_summary_json(FILE *out, const struct replay_result *res)
{
	bool indexed = res->checks_without_index < res->checks;

	fprintf(out, "\"checks\":%lu,\"ksm_pages_checked\":%lu,\"anon_pages_checked\":%lu,",
		res->checks, res->ksm_pages_checked, res->anon_pages_checked);
	fprintf(out, "\"strategies\":[\"full\",%s\"naive\",\"truth\"],", indexed ? "\"indexed\"," : "");
	fprintf(out, "\"indexed_compared\":%s,\"checks_without_index\":%lu,",
		indexed ? "true" : "false", res->checks_without_index);
	fprintf(out, "\"divergences\":%lu,\"findings\":%lu,\"naive_control_misses\":%lu,"
		"\"findings_by_kind\":{", res->reported[RMAP_FINDING_DIVERGENCE],
		other_findings(res), res->reported[RMAP_FINDING_NAIVE_MISS]);
	for (int k = 0; k < RMAP_FINDING__COUNT; k++) {
		fputs(k ? "," : "", out);
		json_string(out, rmap_finding_name((enum rmap_finding_kind)k));
		fprintf(out, ":%lu", res->reported[k]);
	}
	fputc('}', out);
}
