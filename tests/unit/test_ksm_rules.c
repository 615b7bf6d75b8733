// SPDX-License-Identifier: MIT
/*
 * The KSM engine's rules, one test each, with the expected values derived
 * in the comments from the kernel's behaviour (docs/kernel-reading-ksm.md,
 * docs/spec/ksm-model.md rule numbers).  Every replay checks every
 * invariant after every command.
 */
#include "ksm_fixture.h"

#define ONE_ROUND_PER_BATCH "set pages_to_scan=10000 smart_scan=0\n"

/* R2.6.1: two visits with unchanged content before anything merges. */
static void test_checksum_delay(void **state)
{
	struct ksm_sim *sim;
	struct ksm_counters c;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH
		  "spawn a\nmmap a 0x100000000000 2\nwrite a 0x100000000000 2 token=7\n"
		  "madvise a 0x100000000000 2 mergeable\nscan rounds=1\n");
	c = counters(sim);
	assert_int_equal(c.pages_volatile, 2);
	assert_int_equal(c.pages_shared, 0);
	assert_int_equal(c.pages_scanned, 2);
	/* the first visit stored the checksum of the page */
	assert_int_equal(rmap_item_oldchecksum(sim->ksm, item_at(sim, "a", A)),
			 calc_checksum(sim->ksm, 7));
	run_on(sim, "scan rounds=1\n");
	c = counters(sim);
	assert_int_equal(c.pages_shared, 1);
	assert_int_equal(c.pages_sharing, 1);
	assert_int_equal(c.pages_volatile, 0);
	/* 4096 - 2 * 64 */
	assert_int_equal(c.general_profit, 3968);
	done(sim);
}

/* R2.6.1, T02: later copies join through the stable tree, newest first. */
static void test_stable_list_order(void **state)
{
	struct ksm_sim *sim;
	struct ksm_rmap_item *it;
	uint64_t want[] = { A + 0x3000, A + 0x2000, A + 0x1000, A };
	unsigned i = 0;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH
		  "spawn a\nmmap a 0x100000000000 4\nwrite a 0x100000000000 4 token=7\n"
		  "madvise a 0x100000000000 4 mergeable\nscan rounds=2\n");
	assert_int_equal(counters(sim).pages_shared, 1);
	assert_int_equal(counters(sim).pages_sharing, 3);
	LIST_FOREACH(it, &item_at(sim, "a", A)->head->hlist, hlist)
		assert_int_equal(it->address & KSM_PAGE_MASK, want[i++]);
	assert_int_equal(i, 4);
	done(sim);
}

/*
 * R3.3.1-R3.3.2, T46: with max_page_sharing=2 the first KSM page is full
 * after two mappings; the third copy waits in the unstable tree for the
 * fourth, and their new KSM page joins the first as a second dup.
 */
static void test_chain_at_max_page_sharing(void **state)
{
	struct ksm_sim *sim;
	struct ksm_counters c;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH
		  "set max_page_sharing=2 stable_node_chains_prune_millisecs=3600000\n"
		  "spawn a\nmmap a 0x100000000000 4\nwrite a 0x100000000000 4 token=7\n"
		  "madvise a 0x100000000000 4 mergeable\nscan rounds=2\n");
	c = counters(sim);
	assert_int_equal(c.stable_node_chains, 1);
	assert_int_equal(c.stable_node_dups, 2);
	assert_int_equal(c.pages_shared, 2);
	assert_int_equal(c.pages_sharing, 2);
	assert_int_equal(item_at(sim, "a", A)->head->kind, KSM_NODE_DUP);
	done(sim);
}

/*
 * T47: with max_page_sharing=3 three copies fill one KSM page; the fourth
 * finds it full and nobody in the unstable tree: it stays unshared.
 */
static void test_full_page_leaves_one_unshared(void **state)
{
	struct ksm_sim *sim;
	struct ksm_counters c;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH "set max_page_sharing=3\n"
		  "spawn a\nmmap a 0x100000000000 4\nwrite a 0x100000000000 4 token=7\n"
		  "madvise a 0x100000000000 4 mergeable\nscan rounds=3\n");
	c = counters(sim);
	assert_int_equal(c.pages_shared, 1);
	assert_int_equal(c.pages_sharing, 2);
	assert_int_equal(c.pages_unshared, 1);
	assert_int_equal(c.stable_node_chains, 0);
	done(sim);
}

/*
 * R5.1.1, T41: a page that never merges is skipped by age: visits at ages
 * 4, 6, 7, 9..12 are skips, so 14 rounds give 7 skips and 7 scans, and the
 * last visit (age 13) set remaining_skips to 8.
 */
static void test_skip_schedule(void **state)
{
	struct ksm_sim *sim;
	struct ksm_rmap_item *it;
	struct ksm_counters c;

	(void)state;
	sim = run("set pages_to_scan=10000 smart_scan=1\n"
		  "spawn a\nmmap a 0x100000000000 1\nwrite a 0x100000000000 1 token=5\n"
		  "madvise a 0x100000000000 1 mergeable\nscan rounds=14\n");
	c = counters(sim);
	assert_int_equal(c.pages_skipped, 7);
	assert_int_equal(c.pages_scanned, 7);
	it = item_at(sim, "a", A);
	assert_int_equal(rmap_item_age(sim->ksm, it), 14);
	assert_int_equal(rmap_item_remaining_skips(sim->ksm, it), 8);
	/* R4.3.3: inserted by the last (scanning) visit */
	assert_int_equal(c.pages_unshared, 1);
	done(sim);
}

/* T42: smart_scan=0 never skips and freezes the age. */
static void test_smart_scan_off_freezes_age(void **state)
{
	struct ksm_sim *sim;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH
		  "spawn a\nmmap a 0x100000000000 1\nwrite a 0x100000000000 1 token=5\n"
		  "madvise a 0x100000000000 1 mergeable\nscan rounds=10\n");
	assert_int_equal(counters(sim).pages_skipped, 0);
	assert_int_equal(counters(sim).pages_scanned, 10);
	assert_int_equal(rmap_item_age(sim->ksm, item_at(sim, "a", A)), 0);
	done(sim);
}

/*
 * R2.7.1-R2.7.2, T08: with use_zero_pages a zero-filled page is replaced
 * by a KSM-placed zero page on its second visit; the next round frees its
 * item, which leaves a profit of one page each.
 */
static void test_use_zero_pages(void **state)
{
	struct ksm_sim *sim;
	struct ksm_counters c;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH "set use_zero_pages=1\n"
		  "spawn a\nmmap a 0x100000000000 3\nwrite a 0x100000000000 3 zero\n"
		  "madvise a 0x100000000000 3 mergeable\nscan rounds=2\n");
	c = counters(sim);
	assert_int_equal(c.ksm_zero_pages, 3);
	assert_int_equal(mm_of(sim, "a")->ksm_zero_pages, 3);
	assert_int_equal(c.pages_volatile, 3);
	assert_int_equal(c.pages_shared, 0);
	assert_true(is_ksm_zero_pte(pte_get(mm_of(sim, "a"), A)));
	run_on(sim, "scan rounds=1\n");
	c = counters(sim);
	assert_int_equal(mm_of(sim, "a")->ksm_rmap_items, 0);
	assert_int_equal(c.general_profit, 3 * 4096);
	/* T09: a store replaces the zero page at once */
	run_on(sim, "write a 0x100000000000 1 token=1\nexpect ksm_zero_pages=2 a.ksm_zero_pages=2\n");
	done(sim);
}

/*
 * §2.9 step 3, T37: the second half of a two-page merge fails; the first
 * half is undone by break_cow().  The tree item stays unshared, the other
 * item volatile, and no KSM page survives.  In the lpi kernel break_cow()
 * also zeroes linear_page_index, which on 64-bit zeroes the stored
 * checksum; the baseline keeps it.
 */
static void merge_two_pages_fails(const char *kernel, bool checksum_kept)
{
	struct ksm_sim *sim = ksm_sim_create();
	char setup[512];
	struct ksm_counters c;

	snprintf(setup, sizeof(setup),
		 ONE_ROUND_PER_BATCH "set sim.kernel=%s sim.fault=merge_two_pages:every=1\n"
		 "spawn a\nmmap a 0x100000000000 2\nwrite a 0x100000000000 2 token=7\n"
		 "madvise a 0x100000000000 2 mergeable\nscan rounds=2\n", kernel);
	run_on(sim, setup);
	c = counters(sim);
	assert_int_equal(c.pages_shared, 0);
	assert_int_equal(c.pages_unshared, 1);
	assert_int_equal(c.pages_volatile, 1);
	assert_int_equal(sim->ksm->faults[KSM_FAULT_MERGE_TWO_SECOND].injected, 1);
	/* break_ksm() left an exclusive read-only copy */
	assert_false(pte_write(pte_get(mm_of(sim, "a"), A + 0x1000)));
	assert_false(folio_test_ksm(pfn_folio(sim, pte_pfn(pte_get(mm_of(sim, "a"), A + 0x1000)))));
	assert_int_equal(rmap_item_oldchecksum(sim->ksm, item_at(sim, "a", A + 0x1000)),
			 checksum_kept ? calc_checksum(sim->ksm, 7) : 0);
	done(sim);
}

static void test_break_cow_after_second_merge_fails(void **state)
{
	(void)state;
	merge_two_pages_fails("baseline", true);
	merge_two_pages_fails("lpi", false);
}

/* R3.5.1, T38: stable_tree_insert() fails: break_cow() on both items. */
static void test_stable_tree_insert_fails(void **state)
{
	struct ksm_sim *sim;
	struct ksm_counters c;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH "set sim.fault=stable_node_alloc:every=1\n"
		  "spawn a\nmmap a 0x100000000000 2\nwrite a 0x100000000000 2 token=7\n"
		  "madvise a 0x100000000000 2 mergeable\nscan rounds=2\n");
	c = counters(sim);
	assert_int_equal(c.pages_shared, 0);
	assert_int_equal(c.pages_unshared, 0);
	assert_int_equal(c.pages_volatile, 2);
	assert_int_equal(sim->mem.nr_used, 2); /* two private copies, no KSM page */
	for (uint64_t a = A; a < A + 0x2000; a += 0x1000)
		assert_false(folio_test_ksm(pfn_folio(sim, pte_pfn(pte_get(mm_of(sim, "a"), a)))));
	done(sim);
}

/* T39: try_to_merge_one_page() fails: nothing merges, nothing breaks. */
static void test_merge_one_page_fails(void **state)
{
	struct ksm_sim *sim;
	struct ksm_counters c;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH "set sim.fault=merge_one_page:every=1\n"
		  "spawn a\nmmap a 0x100000000000 2\nwrite a 0x100000000000 2 token=7\n"
		  "madvise a 0x100000000000 2 mergeable\nscan rounds=3\n");
	c = counters(sim);
	assert_int_equal(c.pages_shared, 0);
	assert_int_equal(c.pages_unshared, 1);
	assert_int_equal(c.pages_volatile, 1);
	/* the pages were never write protected */
	assert_true(pte_write(pte_get(mm_of(sim, "a"), A)));
	done(sim);
}

/* R2.1.2, T40: item allocation failing every time: no progress, an error. */
static void test_rmap_item_alloc_fails(void **state)
{
	struct ksm_sim *sim;
	struct sim_error e;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH
		  "spawn a\nmmap a 0x100000000000 2\nwrite a 0x100000000000 2 token=7\n"
		  "madvise a 0x100000000000 2 mergeable\nset sim.fault=rmap_item_alloc:every=1\n");
	assert_int_equal(ksm_scan_rounds(sim, 1, &e), -1);
	assert_non_null(strstr(e.msg, "no progress"));
	/* every other allocation: rounds complete, one page later */
	run_on(sim, "set sim.fault=rmap_item_alloc:every=2\nscan rounds=2\n");
	assert_int_equal(mm_of(sim, "a")->ksm_rmap_items, 2);
	done(sim);
}

/*
 * R11.4 (T35): a copy-on-write that stores the same content.  The
 * baseline re-merges on the next visit (the pre-merge checksum still
 * matches); the lpi kernel on 64-bit zeroed the checksum when the item
 * left the stable tree, so it needs one visit more.  The reordered 32-bit
 * layout keeps the checksum and behaves like the baseline.
 */
static long sharing_after_same_content_cow(const char *kernel, const char *layout,
					   uint64_t addr)
{
	struct ksm_sim *sim = ksm_sim_create();
	char text[1024];
	long sharing;

	snprintf(text, sizeof(text),
		 ONE_ROUND_PER_BATCH "set sim.kernel=%s sim.layout=%s\n"
		 "spawn a\nmmap a 0x%llx 2\nwrite a 0x%llx 2 token=7\n"
		 "madvise a 0x%llx 2 mergeable\nscan rounds=2\n"
		 "expect pages_sharing=1\nwrite a 0x%llx 1 token=7\nscan rounds=1\n",
		 kernel, layout, (unsigned long long)addr, (unsigned long long)addr,
		 (unsigned long long)addr, (unsigned long long)addr);
	run_on(sim, text);
	sharing = counters(sim).pages_sharing;
	done(sim);
	return sharing;
}

static void test_same_content_cow_remerge(void **state)
{
	(void)state;
	assert_int_equal(sharing_after_same_content_cow("baseline", "lp64", A), 1);
	assert_int_equal(sharing_after_same_content_cow("lpi", "lp64", A), 0);
	assert_int_equal(sharing_after_same_content_cow("lpi", "ilp32", 0x10000000), 0);
	assert_int_equal(sharing_after_same_content_cow("lpi", "ilp32-reordered", 0x10000000), 1);
}

/*
 * T36, R5.1.4 vs §5.2: two pages that merge only when old enough to have
 * remaining skips; a later COW of page 0.  On its next visit the baseline
 * ages and skips the still-stable item (removing it from the stable tree);
 * the lpi kernel neither ages nor skips it.
 */
static struct ksm_sim *cow_of_old_stable_item(const char *kernel)
{
	struct ksm_sim *sim = ksm_sim_create();
	char text[1024];

	snprintf(text, sizeof(text),
		 "set pages_to_scan=10000 smart_scan=1 sim.kernel=%s\n"
		 "spawn a\nmmap a 0x100000000000 2\n"
		 "write a 0x100000000000 1 token=7\nwrite a 0x100000001000 1 token=8\n"
		 "madvise a 0x100000000000 2 mergeable\nscan rounds=4\n"
		 "write a 0x100000001000 1 token=7\nscan rounds=5\n"
		 "expect pages_shared=1 pages_sharing=1\n"
		 "write a 0x100000000000 1 token=9\nscan rounds=1\n", kernel);
	run_on(sim, text);
	return sim;
}

static void test_smart_scan_cow_of_stable_item(void **state)
{
	struct ksm_sim *base = cow_of_old_stable_item("baseline");
	struct ksm_sim *lpi = cow_of_old_stable_item("lpi");
	struct ksm_counters cb = counters(base), cl = counters(lpi);
	struct ksm_rmap_item *ib = item_at(base, "a", A), *il = item_at(lpi, "a", A);

	(void)state;
	assert_int_equal(cb.pages_skipped, cl.pages_skipped + 1);
	assert_int_equal(cb.pages_scanned + 1, cl.pages_scanned);
	/* both left the stable tree; the baseline item kept ageing */
	assert_int_equal(ib->address & ~KSM_PAGE_MASK, 0);
	assert_int_equal(il->address & ~KSM_PAGE_MASK, 0);
	assert_int_equal(rmap_item_age(base->ksm, ib), 10);
	assert_int_equal(rmap_item_age(lpi->ksm, il), 0);
	assert_int_equal(cb.pages_shared, 1);
	assert_int_equal(cl.pages_shared, 1);
	done(base);
	done(lpi);
}

/*
 * §1.7: what the index overlays.  After the same COW as above on 32-bit
 * the lpi reset clears only the checksum (the age survives, frozen while
 * stable); with the reordered layout it clears the ages and keeps the
 * checksum.
 */
static void test_overlay_bytes_per_layout(void **state)
{
	const char *layouts[] = { "ilp32", "ilp32-reordered" };

	(void)state;
	for (int k = 0; k < 2; k++) {
		struct ksm_sim *sim = ksm_sim_create();
		struct ksm_rmap_item *it;
		char text[1024];

		snprintf(text, sizeof(text),
			 "set pages_to_scan=10000 smart_scan=1 sim.kernel=lpi sim.layout=%s\n"
			 "spawn a\nmmap a 0x10000000 2\nwrite a 0x10000000 2 token=7\n"
			 "madvise a 0x10000000 2 mergeable\nscan rounds=2\n"
			 "expect pages_sharing=1\n", layouts[k]);
		run_on(sim, text);
		it = item_at(sim, "a", 0x10000000);
		/* stable: the overlay holds the page offset */
		assert_int_equal(rmap_item_linear_page_index(sim->ksm, it), 0x10000);
		run_on(sim, "write a 0x10000000 1 token=7\nscan rounds=1\n");
		it = item_at(sim, "a", 0x10000000);
		if (k == 0) {
			/* oldchecksum was zeroed, then stored again: volatile */
			assert_int_equal(rmap_item_age(sim->ksm, it), 2);
			assert_int_equal(counters(sim).pages_sharing, 0);
		} else {
			assert_int_equal(rmap_item_age(sim->ksm, it), 0);
			assert_int_equal(counters(sim).pages_sharing, 1);
		}
		done(sim);
	}
}

/* §6.1: the profits use sizeof(struct ksm_rmap_item) of the layout. */
static void test_profit_uses_layout_size(void **state)
{
	struct ksm_sim *sim;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH "set sim.layout=ilp32\n"
		  "spawn a\nmmap a 0x10000000 2\nwrite a 0x10000000 2 token=7\n"
		  "madvise a 0x10000000 2 mergeable\nscan rounds=2\n"
		  "expect general_profit=4024 a.ksm_process_profit=8120\n");
	done(sim);
}

/* R7.6.3, T13/T17: a forked child's items join on the first visit, even
 * beyond max_page_sharing. */
static void test_fork_joins_beyond_limit(void **state)
{
	struct ksm_sim *sim;

	(void)state;
	sim = run(ONE_ROUND_PER_BATCH "set max_page_sharing=2\n"
		  "spawn a\nmmap a 0x100000000000 2\nwrite a 0x100000000000 2 token=7\n"
		  "madvise a 0x100000000000 2 mergeable\nscan rounds=2\nfork a b\n"
		  "expect b.ksm_rmap_items=0 pages_sharing=1\nscan rounds=1\n"
		  "expect pages_shared=1 pages_sharing=3 stable_node_chains=0 b.ksm_merging_pages=2\n");
	assert_int_equal(item_at(sim, "a", A)->head->rmap_hlist_len, 4);
	done(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_delay),
		cmocka_unit_test(test_stable_list_order),
		cmocka_unit_test(test_chain_at_max_page_sharing),
		cmocka_unit_test(test_full_page_leaves_one_unshared),
		cmocka_unit_test(test_skip_schedule),
		cmocka_unit_test(test_smart_scan_off_freezes_age),
		cmocka_unit_test(test_use_zero_pages),
		cmocka_unit_test(test_break_cow_after_second_merge_fails),
		cmocka_unit_test(test_stable_tree_insert_fails),
		cmocka_unit_test(test_merge_one_page_fails),
		cmocka_unit_test(test_rmap_item_alloc_fails),
		cmocka_unit_test(test_same_content_cow_remerge),
		cmocka_unit_test(test_smart_scan_cow_of_stable_item),
		cmocka_unit_test(test_overlay_bytes_per_layout),
		cmocka_unit_test(test_profit_uses_layout_size),
		cmocka_unit_test(test_fork_joins_beyond_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
