// SPDX-License-Identifier: MIT
/*
 * The invariant checker must catch what it claims to catch: each test
 * builds a small consistent machine, breaks one thing the way a bug in
 * the model would, and expects sim_check_invariants() to fail naming it.
 * The machine is repaired before teardown so leaks are still checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ksm/ksm_state.h"
#include "ksmsim/check.h"
#include "mm/internal.h"

#define A 0x100000000000ULL

static uint64_t token7(const void *ctx, uint64_t i)
{
	(void)ctx;
	(void)i;
	return 7;
}

/* a: one 4-page VMA written; b: its fork. */
static struct ksm_sim *machine(void)
{
	struct ksm_sim *sim = ksm_sim_create();
	struct sim_error e;
	char why[256];

	assert_int_equal(sim_spawn(sim, "a", &e), 0);
	assert_int_equal(sim_mmap(sim, sim_find_task(sim, "a")->mm, A, 4, SIM_PROT_RW, &e), 0);
	assert_int_equal(sim_write(sim, sim_find_task(sim, "a")->mm, A, 4, token7, NULL, &e), 0);
	assert_int_equal(sim_fork(sim, sim_find_task(sim, "a"), "b", &e), 0);
	if (sim_check_invariants(sim, why, sizeof(why)))
		fail_msg("the intact machine fails: %s", why);
	return sim;
}

static void expect_violation(struct ksm_sim *sim, const char *needle)
{
	char why[512];

	assert_int_equal(sim_check_invariants(sim, why, sizeof(why)), -1);
	if (!strstr(why, needle))
		fail_msg("expected a violation mentioning '%s', got: %s", needle, why);
}

static void teardown(struct ksm_sim *sim)
{
	char leaks[256];

	assert_int_equal(ksm_sim_destroy(sim, leaks, sizeof(leaks)), 0);
}

static void test_mapcount(void **state)
{
	struct ksm_sim *sim = machine();
	struct mm_struct *mm = sim_find_task(sim, "a")->mm;
	struct folio *f = pfn_folio(sim, pte_pfn(pte_get(mm, A)));

	(void)state;
	f->mapcount++;
	expect_violation(sim, "mapcount");
	f->mapcount--;
	teardown(sim);
}

static void test_chain_key(void **state)
{
	struct ksm_sim *sim = machine();
	struct vm_area_struct *vma = vma_lookup(sim_find_task(sim, "b")->mm, A);

	(void)state;
	vma->vm_pgoff++;
	expect_violation(sim, "keyed");
	vma->vm_pgoff--;
	teardown(sim);
}

static void test_writable_shared_page(void **state)
{
	struct ksm_sim *sim = machine();
	struct mm_struct *mm = sim_find_task(sim, "b")->mm;
	pte_t pte = pte_get(mm, A);

	(void)state;
	pte_set(sim, mm, A, pte | PTE_WRITE);
	expect_violation(sim, "must be read-only");
	pte_set(sim, mm, A, pte);
	teardown(sim);
}

static void test_page_index(void **state)
{
	struct ksm_sim *sim = machine();
	struct mm_struct *mm = sim_find_task(sim, "a")->mm;
	struct folio *f = pfn_folio(sim, pte_pfn(pte_get(mm, A + 0x1000)));

	(void)state;
	f->index++;
	expect_violation(sim, "index");
	f->index--;
	teardown(sim);
}

static void test_anon_vma_counts(void **state)
{
	struct ksm_sim *sim = machine();
	struct anon_vma *av = vma_lookup(sim_find_task(sim, "a")->mm, A)->anon_vma;

	(void)state;
	av->num_active_vmas++;
	expect_violation(sim, "num_active_vmas");
	av->num_active_vmas--;
	av->refcount++;
	expect_violation(sim, "refcount");
	av->refcount--;
	av->num_children++;
	expect_violation(sim, "num_children");
	av->num_children--;
	teardown(sim);
}

static void test_zero_page_counter(void **state)
{
	struct ksm_sim *sim = machine();
	struct mm_struct *mm = sim_find_task(sim, "a")->mm;

	(void)state;
	mm->ksm_zero_pages = 1;
	expect_violation(sim, "ksm_zero_pages");
	mm->ksm_zero_pages = 0;
	sim->ksm->ksm_zero_pages = 1;
	expect_violation(sim, "ksm_zero_pages");
	sim->ksm->ksm_zero_pages = 0;
	teardown(sim);
}

static void test_map_count(void **state)
{
	struct ksm_sim *sim = machine();
	struct mm_struct *mm = sim_find_task(sim, "a")->mm;

	(void)state;
	mm->map_count++;
	expect_violation(sim, "map_count");
	mm->map_count--;
	teardown(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapcount),
		cmocka_unit_test(test_chain_key),
		cmocka_unit_test(test_writable_shared_page),
		cmocka_unit_test(test_page_index),
		cmocka_unit_test(test_anon_vma_counts),
		cmocka_unit_test(test_zero_page_counter),
		cmocka_unit_test(test_map_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
