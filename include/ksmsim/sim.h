/* SPDX-License-Identifier: MIT */
/*
 * DOC: One simulated machine
 *
 * struct ksm_sim holds everything one simulated machine has: its physical
 * pages (the folio array), its processes and their address spaces, every
 * anon_vma, and the KSM state.  There is no global state: two machines can
 * run side by side in one process, e.g. two kernel variants on one trace.
 *
 * The "system calls" below apply one trace command each.  They validate
 * first and change nothing when they fail, so a failed call leaves the
 * machine exactly as it was; the error says which argument was at fault
 * (struct sim_error.arg, an index into the trace command's words) and why.
 */
#ifndef KSMSIM_SIM_H
#define KSMSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ksmsim/diag.h"
#include "ksmsim/mm.h"

struct ksm_alloc_stats;

/*
 * What an error is about: the model names the argument at fault, not its
 * place on a trace line.  The replayer finds the word through the command
 * table's argument kinds (include/ksmsim/trace_cmds.h, replay_word_of()).
 */
enum sim_arg {
	SIM_ARG_CMD,        /* the command as a whole                        */
	SIM_ARG_P,          /* P or PARENT (dot's P too)                     */
	SIM_ARG_CHILD,      /* fork's CHILD                                  */
	SIM_ARG_ADDR,       /* ADDR, mremap's OLD_ADDR (dot's ADDR too)      */
	SIM_ARG_NPAGES,     /* NPAGES, mremap's OLD_NPAGES                   */
	SIM_ARG_NEW_ADDR,   /* mremap's NEW_ADDR                             */
	SIM_ARG_NEW_NPAGES, /* mremap's NEW_NPAGES                           */
	SIM_ARG_DOT_WHAT,   /* dot's WHAT                                    */
	SIM_ARG_DOT_FILE,   /* dot's FILE                                    */
	/* errors of a `set NAME=VALUE` pair */
	SIM_ARG_KNOB_NAME,
	SIM_ARG_KNOB_VALUE,
};

struct sim_error {
	enum sim_arg arg;
	char msg[KSM_DIAG_MSG_MAX];
};

/* A process of the trace: a name and its address space. */
struct task {
	char name[33];
	struct mm_struct *mm;
	uint64_t id;
	RB_ENTRY(task) by_name;
};

RB_HEAD(task_tree, task);
TAILQ_HEAD(mm_list, mm_struct);
LIST_HEAD(anon_vma_list, anon_vma);

/* The model's mem_map: folios in chunks, so pointers stay valid. */
#define FOLIO_CHUNK_SHIFT 12
#define FOLIO_CHUNK_SIZE (1u << FOLIO_CHUNK_SHIFT)

struct mem_map {
	struct folio **chunks; /* chunk i holds pfns [i*SIZE, (i+1)*SIZE)  */
	/* chunk i's checksum memos and their valid bits (sim/mm/folio.c) */
	uint32_t **memo_sums;
	uint8_t **memo_valid;
	uint32_t nr_chunks;
	uint32_t nr_pfns;      /* pfns handed out so far (incl. the zero page) */
	uint32_t free_head;    /* first free pfn, 0 if none (0 is the zero page) */
	uint64_t nr_used;      /* allocated folios, the zero page excluded */
	uint64_t nr_ksm_freed; /* KSM folios freed so far (a chain's memo of
				* its best dup is valid while this stands) */
};

/* Protection of a mapping, as the trace gives it. */
enum sim_prot {
	SIM_PROT_NONE = 0,
	SIM_PROT_R = 1,
	SIM_PROT_RW = 2,
};

enum sim_advice {
	SIM_MADV_MERGEABLE,
	SIM_MADV_UNMERGEABLE,
	SIM_MADV_DONTNEED,
};

struct ksm_state; /* sim/ksm: the KSM engine's state */

struct ksm_sim {
	struct ksm_alloc_stats *alloc; /* per-kind object accounting      */
	struct mem_map mem;
	struct task_tree tasks;        /* live processes by name           */
	struct mm_list mms;            /* every mm not yet freed           */
	struct anon_vma_list anon_vmas; /* every anon_vma not yet freed     */
	struct ksm_state *ksm;         /* KSM engine state                 */
	uint64_t next_id;              /* ids for reports, creation order  */
};

/* ksm_sim_create() - an empty machine: no processes, only the zero page. */
struct ksm_sim *ksm_sim_create(void);

/*
 * ksm_sim_destroy() - exit every process, free everything.  Returns the
 * number of objects that were still allocated afterwards (a leak; 0 is the
 * only correct answer) and, if @report is not NULL, describes them there.
 */
long ksm_sim_destroy(struct ksm_sim *sim, char *report, size_t reportlen);

/*
 * sim_task_size() - the end of the user address space: 2^47 for the
 * 64-bit kernel, 3 GiB when the machine models a 32-bit one.
 */
uint64_t sim_task_size(const struct ksm_sim *sim);

/* Processes. */
struct task *sim_find_task(struct ksm_sim *sim, const char *name);
/* Live processes in name order (byte order). */
struct task *sim_first_task(struct ksm_sim *sim);
struct task *sim_next_task(struct ksm_sim *sim, struct task *task);
int sim_spawn(struct ksm_sim *sim, const char *name, struct sim_error *err);
int sim_fork(struct ksm_sim *sim, struct task *parent, const char *child,
	     struct sim_error *err);
int sim_exit(struct ksm_sim *sim, struct task *task, struct sim_error *err);

/* Mappings.  Addresses page aligned, npages >= 1 (the parser checks). */
int sim_mmap(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	     uint64_t npages, enum sim_prot prot, struct sim_error *err);
int sim_munmap(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	       uint64_t npages, struct sim_error *err);
int sim_mprotect(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
		 uint64_t npages, enum sim_prot prot, struct sim_error *err);
int sim_mremap(struct ksm_sim *sim, struct mm_struct *mm, uint64_t old_addr,
	       uint64_t old_npages, uint64_t new_addr, uint64_t new_npages,
	       struct sim_error *err);
int sim_madvise(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
		uint64_t npages, enum sim_advice advice, struct sim_error *err);
int sim_prctl_merge_any(struct ksm_sim *sim, struct mm_struct *mm, bool on,
			struct sim_error *err);

/*
 * Page contents.  sim_write() stores a token into each page of the range
 * (token_of(ctx, i) gives page i's), faulting as a store would;
 * sim_read() touches each page for reading.
 */
typedef uint64_t (*sim_token_fn)(const void *ctx, uint64_t i);
int sim_write(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	      uint64_t npages, sim_token_fn token_of, const void *ctx,
	      struct sim_error *err);
int sim_read(struct ksm_sim *sim, struct mm_struct *mm, uint64_t addr,
	     uint64_t npages, struct sim_error *err);

#endif /* KSMSIM_SIM_H */
