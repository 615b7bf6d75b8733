// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "cli/pins.h"
#include "core/array.h"
#include "ksmsim/ksm.h"

static int add(struct cli_pins *p, const char *cmd, const char *opt, const char *setting)
{
	const char *eq = strchr(setting, '=');

	if (strncmp(setting, "sim.", 4) || !eq || eq == setting + 4 || !eq[1]) {
		fprintf(stderr, "ksmsim %s: %s takes sim.NAME=VALUE, not '%s'\n", cmd, opt,
			setting);
		return -1;
	}
	if (p->n == CLI_PINS_MAX) {
		fprintf(stderr, "ksmsim %s: at most %d --set/--kernel options\n", cmd, CLI_PINS_MAX);
		return -1;
	}
	if (strlen(setting) >= sizeof(p->v[0])) {
		fprintf(stderr, "ksmsim %s: %s '%s' is too long\n", cmd, opt, setting);
		return -1;
	}
	snprintf(p->v[p->n++], sizeof(p->v[0]), "%s", setting);
	return 0;
}

int cli_pins_take(struct cli_pins *p, const char *cmd, const char *opt, const char *val)
{
	char buf[80];

	if (strcmp(opt, "--kernel"))
		return add(p, cmd, opt, val);
	if (strcmp(val, "baseline") && strcmp(val, "lpi")) {
		fprintf(stderr, "ksmsim %s: --kernel takes baseline or lpi, not '%s'\n", cmd, val);
		return -1;
	}
	snprintf(buf, sizeof(buf), "sim.kernel=%s", val);
	return add(p, cmd, "--kernel", buf);
}

int cli_pins_apply(const struct cli_pins *p, const char *cmd, struct ksm_sim *sim)
{
	for (int i = 0; i < p->n; i++) {
		const char *eq = strchr(p->v[i], '=');
		char name[80];
		struct sim_error e;

		snprintf(name, sizeof(name), "%.*s", (int)(eq - p->v[i]), p->v[i]);
		if (ksm_pin_sim_knob(sim, name, eq + 1, &e)) {
			fprintf(stderr, "ksmsim %s: %s: %s\n", cmd, p->v[i], e.msg);
			return -1;
		}
	}
	return 0;
}

int cli_invariants_take(const char *cmd, const char *w, enum replay_check *out)
{
	static const struct {
		const char *name;
		enum replay_check when;
	} whens[] = {
		{ "none", REPLAY_CHECK_NONE },
		{ "end", REPLAY_CHECK_END },
		{ "each", REPLAY_CHECK_EACH },
	};

	for (size_t k = 0; k < ARRAY_SIZE(whens); k++)
		if (!strcmp(w, whens[k].name)) {
			*out = whens[k].when;
			return 0;
		}
	fprintf(stderr, "ksmsim %s: --check-invariants takes none, end or each, not '%s'\n", cmd, w);
	return -1;
}
