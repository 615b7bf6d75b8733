/* SPDX-License-Identifier: MIT */
/*
 * DOC: Temporary files removed on every way out
 *
 * Outputs are written under a temporary name (NAME.tmp.PID) and renamed
 * into place when complete (outfile.h, the dot renderer).  Whoever creates
 * such a name registers it here first and unregisters it after renaming or
 * removing it.  Whatever is still registered is unlinked
 *
 *  - at exit(), out-of-memory exits included (an atexit handler);
 *  - on SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGXCPU, SIGXFSZ and on
 *    the fatal SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT (a crash inside
 *    a library such as Graphviz), once cleanup_install_signals() ran: the
 *    handler unlinks, restores the action the signal had before (the
 *    default, or a sanitizer's handler) and raises the signal again — or,
 *    for a fault raised by the CPU, returns so that the faulting
 *    instruction raises it again with its true details — so the process
 *    still dies of it (exit status 128+N in a shell).
 *
 * Only SIGKILL escapes; nothing can run then.
 *
 * The handler may interrupt anything, registration included, so it only
 * reads data that is valid at every instant: a fixed table of slots, each
 * a path buffer and an atomic state.  A slot is claimed (compare-and-swap
 * FREE -> FILLING), its path copied, and only then published (-> ARMED);
 * the handler unlinks ARMED slots only.  Unregistering sets the slot FREE
 * before it may be reused.  The handler calls only unlink(), getpid(),
 * sigaction() and raise(), which are async-signal-safe.  A slot also
 * records the pid that registered it, so that a forked child that exits
 * does not remove its parent's files.
 */
#ifndef KSMSIM_CORE_CLEANUP_H
#define KSMSIM_CORE_CLEANUP_H

/* Most temporary files alive at once (a replay has at most three). */
#define CLEANUP_SLOTS 32

/*
 * cleanup_register() - remember @path for removal on an abnormal exit.
 * Call before creating the file.  Return: a slot number for
 * cleanup_unregister(), or -1 with errno ENAMETOOLONG (longer than
 * PATH_MAX) or EMFILE (every slot taken).
 */
int cleanup_register(const char *path);

/* Forget slot @slot (after its file was renamed or removed); -1 is ignored. */
void cleanup_unregister(int slot);

/*
 * cleanup_install_signals() - remove the registered files on the signals
 * listed above, then die of the signal.  A signal ignored when the program
 * started (nohup, a shell's background job) stays ignored.  Call once,
 * early in main().
 */
void cleanup_install_signals(void);

/* Unlink every file this process registered (async-signal-safe). */
void cleanup_remove_all(void);

#endif /* KSMSIM_CORE_CLEANUP_H */
