// SPDX-License-Identifier: MIT
/* Temporary files removed on every way out; see cleanup.h. */
#include "core/array.h"
#include "core/cleanup.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SLOT_FREE, SLOT_FILLING, SLOT_ARMED };

struct cleanup_slot {
	_Atomic int state;
	pid_t owner;		/* written before ARMED is published */
	char path[PATH_MAX];
};

static struct cleanup_slot slots[CLEANUP_SLOTS];
static atomic_flag atexit_done = ATOMIC_FLAG_INIT;

_Static_assert(ATOMIC_INT_LOCK_FREE == 2,
	       "the signal handler needs lock-free atomic ints");

static void remove_at_exit(void)
{
	cleanup_remove_all();
}

int cleanup_register(const char *path)
{
	size_t n = strlen(path);

	if (n >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!atomic_flag_test_and_set(&atexit_done))
		atexit(remove_at_exit);
	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		int want = SLOT_FREE;

		if (!atomic_compare_exchange_strong(&slots[i].state, &want, SLOT_FILLING))
			continue;
		/* Not yet visible to the handler: it ignores FILLING slots. */
		memcpy(slots[i].path, path, n + 1);
		slots[i].owner = getpid();
		atomic_store_explicit(&slots[i].state, SLOT_ARMED, memory_order_release);
		return i;
	}
	errno = EMFILE;
	return -1;
}

void cleanup_unregister(int slot)
{
	if (slot < 0 || slot >= CLEANUP_SLOTS)
		return;
	atomic_store_explicit(&slots[slot].state, SLOT_FREE, memory_order_release);
}

void cleanup_remove_all(void)
{
	pid_t self = getpid();

	for (int i = 0; i < CLEANUP_SLOTS; i++) {
		struct cleanup_slot *s = &slots[i];

		if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_ARMED ||
		    s->owner != self)
			continue;
		unlink(s->path);
		/* Whichever way out comes next must not remove it again:
		 * the name may be someone else's file by then. */
		atomic_store_explicit(&s->state, SLOT_FREE, memory_order_release);
	}
}

static const int cleanup_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGXCPU, SIGXFSZ,
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
};
#define NSIGNALS (ARRAY_SIZE(cleanup_signals))

/* What each signal did before (SIG_DFL, or a sanitizer's handler);
 * written before our handler is installed, read only by it. */
static struct sigaction previous[NSIGNALS];

static bool is_fault(int sig)
{
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL;
}

static void on_signal(int sig, siginfo_t *info, void *uctx)
{
	int saved = errno;
	size_t i;

	(void)uctx;
	cleanup_remove_all();
	for (i = 0; i < NSIGNALS && cleanup_signals[i] != sig; i++)
		;
	if (i < NSIGNALS)
		sigaction(sig, &previous[i], NULL);
	/*
	 * A fault raised by the CPU (si_code > 0) comes back when we return,
	 * the faulting instruction running again, now to the previous action
	 * with its true details (the default: die; a sanitizer's handler: its
	 * report).  Anything else is raised again; SA_NODEFER lets it through
	 * at once.
	 */
	if (!(is_fault(sig) && info && info->si_code > 0))
		raise(sig);
	errno = saved;
}

void cleanup_install_signals(void)
{
	/* A crash by stack overflow needs a stack to run the handler on. */
	static char altstack[64 * 1024];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	for (size_t i = 0; i < NSIGNALS; i++) {
		if (sigaction(cleanup_signals[i], NULL, &previous[i]) ||
		    (!(previous[i].sa_flags & SA_SIGINFO) &&
		     previous[i].sa_handler == SIG_IGN))
			continue;
		sigaction(cleanup_signals[i], &sa, NULL);
	}
}
