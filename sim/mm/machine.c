// SPDX-License-Identifier: MIT
/*
 * DOC: The machine and its processes
 *
 * ksm_sim_create() builds an empty machine: the zero page, no process,
 * KSM with Linux 6.18's default knobs and run=1 (the trace contract).
 * Processes are found by name; each owns one mm_struct.  Ids are handed
 * out in creation order so that reports and dumps name objects the same
 * way on every run.
 *
 * ksm_sim_destroy() exits every process and frees the KSM state, then
 * counts what is still allocated: with every rule of the model right,
 * nothing is.
 */
#include <string.h>

#include "mm/internal.h"
#include "mm/ksm_hooks.h"

static int task_cmp(struct task *a, struct task *b)
{
	return strcmp(a->name, b->name);
}

RB_GENERATE_STATIC(task_tree, task, by_name, task_cmp)

int sim_fail(struct sim_error *err, enum sim_arg arg, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->arg = arg;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

uint64_t sim_next_id(struct ksm_sim *sim)
{
	return ++sim->next_id;
}

struct ksm_sim *ksm_sim_create(void)
{
	struct ksm_sim *sim = xcalloc(1, sizeof(*sim));

	sim->alloc = xcalloc(1, sizeof(*sim->alloc));
	RB_INIT(&sim->tasks);
	TAILQ_INIT(&sim->mms);
	LIST_INIT(&sim->anon_vmas);
	mem_map_init(sim);
	sim->ksm = ksm_state_create(sim);
	return sim;
}

static size_t append(char *buf, size_t len, size_t used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t len, size_t used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!buf || used >= len)
		return used;
	va_start(ap, fmt);
	n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	return n < 0 ? used : used + (size_t)n;
}

long ksm_sim_destroy(struct ksm_sim *sim, char *report, size_t reportlen)
{
	struct task *task;
	long leaked = 0;
	size_t used = 0;

	if (report && reportlen)
		report[0] = '\0';
	while ((task = RB_MIN(task_tree, &sim->tasks)))
		sim_exit(sim, task, NULL);
	ksm_state_destroy(sim, sim->ksm);
	if (sim->mem.nr_used) {
		leaked += (long)sim->mem.nr_used;
		used = append(report, reportlen, used, "%llu folios still allocated; ",
			      (unsigned long long)sim->mem.nr_used);
	}
	mem_map_destroy(sim);
	for (int k = 0; k < KOBJ__COUNT; k++) {
		if (!sim->alloc->live[k])
			continue;
		leaked += sim->alloc->live[k];
		used = append(report, reportlen, used, "%lld %s leaked; ",
			      (long long)sim->alloc->live[k], ksm_obj_kind_names[k]);
	}
	free(sim->alloc);
	free(sim);
	return leaked;
}

struct mm_struct *mm_alloc(struct ksm_sim *sim, const char *owner)
{
	struct mm_struct *mm = ksm_zalloc(sim->alloc, KOBJ_MM, sizeof(*mm));

	RB_INIT(&mm->mm_rb);
	mm->pgd = pgtable_alloc(sim);
	mm->mm_users = 1;
	mm->mm_count = 1;
	snprintf(mm->owner, sizeof(mm->owner), "%s", owner);
	mm->id = sim_next_id(sim);
	TAILQ_INSERT_TAIL(&sim->mms, mm, all);
	return mm;
}

void mmdrop(struct ksm_sim *sim, struct mm_struct *mm)
{
	if (--mm->mm_count)
		return;
	pgtable_free(sim, mm->pgd);
	TAILQ_REMOVE(&sim->mms, mm, all);
	ksm_free(sim->alloc, KOBJ_MM, mm, sizeof(*mm));
}

struct task *sim_find_task(struct ksm_sim *sim, const char *name)
{
	struct task key;

	snprintf(key.name, sizeof(key.name), "%s", name);
	return RB_FIND(task_tree, &sim->tasks, &key);
}

struct task *sim_first_task(struct ksm_sim *sim)
{
	return RB_MIN(task_tree, &sim->tasks);
}

struct task *sim_next_task(struct ksm_sim *sim, struct task *task)
{
	(void)sim;
	return RB_NEXT(task_tree, &sim->tasks, task);
}

int sim_spawn(struct ksm_sim *sim, const char *name, struct sim_error *err)
{
	struct task *task;

	if (strlen(name) >= sizeof(task->name))
		return sim_fail(err, SIM_ARG_P, "process name '%s' is too long", name);
	if (sim_find_task(sim, name))
		return sim_fail(err, SIM_ARG_P, "a process named '%s' already exists",
				name);
	task = ksm_zalloc(sim->alloc, KOBJ_TASK, sizeof(*task));
	snprintf(task->name, sizeof(task->name), "%s", name);
	task->id = sim_next_id(sim);
	task->mm = mm_alloc(sim, name);
	RB_INSERT(task_tree, &sim->tasks, task);
	return 0;
}

void task_free(struct ksm_sim *sim, struct task *task)
{
	RB_REMOVE(task_tree, &sim->tasks, task);
	ksm_free(sim->alloc, KOBJ_TASK, task, sizeof(*task));
}
