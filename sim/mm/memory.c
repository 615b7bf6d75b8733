// SPDX-License-Identifier: MIT
/*
 * DOC: Faults, copy-on-write, unsharing, zapping (mm/memory.c)
 *
 * The page-level rules of Linux 6.18 for private anonymous memory:
 *
 *  - A read of an empty entry maps the shared zero page read-only and
 *    clean, and prepares no anon_vma (do_anonymous_page()).
 *  - A write to an empty entry prepares the anon_vma and maps a new
 *    exclusive folio writable and dirty (do_anonymous_page()).
 *  - A write to a read-only entry (do_wp_page()): a KSM folio is always
 *    copied; an anonymous folio is reused when it is exclusive or this is
 *    its only reference (wp_can_reuse_anon_folio()), and moves to the
 *    faulting VMA's anon_vma (folio_move_anon_rmap()); anything else,
 *    including the zero page, is copied (wp_page_copy()).  A copy gets
 *    index = linear_page_index() of the faulting address.
 *  - An unshare fault (FAULT_FLAG_UNSHARE, used by break_ksm()) copies a
 *    KSM folio or replaces a KSM-placed zero page the same way, but maps
 *    the copy read-only.
 *  - Removing an entry that KSM placed on the zero page tells KSM at once
 *    (the hook ksm_might_unmap_zero_page(), mm/ksm_hooks.h), which drops
 *    its zero-page counters; mm changes no KSM counter itself.
 */
#include "mm/internal.h"
#include "mm/ksm_hooks.h"

/* A new exclusive anonymous folio mapped at @addr with @pte_flags. */
static struct folio *map_new_folio(struct ksm_sim *sim,
				   struct vm_area_struct *vma, uint64_t addr,
				   uint64_t content, uint64_t pte_flags)
{
	struct folio *folio = folio_alloc(sim);

	folio_set_content(sim, folio, content);
	folio_set_anon(folio, vma, addr);
	folio_add_rmap(folio);
	pte_set(sim, vma->vm_mm, addr, pfn_pte(folio->pfn, pte_flags));
	return folio;
}

/*
 * wp_page_copy(): replace whatever @pte maps at @addr by a private copy
 * (the zero page copies as zeroes), mapped with @pte_flags.
 */
static struct folio *wp_page_copy(struct ksm_sim *sim,
				  struct vm_area_struct *vma, uint64_t addr,
				  pte_t pte, uint64_t pte_flags)
{
	struct folio *old = pfn_folio(sim, pte_pfn(pte));
	uint64_t content = old->content;

	ksm_might_unmap_zero_page(sim, vma->vm_mm, pte);
	folio_remove_rmap(sim, old);
	return map_new_folio(sim, vma, addr, content, pte_flags);
}

/*
 * wp_can_reuse_anon_folio(): a non-KSM anonymous folio may be written in
 * place when it is marked exclusive, or when this mapping holds its only
 * reference (then it becomes exclusive to this VMA).
 */
static bool wp_can_reuse_anon_folio(const struct folio *folio)
{
	if (folio_test_ksm(folio))
		return false;
	if (folio->flags & FOLIO_ANON_EXCLUSIVE)
		return true;
	return folio->refcount == 1;
}

int handle_write_fault(struct ksm_sim *sim, struct vm_area_struct *vma,
		       uint64_t addr, uint64_t token)
{
	struct mm_struct *mm = vma->vm_mm;
	pte_t pte = pte_get(mm, addr);
	struct folio *folio;

	anon_vma_prepare(sim, vma);
	if (pte_none(pte)) {
		map_new_folio(sim, vma, addr, token, PTE_WRITE | PTE_DIRTY);
		return 0;
	}
	folio = pfn_folio(sim, pte_pfn(pte));
	if (pte_write(pte)) {
		folio_set_content(sim, folio, token);
		return 0;
	}
	if (is_zero_pfn(pte_pfn(pte)) || !wp_can_reuse_anon_folio(folio)) {
		folio = wp_page_copy(sim, vma, addr, pte, PTE_WRITE | PTE_DIRTY);
		folio_set_content(sim, folio, token);
		return 0;
	}
	/*
	 * Reuse.  A folio that was not exclusive becomes this VMA's
	 * (folio_move_anon_rmap() inside wp_can_reuse_anon_folio()); an
	 * exclusive one keeps its mapping untouched.
	 */
	if (!(folio->flags & FOLIO_ANON_EXCLUSIVE))
		folio->anon_vma = vma->anon_vma;
	folio->flags |= FOLIO_ANON_EXCLUSIVE;
	pte_set(sim, mm, addr, pte | PTE_WRITE | PTE_DIRTY);
	folio_set_content(sim, folio, token);
	return 0;
}

void handle_read_fault(struct ksm_sim *sim, struct vm_area_struct *vma,
		       uint64_t addr)
{
	if (pte_none(pte_get(vma->vm_mm, addr)))
		pte_set(sim, vma->vm_mm, addr, pfn_pte(ZERO_PFN, 0));
}

void do_unshare_fault(struct ksm_sim *sim, struct vm_area_struct *vma,
		      uint64_t addr)
{
	pte_t pte = pte_get(vma->vm_mm, addr);
	struct folio *folio;

	if (!pte_present(pte))
		return;
	if (is_zero_pfn(pte_pfn(pte))) {
		if (!is_ksm_zero_pte(pte))
			return;
	} else {
		folio = pfn_folio(sim, pte_pfn(pte));
		if (!folio_test_ksm(folio))
			return;
	}
	anon_vma_prepare(sim, vma);
	wp_page_copy(sim, vma, addr, pte, 0);
}

void zap_page_range(struct ksm_sim *sim, struct vm_area_struct *vma,
		    uint64_t start, uint64_t end)
{
	struct mm_struct *mm = vma->vm_mm;
	uint64_t addr = start;

	while (pte_next_used(mm, &addr, end)) {
		pte_t pte = pte_get(mm, addr);

		ksm_might_unmap_zero_page(sim, mm, pte);
		if (!is_zero_pfn(pte_pfn(pte)))
			folio_remove_rmap(sim, pfn_folio(sim, pte_pfn(pte)));
		pte_set(sim, mm, addr, 0);
		addr += KSM_PAGE_SIZE;
	}
}

/*
 * copy_page_range() / copy_present_pte() for a private anonymous VMA:
 * every entry is shared with the child; a writable entry is
 * write-protected in both, an anonymous folio loses its exclusive mark
 * and gains a mapping.  Zero-page entries (KSM-placed ones stay dirty)
 * are copied as they are.  Only VMAs with an anon_vma are copied
 * (vma_needs_copy()); the caller checks that.
 */
void copy_page_range(struct ksm_sim *sim, struct vm_area_struct *dst,
		     struct vm_area_struct *src)
{
	struct mm_struct *src_mm = src->vm_mm, *dst_mm = dst->vm_mm;
	uint64_t addr = src->vm_start;

	while (pte_next_used(src_mm, &addr, src->vm_end)) {
		pte_t pte = pte_get(src_mm, addr);

		if (!is_zero_pfn(pte_pfn(pte))) {
			struct folio *folio = pfn_folio(sim, pte_pfn(pte));

			folio->flags &= ~FOLIO_ANON_EXCLUSIVE;
			folio_add_rmap(folio);
			if (pte_write(pte)) {
				pte &= ~PTE_WRITE;
				pte_set(sim, src_mm, addr, pte);
			}
		}
		pte_set(sim, dst_mm, addr, pte);
		addr += KSM_PAGE_SIZE;
	}
}

void move_page_tables(struct ksm_sim *sim, struct mm_struct *mm,
		      uint64_t old_addr, uint64_t new_addr, uint64_t len)
{
	uint64_t addr = old_addr, end = old_addr + len;

	while (pte_next_used(mm, &addr, end)) {
		pte_t pte = pte_get(mm, addr);

		pte_set(sim, mm, addr, 0);
		pte_set(sim, mm, new_addr + (addr - old_addr), pte);
		addr += KSM_PAGE_SIZE;
	}
}
