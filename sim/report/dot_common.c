// SPDX-License-Identifier: MIT
/*
 * DOC: Graphviz pictures — shared machinery and sim_dot()
 *
 * sim_dot() checks its arguments, builds the picture with cgraph through
 * the drawing functions of dot_*.c, and writes it: agwrite() for DOT
 * text, gvLayout() + gvRenderFilename() for SVG, PNG and PDF.  Only API
 * present in both Graphviz 2.42/2.43 (Debian 12) and 14.x (Homebrew) is
 * used; where the two declare a parameter `char *` and `const char *`
 * respectively, a writable or literal string is passed, which both accept.
 *
 * Every attribute is set through the library (agattr() symbols and
 * agxset()), so quoting in the DOT text is cgraph's job.  Labels are
 * escStrings, whose backslashes are escapes: text goes through
 * dot_escape() (the struct dot_label builder does it), and only the line
 * ends are written as escapes on purpose.
 *
 * Layout hints: trees are drawn top-down with `ordering=out` on their
 * nodes, and the tree edges of a node are created left first with an
 * invisible stand-in for a missing child, so a right child is drawn to
 * the right even when it has no sibling.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gvc.h>

#include "core/alloc.h"
#include "core/cleanup.h"
#include "ksmsim/rmap.h"
#include "report/dot_internal.h"

/* ------------------------------------------------------------------ */
/* Escaping and labels                                                 */
/* ------------------------------------------------------------------ */

size_t dot_escape(char *out, size_t outlen, const char *text)
{
	size_t need = 0, used = 0;
	bool room = outlen > 0;

	for (const char *p = text; *p; p++) {
		size_t n = *p == '\\' ? 2 : 1;

		/* Stop at the first thing that does not fit: a prefix of the
		 * escaped text, never half of a doubled backslash. */
		if (room && used + n < outlen) {
			if (n == 2)
				out[used++] = '\\';
			out[used++] = *p;
		} else {
			room = false;
		}
		need += n;
	}
	if (outlen)
		out[used] = '\0';
	return need;
}

static void dl_reserve(struct dot_label *l, size_t more)
{
	if (l->len + more + 1 <= l->cap)
		return;
	while (l->len + more + 1 > l->cap)
		l->cap = l->cap ? 2 * l->cap : 256;
	l->s = xrealloc(l->s, l->cap);
}

void dl_reset(struct dot_label *l)
{
	dl_reserve(l, 0);
	l->len = 0;
	l->s[0] = '\0';
}

void dl_free(struct dot_label *l)
{
	free(l->s);
	memset(l, 0, sizeof(*l));
}

static void dl_vprintf(struct dot_label *l, const char *fmt, va_list ap)
{
	char small[256], *text = small;
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(small)) {
		text = xmalloc((size_t)n + 1);
		vsnprintf(text, (size_t)n + 1, fmt, ap2);
	}
	va_end(ap2);
	n = (int)dot_escape(NULL, 0, text);
	dl_reserve(l, (size_t)n);
	dot_escape(l->s + l->len, (size_t)n + 1, text);
	l->len += (size_t)n;
	if (text != small)
		free(text);
}

/* An escape sequence, appended as it is. */
static void dl_raw(struct dot_label *l, const char *esc)
{
	size_t n = strlen(esc);

	dl_reserve(l, n);
	memcpy(l->s + l->len, esc, n + 1);
	l->len += n;
}

void dl_printf(struct dot_label *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dl_vprintf(l, fmt, ap);
	va_end(ap);
}

void dl_line(struct dot_label *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dl_vprintf(l, fmt, ap);
	va_end(ap);
	dl_raw(l, "\\n");
}

void dl_linel(struct dot_label *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	dl_vprintf(l, fmt, ap);
	va_end(ap);
	dl_raw(l, "\\l");
}

void dl_lines(struct dot_label *l, const char *text)
{
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");

		dl_line(l, "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
	}
}

/* ------------------------------------------------------------------ */
/* The graph                                                           */
/* ------------------------------------------------------------------ */

struct attr_decl {
	int kind;
	const char *name;
	const char *def;
};

static const struct attr_decl attr_decls[DA__COUNT] = {
	[DA_G_LABEL] = { AGRAPH, "label", "" },
	[DA_G_LABELLOC] = { AGRAPH, "labelloc", "t" },
	[DA_G_STYLE] = { AGRAPH, "style", "" },
	[DA_G_COLOR] = { AGRAPH, "color", "black" },
	[DA_G_FONTNAME] = { AGRAPH, "fontname", "monospace" },
	[DA_G_FONTSIZE] = { AGRAPH, "fontsize", "12" },
	[DA_G_RANKDIR] = { AGRAPH, "rankdir", "TB" },
	[DA_G_NODESEP] = { AGRAPH, "nodesep", "0.2" },
	[DA_G_RANKSEP] = { AGRAPH, "ranksep", "0.3" },
	[DA_N_LABEL] = { AGNODE, "label", "" },
	[DA_N_SHAPE] = { AGNODE, "shape", "box" },
	[DA_N_STYLE] = { AGNODE, "style", "" },
	[DA_N_FILLCOLOR] = { AGNODE, "fillcolor", "white" },
	[DA_N_COLOR] = { AGNODE, "color", "black" },
	[DA_N_FONTCOLOR] = { AGNODE, "fontcolor", "black" },
	[DA_N_PENWIDTH] = { AGNODE, "penwidth", "1" },
	[DA_N_FONTNAME] = { AGNODE, "fontname", "monospace" },
	[DA_N_FONTSIZE] = { AGNODE, "fontsize", "10" },
	[DA_N_WIDTH] = { AGNODE, "width", "0.3" },
	[DA_N_HEIGHT] = { AGNODE, "height", "0.2" },
	[DA_N_MARGIN] = { AGNODE, "margin", "0.08,0.04" },
	[DA_N_ORDERING] = { AGNODE, "ordering", "" },
	[DA_N_PERIPHERIES] = { AGNODE, "peripheries", "1" },
	[DA_E_LABEL] = { AGEDGE, "label", "" },
	[DA_E_STYLE] = { AGEDGE, "style", "" },
	[DA_E_COLOR] = { AGEDGE, "color", "black" },
	[DA_E_FONTCOLOR] = { AGEDGE, "fontcolor", "gray30" },
	[DA_E_ARROWHEAD] = { AGEDGE, "arrowhead", "normal" },
	[DA_E_FONTNAME] = { AGEDGE, "fontname", "monospace" },
	[DA_E_FONTSIZE] = { AGEDGE, "fontsize", "9" },
	[DA_E_WEIGHT] = { AGEDGE, "weight", "1" },
	[DA_E_CONSTRAINT] = { AGEDGE, "constraint", "true" },
	[DA_E_PENWIDTH] = { AGEDGE, "penwidth", "1" },
};

/*
 * cgraph 2.43 takes `char *` where 14.x takes `const char *`; the strings
 * are never written through, so casting away const is safe for both.
 */
static char *cs(const char *s)
{
	return (char *)s;
}

void dot_set(struct dot *d, void *obj, enum dot_attr a, const char *value)
{
	agxset(obj, d->sym[a], cs(value));
}

static void dot_open(struct dot *d, struct ksm_sim *sim, const struct dot_opts *opts)
{
	memset(d, 0, sizeof(*d));
	d->sim = sim;
	d->limit = opts && opts->limit ? opts->limit : DOT_DEFAULT_LIMIT;
	d->fold = opts && opts->fold ? opts->fold : DOT_DEFAULT_FOLD;
	if (d->fold == DOT_FOLD_NEVER)
		d->fold = 0;
	if (opts && opts->range_hi) {
		d->range_lo = opts->range_lo;
		d->range_hi = opts->range_hi;
	}
	d->g = dot_agopen("ksmsim");
	for (int i = 0; i < DA__COUNT; i++)
		d->sym[i] = agattr(d->g, attr_decls[i].kind, cs(attr_decls[i].name),
				   cs(attr_decls[i].def));
	dl_reset(&d->lb);
}

static void dot_close(struct dot *d)
{
	if (d->g)
		agclose(d->g);
	dl_free(&d->lb);
	dot_alias_free(d);
	d->g = NULL;
}

Agraph_t *dot_cluster(struct dot *d, Agraph_t *parent, const char *name,
		      const char *heading)
{
	char full[128];
	Agraph_t *sub;

	snprintf(full, sizeof(full), "cluster_%s", name);
	sub = agsubg(parent, full, 1);
	dl_reset(&d->lb);
	dl_printf(&d->lb, "%s", heading);
	dot_set(d, sub, DA_G_LABEL, d->lb.s);
	dot_set(d, sub, DA_G_STYLE, "rounded");
	dot_set(d, sub, DA_G_COLOR, "gray50");
	return sub;
}

/* The scan cursor, as a heading line. */
static void cursor_line(struct dot *d, struct dot_label *l)
{
	struct ksm_state *ksm = d->sim->ksm;

	if (!ksm->scan_slot) {
		dl_line(l, "full_scans %lu, cursor between rounds", ksm->seqnr);
		return;
	}
	dl_line(l, "full_scans %lu, cursor in round %lu at %s 0x%llx", ksm->seqnr,
		ksm->seqnr + 1, dot_owner(ksm->scan_slot->mm),
		(unsigned long long)ksm->scan_address);
}

void dot_heading(struct dot *d, const char *first, const char *title)
{
	struct ksm_state *ksm = d->sim->ksm;
	struct dot_label l = { 0 };

	dl_reset(&l);
	dl_line(&l, "%s", first);
	dl_line(&l, "kernel %s, layout %s, max_page_sharing %lu",
		ksm_kernel_name(ksm->kernel), ksm_layout_name(ksm->layout),
		ksm->knobs.max_page_sharing);
	cursor_line(d, &l);
	if (title && title[0])
		dl_line(&l, "%s", title);
	dot_set(d, d->g, DA_G_LABEL, l.s);
	dl_free(&l);
}

Agnode_t *dot_node(struct dot *d, Agraph_t *g, const char *name)
{
	Agnode_t *n = agnode(d->g, cs(name), 0);

	return n ? n : agnode(g, cs(name), 1);
}

Agedge_t *dot_edge(struct dot *d, Agraph_t *g, Agnode_t *t, Agnode_t *h,
		   const char *label, const char *style, const char *color)
{
	Agedge_t *e;

	if (!t || !h)
		return NULL;
	/*
	 * In @g when both ends are in it, so that the cluster's layout (and
	 * ordering=out) sees it; otherwise in the root graph, since an edge
	 * made in a cluster would pull its other end into the cluster.
	 */
	if (!agsubnode(g, t, 0) || !agsubnode(g, h, 0))
		g = d->g;
	e = agedge(g, t, h, NULL, 1);
	if (label) {
		dl_reset(&d->lb);
		dl_printf(&d->lb, "%s", label);
		dot_set(d, e, DA_E_LABEL, d->lb.s);
	}
	if (style)
		dot_set(d, e, DA_E_STYLE, style);
	if (color)
		dot_set(d, e, DA_E_COLOR, color);
	return e;
}

/* A node that is not a structure node: notes and placeholders. */
static Agnode_t *aux_node(struct dot *d, Agraph_t *g, const char *kind)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%u", kind, ++d->nnotes);
	return dot_node(d, g, name);
}

Agnode_t *dot_note(struct dot *d, Agraph_t *g, const char *text)
{
	Agnode_t *n = aux_node(d, g, "note");

	dl_reset(&d->lb);
	dl_lines(&d->lb, text);
	dot_set(d, n, DA_N_LABEL, d->lb.s);
	dot_set(d, n, DA_N_SHAPE, "note");
	dot_set(d, n, DA_N_STYLE, "filled");
	dot_set(d, n, DA_N_FILLCOLOR, "lightyellow");
	return n;
}

bool dot_budget(struct dot *d, enum dot_kind kind)
{
	if (d->drawn < d->limit) {
		d->drawn++;
		return true;
	}
	d->skipped[kind]++;
	return false;
}

static const char *const kind_names[DOTK__COUNT][2] = {
	[DOTK_STABLE] = { "stable node", "stable nodes" },
	[DOTK_ITEM] = { "rmap_item", "rmap_items" },
	[DOTK_VMA] = { "VMA", "VMAs" },
	[DOTK_ANON_VMA] = { "anon_vma", "anon_vmas" },
	[DOTK_AVC] = { "anon_vma_chain", "anon_vma_chains" },
	[DOTK_MM] = { "process", "processes" },
};

void dot_more(struct dot *d, Agraph_t *g)
{
	unsigned long total = 0;
	struct dot_label l = { 0 };
	Agnode_t *n;

	for (int k = 0; k < DOTK__COUNT; k++)
		total += d->skipped[k];
	if (!total)
		return;
	dl_reset(&l);
	dl_line(&l, "%lu more not drawn", total);
	dl_line(&l, "(limit %u nodes)", d->limit);
	for (int k = 0; k < DOTK__COUNT; k++)
		if (d->skipped[k])
			dl_line(&l, "%lu %s", d->skipped[k],
				kind_names[k][d->skipped[k] != 1]);
	n = aux_node(d, g, "more");
	dot_set(d, n, DA_N_LABEL, l.s);
	dot_set(d, n, DA_N_SHAPE, "note");
	dot_set(d, n, DA_N_STYLE, "filled");
	dot_set(d, n, DA_N_FILLCOLOR, "orange");
	dl_free(&l);
}

/* A line added to a node's label, centred if the label's lines are. */
static void rb_label(struct dot *d, Agnode_t *node, const char *text)
{
	const char *old = agxget(node, d->sym[DA_N_LABEL]);
	size_t n = strlen(old);

	if (n >= 2 && !strcmp(old + n - 2, "\\n")) {
		dl_reset(&d->lb);
		dl_raw(&d->lb, old);
		dl_line(&d->lb, "%s", text);
		dot_set(d, node, DA_N_LABEL, d->lb.s);
	} else {
		dot_label_add(d, node, text);
	}
}

/*
 * A tree node's colour is said in words and a grey shade, never with a
 * red hue or a border: red and green borders, thick and dashed, are what
 * the rmap picture marks divergence with, and orange dashed borders mark
 * what is not as it should be.  The two must not be confused.
 */
void dot_rb_colour(struct dot *d, Agnode_t *node, bool red)
{
	d->uses |= DOT_USES_RB;
	dot_set(d, node, DA_N_STYLE, "filled");
	dot_set(d, node, DA_N_FILLCOLOR, red ? "white" : "gray80");
	rb_label(d, node, red ? "rb: red" : "rb: black");
}

/* ------------------------------------------------------------------ */
/* Objects                                                             */
/* ------------------------------------------------------------------ */

const char *dot_owner(const struct mm_struct *mm)
{
	return mm->owner;
}

struct folio *dot_node_folio(struct ksm_sim *sim, struct ksm_stable_node *n)
{
	struct folio *f = pfn_folio(sim, n->kpfn);

	if (!f || (f->flags & FOLIO_FREE) || folio_stable_node(f) != n)
		return NULL;
	return f;
}

/* get_mergeable_page() of unstable_tree.c, which only reads. */
struct folio *dot_item_folio(struct ksm_sim *sim, struct ksm_rmap_item *it)
{
	uint64_t addr = it->address & KSM_PAGE_MASK;
	struct vm_area_struct *vma;
	struct folio *f;
	pte_t pte;

	if (mm_exiting(it->mm))
		return NULL;
	vma = vma_lookup(it->mm, addr);
	if (!vma || !(vma->vm_flags & VM_MERGEABLE) || !vma->anon_vma)
		return NULL;
	pte = pte_get(it->mm, addr);
	if (!pte_present(pte) || is_zero_pfn(pte_pfn(pte)))
		return NULL;
	f = pfn_folio(sim, pte_pfn(pte));
	return f && folio_test_anon(f) ? f : NULL;
}

static bool rb_red_stable(struct ksm_stable_node *n)
{
	return RB_COLOR(n, node) == RB_RED;
}

/* The content of a chain: its first live dup's page. */
static struct folio *chain_folio(struct ksm_sim *sim, struct ksm_stable_node *chain)
{
	struct ksm_stable_node *dup;

	LIST_FOREACH(dup, &chain->dups, hlist_dup) {
		struct folio *f = dot_node_folio(sim, dup);

		if (f)
			return f;
	}
	return NULL;
}

Agnode_t *dot_stable_node(struct dot *d, Agraph_t *g, struct ksm_stable_node *n)
{
	struct dot_label *l = &d->lb;
	struct folio *f;
	char name[48];
	Agnode_t *node;

	snprintf(name, sizeof(name), "stable_%llu", (unsigned long long)n->id);
	node = agnode(d->g, name, 0);
	if (node)
		return node;
	if (!dot_budget(d, DOTK_STABLE))
		return NULL;
	node = dot_node(d, g, name);
	dl_reset(l);
	if (n->kind == KSM_NODE_CHAIN) {
		struct ksm_stable_node *dup;
		unsigned dups = 0;

		LIST_FOREACH(dup, &n->dups, hlist_dup)
			dups++;
		f = chain_folio(d->sim, n);
		dl_line(l, "chain #%llu", (unsigned long long)n->id);
		if (f)
			dl_line(l, "content %llu", (unsigned long long)f->content);
		else
			dl_line(l, "no live dup");
		dl_line(l, "%u dup%s", dups, dups == 1 ? "" : "s");
		dot_set(d, node, DA_N_SHAPE, "hexagon");
		dot_set(d, node, DA_N_LABEL, l->s);
		dot_rb_colour(d, node, rb_red_stable(n));
		return node;
	} else {
		f = dot_node_folio(d->sim, n);
		if (n->kind == KSM_NODE_DUP)
			dl_line(l, "dup #%llu", (unsigned long long)n->id);
		else
			dl_line(l, "node #%llu", (unsigned long long)n->id);
		if (f)
			dl_line(l, "content %llu", (unsigned long long)f->content);
		else
			dl_line(l, "STALE: kpfn %llu", (unsigned long long)n->kpfn);
		dl_line(l, "kpfn %llu, %d item%s", (unsigned long long)n->kpfn,
			n->rmap_hlist_len, n->rmap_hlist_len == 1 ? "" : "s");
		dot_set(d, node, DA_N_SHAPE, "ellipse");
		dot_set(d, node, DA_N_LABEL, l->s);
		if (n->kind == KSM_NODE_DUP) {
			/* A dup is on its chain's list, not in the tree: its
			 * red-black entry means nothing. */
			dot_set(d, node, DA_N_STYLE, "filled");
			dot_set(d, node, DA_N_FILLCOLOR, "gray85");
		} else {
			dot_rb_colour(d, node, rb_red_stable(n));
		}
		/* Stale: the page at kpfn was freed (and maybe reused). */
		if (!f)
			dot_mark(d, node);
	}
	return node;
}

/* The flag bits of an item's address, in words. */
static void item_state_line(struct dot *d, struct dot_label *l,
			    struct ksm_rmap_item *it)
{
	struct ksm_state *ksm = d->sim->ksm;

	if (it->address & STABLE_FLAG) {
		dl_linel(l, "item #%llu  STABLE", (unsigned long long)it->id);
		if (ksm->kernel == KSM_KERNEL_LPI)
			dl_linel(l, "lpi 0x%llx  age %u  skips %u",
				 (unsigned long long)rmap_item_linear_page_index(ksm, it),
				 rmap_item_age(ksm, it), rmap_item_remaining_skips(ksm, it));
		else
			dl_linel(l, "age %u  skips %u", rmap_item_age(ksm, it),
				 rmap_item_remaining_skips(ksm, it));
		return;
	}
	if (it->address & UNSTABLE_FLAG)
		dl_linel(l, "item #%llu  UNSTABLE seqnr %llu", (unsigned long long)it->id,
			 (unsigned long long)(it->address & SEQNR_MASK));
	else
		dl_linel(l, "item #%llu  volatile", (unsigned long long)it->id);
	dl_linel(l, "age %u  skips %u", rmap_item_age(ksm, it),
		 rmap_item_remaining_skips(ksm, it));
}

Agnode_t *dot_rmap_item(struct dot *d, Agraph_t *g, struct ksm_rmap_item *it)
{
	struct dot_label *l = &d->lb;
	char name[48];
	Agnode_t *node;

	snprintf(name, sizeof(name), "item_%llu", (unsigned long long)it->id);
	node = agnode(d->g, name, 0);
	if (node)
		return node;
	if (!dot_budget(d, DOTK_ITEM))
		return NULL;
	node = dot_node(d, g, name);
	dl_reset(l);
	dl_linel(l, "%s 0x%llx%s", dot_owner(it->mm),
		 (unsigned long long)(it->address & KSM_PAGE_MASK),
		 mm_exiting(it->mm) ? " (exited)" : "");
	item_state_line(d, l, it);
	if (!(it->address & STABLE_FLAG)) {
		struct folio *f = dot_item_folio(d->sim, it);

		if (f)
			dl_linel(l, "maps content %llu now", (unsigned long long)f->content);
		else
			dl_linel(l, "maps no mergeable page now");
	}
	dot_set(d, node, DA_N_LABEL, l->s);
	dot_set(d, node, DA_N_SHAPE, "box");
	dot_set(d, node, DA_N_STYLE, "rounded,filled");
	dot_set(d, node, DA_N_FILLCOLOR,
		it->address & STABLE_FLAG ? "lightyellow" : "lightcyan");
	return node;
}

struct vma_pages dot_vma_pages(struct ksm_sim *sim,
					struct vm_area_struct *vma)
{
	struct vma_pages c = { 0 };
	uint64_t a = vma->vm_start;

	while (pte_next_used(vma->vm_mm, &a, vma->vm_end)) {
		pte_t pte = pte_get(vma->vm_mm, a);

		if (pte_present(pte)) {
			c.present++;
			if (is_zero_pfn(pte_pfn(pte))) {
				c.ksm_zero += is_ksm_zero_pte(pte);
			} else {
				struct folio *f = pfn_folio(sim, pte_pfn(pte));

				c.ksm += f && folio_test_ksm(f);
				c.shared += f && f->mapcount > 1;
			}
		}
		a += KSM_PAGE_SIZE;
	}
	return c;
}

Agnode_t *dot_vma(struct dot *d, Agraph_t *g, struct vm_area_struct *vma)
{
	struct dot_label *l = &d->lb;
	struct vma_pages c;
	uint64_t fl = vma->vm_flags;
	char name[48];
	Agnode_t *node;

	snprintf(name, sizeof(name), "vma_%llu", (unsigned long long)vma->id);
	node = agnode(d->g, name, 0);
	if (!node)
		node = dot_alias_get(d, vma); /* drawn in a fold */
	if (node)
		return node;
	if (!dot_budget(d, DOTK_VMA))
		return NULL;
	node = dot_node(d, g, name);
	c = dot_vma_pages(d->sim, vma);
	dl_reset(l);
	dl_linel(l, "%s  vma #%llu", dot_owner(vma->vm_mm), (unsigned long long)vma->id);
	dl_linel(l, "[0x%llx, 0x%llx) %llu page%s",
		 (unsigned long long)vma->vm_start, (unsigned long long)vma->vm_end,
		 (unsigned long long)vma_pages(vma), vma_pages(vma) == 1 ? "" : "s");
	dl_linel(l, "pgoff 0x%llx  %c%c%s%s", (unsigned long long)vma->vm_pgoff,
		 fl & VM_READ ? 'r' : '-', fl & VM_WRITE ? 'w' : '-',
		 fl & VM_MERGEABLE ? " mergeable" : "",
		 fl & VM_ACCOUNT ? " account" : "");
	if (vma->anon_vma)
		dl_linel(l, "anon_vma #%llu", (unsigned long long)vma->anon_vma->id);
	else
		dl_linel(l, "no anon_vma");
	dl_printf(l, "present %llu  ksm %llu  shared %llu", (unsigned long long)c.present,
		  (unsigned long long)c.ksm, (unsigned long long)c.shared);
	if (c.ksm_zero)
		dl_printf(l, "  ksm_zero %llu", (unsigned long long)c.ksm_zero);
	dl_linel(l, "%s", "");
	dot_set(d, node, DA_N_LABEL, l->s);
	dot_set(d, node, DA_N_SHAPE, "box");
	dot_set(d, node, DA_N_STYLE, "filled");
	dot_set(d, node, DA_N_FILLCOLOR, "lightblue");
	return node;
}

Agraph_t *dot_vma_home(struct dot *d, Agraph_t *g, struct vm_area_struct *vma)
{
	char name[64], heading[64];
	Agraph_t *sub;

	if (!d->vma_parent)
		return g;
	snprintf(name, sizeof(name), "cluster_vmas_%llu",
		 (unsigned long long)vma->vm_mm->id);
	sub = agsubg(d->vma_parent, name, 0);
	if (sub)
		return sub;
	snprintf(heading, sizeof(heading), "process %s", dot_owner(vma->vm_mm));
	return dot_cluster(d, d->vma_parent, name + strlen("cluster_"), heading);
}

Agnode_t *dot_anon_vma(struct dot *d, Agraph_t *g, struct anon_vma *av)
{
	struct dot_label *l = &d->lb;
	char name[48];
	Agnode_t *node;

	snprintf(name, sizeof(name), "av_%llu", (unsigned long long)av->id);
	node = agnode(d->g, name, 0);
	if (node)
		return node;
	if (!dot_budget(d, DOTK_ANON_VMA))
		return NULL;
	node = dot_node(d, g, name);
	dl_reset(l);
	dl_line(l, "anon_vma #%llu%s", (unsigned long long)av->id,
		av->root == av ? " (root)" : "");
	if (av->root != av)
		dl_line(l, "root #%llu  parent #%llu", (unsigned long long)av->root->id,
			(unsigned long long)av->parent->id);
	dl_line(l, "refcount %d  children %lu", av->refcount, av->num_children);
	dl_line(l, "active VMAs %lu  chains %zu", av->num_active_vmas, av->rb_root.count);
	dot_set(d, node, DA_N_LABEL, l->s);
	dot_set(d, node, DA_N_SHAPE, "octagon");
	dot_set(d, node, DA_N_STYLE, "filled");
	dot_set(d, node, DA_N_FILLCOLOR, "palegreen");
	return node;
}

Agnode_t *dot_avc(struct dot *d, Agraph_t *g, struct anon_vma_chain *avc)
{
	struct dot_label *l = &d->lb;
	char name[64];
	Agnode_t *node;

	snprintf(name, sizeof(name), "avc_%llu_%llu", (unsigned long long)avc->vma->id,
		 (unsigned long long)avc->anon_vma->id);
	node = agnode(d->g, name, 0);
	if (node)
		return node;
	if (!dot_budget(d, DOTK_AVC))
		return NULL;
	node = dot_node(d, g, name);
	dl_reset(l);
	dl_line(l, "[0x%llx, 0x%llx]", (unsigned long long)avc->rb.start,
		(unsigned long long)avc->rb.last);
	dl_line(l, "subtree_last 0x%llx", (unsigned long long)avc->rb.subtree_last);
	dl_line(l, "vma #%llu (%s)", (unsigned long long)avc->vma->id,
		dot_owner(avc->vma->vm_mm));
	dot_set(d, node, DA_N_LABEL, l->s);
	dot_set(d, node, DA_N_SHAPE, "box");
	dot_rb_colour(d, node, RB_COLOR(&avc->rb, rb) == RB_RED);
	return node;
}

void dot_label_add(struct dot *d, Agnode_t *node, const char *text)
{
	const char *old = agxget(node, d->sym[DA_N_LABEL]);

	dl_reset(&d->lb);
	dl_raw(&d->lb, old);
	dl_linel(&d->lb, "%s", text);
	dot_set(d, node, DA_N_LABEL, d->lb.s);
}

void dot_mark(struct dot *d, Agnode_t *node)
{
	d->uses |= DOT_USES_MARK;
	dot_set(d, node, DA_N_STYLE, "filled,dashed");
	dot_set(d, node, DA_N_COLOR, "orange");
	dot_set(d, node, DA_N_PENWIDTH, "3");
}

bool dot_item_wanted(struct dot *d, struct ksm_rmap_item *it)
{
	uint64_t a = it->address & KSM_PAGE_MASK;

	if (d->range_hi && (a < d->range_lo || a >= d->range_hi))
		return false;
	return !d->focus_mm || it->mm == d->focus_mm;
}

bool dot_vma_in_range(struct dot *d, const struct vm_area_struct *vma)
{
	return !d->range_hi || (vma->vm_end > d->range_lo && vma->vm_start < d->range_hi);
}

/* ------------------------------------------------------------------ */
/* Red-black trees                                                     */
/* ------------------------------------------------------------------ */

struct tree_entry {
	void *n;
	size_t parent;      /* index; SIZE_MAX for the root     */
	unsigned depth;     /* the root's is 0                   */
	bool wanted;        /* matters under the focus itself   */
	bool self;          /* drawn for itself, not as a path  */
	bool keep;          /* drawn (self, or above one)       */
	size_t size;        /* nodes in its subtree             */
	size_t nwanted;     /* wanted nodes in its subtree      */
	size_t kid[2];      /* left, right child index or SIZE_MAX */
	Agnode_t *node;
};

/*
 * A stand-in for a child that is not drawn: invisible for a missing one
 * (it keeps the sibling on its side), "k nodes hidden" for a subtree the
 * focus leaves out, "..." for one the budget left out.
 */
enum stand_in_kind { SI_NONE, SI_HIDDEN, SI_BUDGET };

static void stand_in(struct dot *d, Agraph_t *g, Agnode_t *parent,
		     enum stand_in_kind kind, size_t hidden)
{
	Agnode_t *n = aux_node(d, g, kind == SI_NONE ? "nil" : "hidden");
	char text[64];

	if (kind == SI_NONE) {
		dot_set(d, n, DA_N_STYLE, "invis");
		dot_set(d, n, DA_N_SHAPE, "point");
		dot_edge(d, g, parent, n, NULL, "invis", NULL);
		return;
	}
	if (kind == SI_HIDDEN)
		snprintf(text, sizeof(text), "%zu node%s hidden", hidden,
			 hidden == 1 ? "" : "s");
	else
		snprintf(text, sizeof(text), "...");
	dl_reset(&d->lb);
	dl_printf(&d->lb, "%s", text);
	dot_set(d, n, DA_N_LABEL, d->lb.s);
	dot_set(d, n, DA_N_SHAPE, "plaintext");
	dot_set(d, n, DA_N_FONTCOLOR, "gray40");
	dot_edge(d, g, parent, n, NULL, "dotted", "gray60");
}

/* Processes of a folded subtree and how many of its nodes each has. */
#define FOLD_OWNERS 4

struct owner_tally {
	const char *name[FOLD_OWNERS];
	size_t count[FOLD_OWNERS];
	size_t others;
};

static void tally(struct owner_tally *o, const char *name)
{
	int i;

	if (!name)
		return;
	for (i = 0; i < FOLD_OWNERS && o->name[i]; i++) {
		if (!strcmp(o->name[i], name)) {
			o->count[i]++;
			return;
		}
	}
	if (i == FOLD_OWNERS) {
		o->others++;
		return;
	}
	o->name[i] = name;
	o->count[i] = 1;
}

/*
 * The subtree under entry @c, cut by a big tree's depth, as one node: how
 * many of its nodes the picture wanted, the keys it spans in order, and
 * whose they are.  Its nodes are not walked again: subtrees folded are
 * disjoint, so a tree costs O(n) however it is cut.
 */
static void fold_subtree(struct dot *d, Agraph_t *g, const struct dot_tree *t,
			 struct tree_entry *e, size_t c, Agnode_t *parent)
{
	struct owner_tally o = { 0 };
	size_t lo = c, hi = c, *stack, top = 0;
	struct dot_label l = { 0 };
	char k1[96] = "", k2[96] = "";
	Agnode_t *n;

	n = dot_fold_node(d, g, t->kind, e[c].nwanted);
	if (!n)
		return;
	d->uses |= DOT_USES_FOLD;
	while (e[lo].kid[0] != SIZE_MAX)
		lo = e[lo].kid[0];
	while (e[hi].kid[1] != SIZE_MAX)
		hi = e[hi].kid[1];
	stack = xmalloc(sizeof(*stack) * e[c].size);
	stack[top++] = c;
	while (top) {
		size_t i = stack[--top];

		if (t->owner && e[i].wanted)
			tally(&o, t->owner(e[i].n));
		for (int k = 0; k < 2; k++)
			if (e[i].kid[k] != SIZE_MAX)
				stack[top++] = e[i].kid[k];
	}
	free(stack);
	dl_reset(&l);
	dl_line(&l, "subtree of %zu %s", e[c].size, t->what ? t->what : "nodes");
	if (e[c].nwanted != e[c].size)
		dl_line(&l, "%zu of them wanted here", e[c].nwanted);
	if (t->key) {
		t->key(d, e[lo].n, k1, sizeof(k1));
		t->key(d, e[hi].n, k2, sizeof(k2));
		dl_line(&l, "in order %s", k1);
		dl_line(&l, "to %s", k2);
	}
	if (o.name[0]) {
		char line[160];
		size_t used = 0;

		for (int i = 0; i < FOLD_OWNERS && o.name[i]; i++)
			used += (size_t)snprintf(line + used, used < sizeof(line) ?
						 sizeof(line) - used : 0, "%s%s %zu",
						 i ? ", " : "", o.name[i], o.count[i]);
		if (o.others && used < sizeof(line))
			snprintf(line + used, sizeof(line) - used, ", others %zu", o.others);
		dl_line(&l, "%s", line);
	}
	dot_set(d, n, DA_N_LABEL, l.s);
	dot_set(d, n, DA_N_SHAPE, "box");
	dot_set(d, n, DA_N_STYLE, "rounded,dashed");
	dot_set(d, n, DA_N_COLOR, "gray40");
	dl_free(&l);
	dot_edge(d, g, parent, n, NULL, "dotted", "gray40");
}

size_t dot_tree(struct dot *d, Agraph_t *g, const struct dot_tree *t)
{
	struct tree_entry *e;
	size_t n = 0, cap = 64, drawn = 0;
	bool big;

	if (!t->root)
		return 0;
	/* Breadth-first order: a parent before its children. */
	e = xmalloc(sizeof(*e) * cap);
	e[n++] = (struct tree_entry){ .n = t->root, .parent = SIZE_MAX,
				      .kid = { SIZE_MAX, SIZE_MAX } };
	for (size_t i = 0; i < n; i++) {
		void *kids[2] = { t->left(e[i].n), t->right(e[i].n) };

		for (int k = 0; k < 2; k++) {
			if (!kids[k])
				continue;
			if (n == cap)
				e = xrealloc(e, sizeof(*e) * (cap *= 2));
			e[i].kid[k] = n;
			e[n++] = (struct tree_entry){ .n = kids[k], .parent = i,
						      .depth = e[i].depth + 1,
						      .kid = { SIZE_MAX, SIZE_MAX } };
		}
	}
	/*
	 * A big tree is drawn to a fixed depth: what Graphviz can lay out
	 * and a reader can take in.  Below it only what the picture is
	 * about (pinned) is drawn, with the path to it.
	 */
	big = d->fold && n > DOT_TREE_FULL;
	/* Children before parents: sizes, and what is drawn. */
	for (size_t i = n; i-- > 0;) {
		e[i].size++;
		e[i].wanted = !t->wanted || t->wanted(d, e[i].n);
		e[i].nwanted += e[i].wanted;
		e[i].self = (e[i].wanted && (!big || e[i].depth <= DOT_TREE_DEPTH)) ||
			    (t->pinned && t->pinned(d, e[i].n));
		e[i].keep |= e[i].self;
		if (e[i].parent != SIZE_MAX) {
			e[e[i].parent].size += e[i].size;
			e[e[i].parent].nwanted += e[i].nwanted;
			e[e[i].parent].keep |= e[i].keep;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!e[i].keep)
			continue;
		e[i].node = t->draw(d, g, e[i].n);
		if (e[i].node) {
			dot_set(d, e[i].node, DA_N_ORDERING, "out");
			drawn++;
		}
	}
	/* Edges, left before right, so that ordering=out keeps the sides. */
	for (size_t i = 0; i < n; i++) {
		bool any = false;

		if (!e[i].node)
			continue;
		for (int k = 0; k < 2; k++)
			any |= e[i].kid[k] != SIZE_MAX;
		for (int k = 0; k < 2 && any; k++) {
			size_t c = e[i].kid[k];

			if (c == SIZE_MAX)
				stand_in(d, g, e[i].node, SI_NONE, 0);
			else if (!e[c].keep && e[c].nwanted)
				fold_subtree(d, g, t, e, c, e[i].node);
			else if (!e[c].keep)
				stand_in(d, g, e[i].node, SI_HIDDEN, e[c].size);
			else if (!e[c].node)
				stand_in(d, g, e[i].node, SI_BUDGET, 0);
			else
				dot_edge(d, g, e[i].node, e[c].node, NULL, NULL, NULL);
		}
		/* A node only on the way to a wanted one brings nothing along. */
		if (t->hang && e[i].self)
			t->hang(d, g, e[i].n, e[i].node);
	}
	free(e);
	return drawn;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

enum dot_format dot_format_of(const char *file)
{
	size_t n = strlen(file);

	if (n > 4 && !strcmp(file + n - 4, ".svg"))
		return DOT_FORMAT_SVG;
	if (n > 4 && !strcmp(file + n - 4, ".png"))
		return DOT_FORMAT_PNG;
	if (n > 4 && !strcmp(file + n - 4, ".pdf"))
		return DOT_FORMAT_PDF;
	return DOT_FORMAT_DOT;
}

/*
 * Graphviz reports problems through agerr(); the library must not print,
 * so they are collected here for the error message instead.  Graphviz's
 * error state is global, and so is this.
 */
static char gv_msg[200];

static int gv_collect(char *msg)
{
	size_t n;

	/* Keep the first error; warnings come before it and matter less. */
	if (gv_msg[0] && strncmp(gv_msg, "Warning", 7))
		return 0;
	snprintf(gv_msg, sizeof(gv_msg), "%s", msg);
	n = strlen(gv_msg);
	while (n && (gv_msg[n - 1] == '\n' || gv_msg[n - 1] == ' '))
		gv_msg[--n] = '\0';
	return 0;
}

/*
 * One gvc context for the whole process, made on first use and kept.
 * Graphviz 2.43's pango plugin caches the last font name in a static
 * variable that points into the context's font dictionary: after
 * gvFreeContext() the next context's first text measurement compares
 * against freed memory.  A machine replaying a trace may render many
 * pictures, so the context must outlive them all.
 */
static GVC_t *gvc_context(void)
{
	static GVC_t *gvc;

	if (!gvc)
		gvc = gvContext();
	return gvc;
}

#ifdef KSMSIM_SANITIZE
/*
 * LeakSanitizer: the font machinery under Graphviz's renderers (fontconfig,
 * pango, cairo, glib) keeps caches it never frees, gvContext() loses its
 * configuration text, and 2.43's dot layout loses some of its own
 * allocations (gmalloc(), libgvc's allocator, which the fast unwinder
 * cannot see past).  Leaks of ours still show: the graphs are cgraph's
 * (agalloc(), not gmalloc()) and the rest is our own allocation.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n"
	       "leak:libpango\n"
	       "leak:libcairo.so\n"
	       "leak:libglib-2.0.so\n"
	       "leak:libgvplugin_\n"
	       "leak:gvconfig\n"
	       "leak:gmalloc\n"
	       "leak:grealloc\n"
	       "leak:zmalloc\n";
}
#endif

static int file_fail(struct sim_error *err, unsigned arg, const char *file,
		     const char *why)
{
	return sim_fail(err, (enum sim_arg)arg, "cannot write %s: %s", file, why);
}

static int write_dot_text(struct dot *d, const char *tmp, const char *file,
			  unsigned arg, struct sim_error *err)
{
	FILE *f = fopen(tmp, "w");
	int rc;

	if (!f)
		return file_fail(err, arg, file, strerror(errno));
	rc = agwrite(d->g, f);
	if (rc == EOF || ferror(f)) {
		int e = errno;

		fclose(f);
		return file_fail(err, arg, file, strerror(e ? e : EIO));
	}
	if (fclose(f))
		return file_fail(err, arg, file, strerror(errno));
	return 0;
}

static int render(struct dot *d, enum dot_format fmt, const char *tmp,
		  const char *file, unsigned arg, struct sim_error *err)
{
	static const char *const names[] = {
		[DOT_FORMAT_SVG] = "svg", [DOT_FORMAT_PNG] = "png", [DOT_FORMAT_PDF] = "pdf",
	};
	FILE *probe = fopen(tmp, "w");
	agusererrf old;
	struct stat st;
	GVC_t *gvc;
	int rc = 0;

	/* Say "cannot write" for an unwritable place before laying out. */
	if (!probe)
		return file_fail(err, arg, file, strerror(errno));
	fclose(probe);
	gv_msg[0] = '\0';
	old = agseterrf(gv_collect);
	gvc = gvc_context();
	if (gvLayout(gvc, d->g, "dot")) {
		rc = sim_fail(err, (enum sim_arg)arg, "cannot lay out the graph for %s: %s",
			      file, gv_msg[0] ? gv_msg : "Graphviz failed");
	} else {
		if (gvRenderFilename(gvc, d->g, names[fmt], tmp))
			rc = sim_fail(err, (enum sim_arg)arg, "cannot render %s as %s: %s",
				      file, names[fmt], gv_msg[0] ? gv_msg : "Graphviz failed");
		gvFreeLayout(gvc, d->g);
	}
	agseterrf(old);
	if (!rc && (stat(tmp, &st) || st.st_size == 0))
		rc = sim_fail(err, (enum sim_arg)arg, "cannot render %s as %s: %s", file,
			      names[fmt], gv_msg[0] ? gv_msg : "Graphviz wrote nothing");
	return rc;
}

/*
 * Write or render the picture into @file, through a temporary name — unless
 * @file exists and is not a regular file (/dev/null, a FIFO): renaming over
 * it would replace the device by a regular file, so it is written in place.
 */
static int dot_output(struct dot *d, const char *file, unsigned arg,
		      struct sim_error *err)
{
	enum dot_format fmt = dot_format_of(file);
	size_t n = strlen(file) + 32;
	char *tmp = xmalloc(n);
	struct stat st;
	bool in_place = stat(file, &st) == 0 && !S_ISREG(st.st_mode);
	int slot = -1, rc;

	if (in_place) {
		snprintf(tmp, n, "%s", file);
	} else {
		snprintf(tmp, n, "%s.tmp.%ld", file, (long)getpid());
		/* Removed by core/cleanup.c if Graphviz crashes or a signal
		 * ends the program while it renders. */
		slot = cleanup_register(tmp);
		if (slot < 0) {
			rc = file_fail(err, arg, file, errno == EMFILE ?
				       "too many outputs open at once" : strerror(errno));
			free(tmp);
			return rc;
		}
	}
	if (fmt == DOT_FORMAT_DOT)
		rc = write_dot_text(d, tmp, file, arg, err);
	else
		rc = render(d, fmt, tmp, file, arg, err);
	if (!rc && !in_place && rename(tmp, file))
		rc = file_fail(err, arg, file, strerror(errno));
	if (rc && !in_place)
		unlink(tmp);
	cleanup_unregister(slot);
	free(tmp);
	return rc;
}

/* ------------------------------------------------------------------ */
/* sim_dot()                                                           */
/* ------------------------------------------------------------------ */

/* Words of `dot WHAT [P [ADDR]] FILE`, for err->arg. */
enum { W_WHAT = 1, W_P = 2, W_ADDR = 3 };

static unsigned file_word(enum trace_dot_what what)
{
	switch (what) {
	case TDOT_ANON_VMA:
	case TDOT_RMAP:
		return 4;
	case TDOT_MM:
		return 3;
	default:
		return 2;
	}
}

static struct task *find_proc(struct ksm_sim *sim, const char *name, unsigned arg,
			      const char *what, struct sim_error *err)
{
	struct task *t = name ? sim_find_task(sim, name) : NULL;

	if (!t)
		sim_fail(err, (enum sim_arg)arg, "%sno live process named '%s'", what,
			 name ? name : "");
	return t;
}

/* Which options a picture has a use for. */
enum { USE_FOCUS = 1, USE_PAGE = 2, USE_RANGE = 4 };

static unsigned opts_used(enum trace_dot_what what)
{
	switch (what) {
	case TDOT_STABLE:
	case TDOT_ALL:
		return USE_FOCUS | USE_PAGE | USE_RANGE;
	case TDOT_UNSTABLE:
	case TDOT_ANON_VMA:
		return USE_FOCUS | USE_RANGE;
	case TDOT_MM:
		return USE_RANGE;
	default:
		return 0;
	}
}

static int resolve_opts(struct dot *d, enum trace_dot_what what,
			const struct dot_opts *opts, struct sim_error *err)
{
	unsigned use = opts_used(what);
	const char *name = trace_dot_what_name(what);
	struct task *t;

	if (!opts)
		return 0;
	/* An option the picture has no use for is a mistake, not a no-op. */
	if (opts->focus && !(use & USE_FOCUS))
		return sim_fail(err, (enum sim_arg)0, "focus: %s draws no other process to leave out",
				name);
	if (opts->page_proc && !(use & USE_PAGE))
		return sim_fail(err, (enum sim_arg)0, "page: only stable and all draw KSM pages to choose from, not %s",
				name);
	if (opts->range_hi && !(use & USE_RANGE))
		return sim_fail(err, (enum sim_arg)0, "range: %s is of one page already", name);
	if (opts->range_hi && opts->range_hi <= opts->range_lo)
		return sim_fail(err, (enum sim_arg)0, "range: 0x%llx-0x%llx is empty",
				(unsigned long long)opts->range_lo,
				(unsigned long long)opts->range_hi);
	if (opts->focus) {
		if (!(t = find_proc(d->sim, opts->focus, 0, "focus: ", err)))
			return -1;
		d->focus_mm = t->mm;
	}
	if (opts->page_proc) {
		uint64_t a = opts->page_addr & KSM_PAGE_MASK;
		struct folio *f = NULL;
		pte_t pte;

		if (!(t = find_proc(d->sim, opts->page_proc, 0, "page: ", err)))
			return -1;
		pte = pte_get(t->mm, a);
		if (pte_present(pte) && !is_zero_pfn(pte_pfn(pte)))
			f = pfn_folio(d->sim, pte_pfn(pte));
		if (!f || !folio_stable_node(f))
			return sim_fail(err, (enum sim_arg)0, "page: %s maps no KSM page at 0x%llx",
					t->name, (unsigned long long)opts->page_addr);
		d->focus_node = folio_stable_node(f);
		d->pin_vma = vma_lookup(t->mm, a);
		d->pin_mm = t->mm;
		d->pin_addr = a;
	}
	return 0;
}

/* The first line of the heading: what, and what the focus leaves out. */
static void focus_heading(struct dot *d, const struct dot_opts *opts, char *buf,
			  size_t len, const char *what)
{
	int n = snprintf(buf, len, "%s", what);

	if (d->focus_mm && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", process %s only",
			      d->focus_mm->owner);
	if (d->focus_node && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, ", the KSM page at %s 0x%llx only",
			      opts->page_proc, (unsigned long long)opts->page_addr);
	if (d->range_hi && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, ", addresses 0x%llx-0x%llx only",
			 (unsigned long long)d->range_lo, (unsigned long long)d->range_hi);
}

static void say(const struct dot_opts *opts, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct dot_opts *opts, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	if (!opts || !opts->note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	opts->note(opts->note_ctx, line);
}

static const char *const kind_plural[DOTK__COUNT] = {
	[DOTK_STABLE] = "stable nodes", [DOTK_ITEM] = "rmap_items", [DOTK_VMA] = "VMAs",
	[DOTK_ANON_VMA] = "anon_vmas", [DOTK_AVC] = "anon_vma_chains", [DOTK_MM] = "processes",
};

/* What the budget cut and what was folded, in words, for the caller. */
static void say_cuts(struct dot *d, const struct dot_opts *opts)
{
	char line[400];
	size_t used = 0;
	unsigned long total = 0;

	for (int k = 0; k < DOTK__COUNT; k++)
		total += d->skipped[k];
	if (total) {
		for (int k = 0; k < DOTK__COUNT; k++)
			if (d->skipped[k] && used < sizeof(line))
				used += (size_t)snprintf(line + used, sizeof(line) - used, ", %lu %s",
							 d->skipped[k], kind_plural[k]);
		say(opts, "%lu objects not drawn (node limit %u; --limit raises it)%s", total,
		    d->limit, used ? line : "");
	}
	used = 0;
	total = 0;
	for (int k = 0; k < DOTK__COUNT; k++) {
		total += d->folded[k];
		if (d->folded[k] && used < sizeof(line))
			used += (size_t)snprintf(line + used, sizeof(line) - used, ", %lu %s",
						 d->folded[k], kind_plural[k]);
	}
	if (total)
		say(opts, "%lu objects folded into %u nodes%s", total, d->nfolds, line);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* dot_output() with the progress the caller asked for around it. */
static int output(struct dot *d, const char *file, unsigned arg, const struct dot_opts *opts,
		  struct sim_error *err)
{
	int nodes = agnnodes(d->g), edges = agnedges(d->g), rc;
	unsigned progress = opts ? opts->progress : DOT_PROGRESS_NONE;
	bool tell = dot_format_of(file) != DOT_FORMAT_DOT &&
		    (progress == DOT_PROGRESS_ALL ||
		     (progress == DOT_PROGRESS_BIG && nodes > DOT_PROGRESS_NODES));
	double t0 = 0;

	if (tell) {
		say(opts, "laying out and rendering %d nodes, %d edges...", nodes, edges);
		t0 = now_s();
	}
	rc = dot_output(d, file, arg, err);
	if (tell && !rc)
		say(opts, "laid out and rendered in %.2f s", now_s() - t0);
	return rc;
}

int sim_dot(struct ksm_sim *sim, enum trace_dot_what what, const char *proc,
	    uint64_t addr, const char *file, const struct dot_opts *opts,
	    struct sim_error *err)
{
	const char *title = opts ? opts->title : NULL;
	struct vm_area_struct *vma = NULL;
	struct folio *folio = NULL;
	char head[256], first[160];
	struct task *task = NULL;
	struct dot d;
	int rc = -1;

	switch (what) {
	case TDOT_RMAP:
		if (!(task = find_proc(sim, proc, W_P, "", err)))
			return -1;
		folio = rmap_folio_at(sim, task, addr);
		if (!folio || !(folio->flags & FOLIO_KSM))
			return sim_fail(err, (enum sim_arg)W_ADDR,
					"%s maps no KSM page at 0x%llx", task->name,
					(unsigned long long)addr);
		vma = vma_lookup(task->mm, addr);
		break;
	case TDOT_ANON_VMA:
	case TDOT_MM:
		if (!(task = find_proc(sim, proc, W_P, "", err)))
			return -1;
		if (what == TDOT_MM)
			break;
		vma = vma_lookup(task->mm, addr);
		if (!vma)
			return sim_fail(err, (enum sim_arg)W_ADDR, "%s has no VMA at 0x%llx",
					task->name, (unsigned long long)addr);
		break;
	case TDOT_STABLE:
	case TDOT_UNSTABLE:
	case TDOT_ALL:
		break;
	default:
		return sim_fail(err, (enum sim_arg)W_WHAT, "unknown picture %d", (int)what);
	}

	dot_open(&d, sim, opts);
	if (resolve_opts(&d, what, opts, err))
		goto out;
	if (vma)
		d.pin_vma = vma;
	if (what == TDOT_RMAP) {
		d.pin_mm = task->mm;
		d.pin_addr = addr;
	}
	switch (what) {
	case TDOT_STABLE:
		focus_heading(&d, opts, head, sizeof(head), "stable tree");
		dot_heading(&d, head, title);
		dot_draw_stable(&d, d.g);
		break;
	case TDOT_UNSTABLE:
		focus_heading(&d, opts, head, sizeof(head), "unstable tree");
		dot_heading(&d, head, title);
		dot_draw_unstable(&d, d.g);
		break;
	case TDOT_ANON_VMA:
		snprintf(first, sizeof(first), "anon_vma of %s 0x%llx", task->name,
			 (unsigned long long)addr);
		focus_heading(&d, opts, head, sizeof(head), first);
		dot_heading(&d, head, title);
		dot_draw_anon_vma(&d, d.g, vma);
		break;
	case TDOT_MM:
		snprintf(first, sizeof(first), "address space of %s", task->name);
		focus_heading(&d, opts, head, sizeof(head), first);
		dot_heading(&d, head, title);
		dot_draw_mm(&d, d.g, task);
		break;
	case TDOT_ALL:
		focus_heading(&d, opts, head, sizeof(head), "the whole machine");
		dot_heading(&d, head, title);
		dot_draw_all(&d);
		break;
	case TDOT_RMAP:
		snprintf(head, sizeof(head), "rmap walks of the KSM page at %s 0x%llx",
			 task->name, (unsigned long long)addr);
		dot_heading(&d, head, title);
		dot_draw_rmap(&d, d.g, folio);
		break;
	default:
		break;
	}
	dot_more(&d, d.g);
	dot_legend(&d, d.g);
	say_cuts(&d, opts);
	rc = output(&d, file, file_word(what), opts, err);
out:
	dot_close(&d);
	return rc;
}

int sim_dot_rmap_folio(struct ksm_sim *sim, struct folio *folio, const char *file,
		       const char *title, struct sim_error *err)
{
	struct dot d;
	char head[96];
	int rc;

	dot_open(&d, sim, NULL);
	snprintf(head, sizeof(head), "rmap walks of the KSM page pfn %u", folio->pfn);
	dot_heading(&d, head, title);
	dot_draw_rmap(&d, d.g, folio);
	dot_more(&d, d.g);
	dot_legend(&d, d.g);
	rc = dot_output(&d, file, 0, err);
	dot_close(&d);
	return rc;
}
