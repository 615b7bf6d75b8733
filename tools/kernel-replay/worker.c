// SPDX-License-Identifier: MIT
/*
 * DOC: The worker — one real process per trace process
 *
 * A worker reads one request at a time from fd 3 and answers on fd 4
 * (proto.c).  Every request is the real system call the trace names:
 *
 *   mmap      mmap(ADDR, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE),
 *             then madvise(MADV_NOHUGEPAGE) so faults allocate base pages
 *   munmap    munmap
 *   mprotect  mprotect
 *   mremap    mremap(MREMAP_MAYMOVE|MREMAP_FIXED) to NEW, or an in-place
 *             resize (flags 0) when NEW == OLD
 *   madvise   MADV_MERGEABLE / MADV_UNMERGEABLE / MADV_DONTNEED
 *   prctl     PR_SET_MEMORY_MERGE, then the worker's own mappings are
 *             un-advised (below)
 *   write     stores each page's token as 8 big-endian bytes, 512 times
 *   read      loads one byte of each page
 *   fork      fork(2): the child becomes the new worker on a pipe pair
 *             made before the fork; the controller collects the other
 *             ends from this process with pidfd_getfd(2), then says
 *             FORK_DONE and this process closes its copies
 *   exit      _exit(0)
 *
 * A failed call is answered with its errno and the call's name; a write or
 * read that faults (unmapped, or not permitted) is caught with SIGSEGV and
 * answered EFAULT with the page — a real process would have died there.
 *
 * A worker's own memory must never count as the trace's:
 *  - PR_SET_THP_DISABLE for the process (inherited by forks) and
 *    MADV_NOHUGEPAGE per mapping: the trace format's pages are base pages.
 *  - After PR_SET_MEMORY_MERGE every VMA of the process is mergeable —
 *    program, libraries, heap, stack.  The worker then MADV_UNMERGEABLEs
 *    every VMA that overlaps the mappings it had before the trace began
 *    ("own" ranges, recorded at start-up), so ksmd only sees trace pages.
 *  - Under merge-any, a VMA created later is mergeable from birth (6.16+
 *    kernels); that is correct for trace mmaps, so the worker itself must
 *    create none: after start-up it never allocates (no malloc, no stdio);
 *    buffers are static, sized at build time.
 *  - Requests on ranges that overlap the own ranges are refused (EPERM):
 *    a trace address that collides with the replayer's own memory would
 *    otherwise unmap or clobber it.
 *
 * Signals: SIGINT/SIGTERM/SIGHUP/SIGQUIT are ignored (a terminal ^C reaches
 * the whole process group; the controller decides, restores KSM settings,
 * and kills workers).  A worker whose controller vanished reads end of file
 * on its request pipe and exits; spawned workers also die with their parent
 * through PR_SET_PDEATHSIG.  Forked workers' children are reaped
 * automatically (SA_NOCLDWAIT); orphans go to the controller, which is a
 * child subreaper.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kr.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define CMD_FD 3
#define REP_FD 4
#define MAX_OWN 1024

/* Everything below is static: a worker allocates nothing after start-up. */
static struct kr_range own[MAX_OWN];  /* mappings that are not the trace's */
static size_t nown;
static struct kr_range found[MAX_OWN]; /* scratch for the un-advise pass   */
static char maps_buf[65536];
static uint64_t tokens[KR_WRITE_CHUNK];
static char my_name[TRACE_NAME_MAX + 1];
static int pending_fds[2] = { -1, -1 }; /* a fork's pipe ends, until FORK_DONE */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_armed;
static volatile uint64_t fault_page;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (!fault_armed) {
		/* A bug in the worker itself: die as the signal says. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	siglongjmp(fault_jmp, sig);
}

static void die(const char *msg)
{
	ssize_t k = write(2, msg, strlen(msg));

	(void)k;
	_exit(111);
}

/* Parse "start-end ..." of a maps line; the name is after the 5th field. */
static bool parse_maps_line(const char *s, uint64_t *start, uint64_t *end,
			    const char **name)
{
	uint64_t v[2] = { 0, 0 };
	int fields = 0;

	for (int i = 0; i < 2; i++) {
		int digits = 0;

		for (;; s++, digits++) {
			char c = *s;

			if (c >= '0' && c <= '9')
				v[i] = v[i] << 4 | (uint64_t)(c - '0');
			else if (c >= 'a' && c <= 'f')
				v[i] = v[i] << 4 | (uint64_t)(c - 'a' + 10);
			else
				break;
		}
		if (!digits || (i == 0 && *s != '-'))
			return false;
		s++;
	}
	*start = v[0];
	*end = v[1];
	/* skip perms, offset, dev, inode */
	while (*s && fields < 4) {
		while (*s == ' ')
			s++;
		while (*s && *s != ' ')
			s++;
		fields++;
	}
	while (*s == ' ')
		s++;
	*name = s;
	return true;
}

static bool overlaps_own(uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < nown; i++)
		if (own[i].start < end && own[i].end > start)
			return true;
	return false;
}

/* The kernel's own mappings: never mergeable, madvise does not apply. */
static bool special_mapping(const char *name)
{
	static const char *const special[] = {
		"[vvar]", "[vvar_vclock]", "[vdso]", "[vsyscall]", "[uprobes]", NULL,
	};

	for (const char *const *s = special; *s; s++)
		if (!strcmp(name, *s))
			return true;
	return false;
}

/*
 * Read /proc/self/maps without allocating, and collect into found[] the
 * VMAs that satisfy @want (all of them at start-up; those overlapping the
 * own ranges later).  Mappings above the user address space ([vsyscall])
 * and the kernel's special mappings ([vvar], [vdso]) are left out: they
 * are never mergeable and madvise does not apply to them.
 */
static size_t scan_maps(bool only_own)
{
	size_t have = 0, n = 0;
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	for (;;) {
		ssize_t k = read(fd, maps_buf + have, sizeof(maps_buf) - 1 - have);
		char *p = maps_buf, *nl;

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		have += (size_t)k;
		while ((nl = memchr(p, '\n', (size_t)(maps_buf + have - p)))) {
			uint64_t s, e;
			const char *name;

			*nl = '\0';
			if (parse_maps_line(p, &s, &e, &name) && s < 0x800000000000ULL &&
			    !special_mapping(name) &&
			    (!only_own || overlaps_own(s, e)) && n < MAX_OWN) {
				found[n].start = s;
				found[n].end = e;
				n++;
			}
			p = nl + 1;
		}
		have = (size_t)(maps_buf + have - p);
		memmove(maps_buf, p, have);
	}
	close(fd);
	return n;
}

static void set_what(struct kr_rep *rep, const char *what)
{
	size_t n = strlen(what);

	if (n >= sizeof(rep->what))
		n = sizeof(rep->what) - 1;
	memcpy(rep->what, what, n);
	rep->what[n] = '\0';
}

static void fail(struct kr_rep *rep, int err, const char *what)
{
	rep->err = err;
	set_what(rep, what);
}

static int prot_of(uint32_t p)
{
	switch (p) {
	case TPROT_NONE: return PROT_NONE;
	case TPROT_R: return PROT_READ;
	default: return PROT_READ | PROT_WRITE;
	}
}

/* Refuse a range that collides with the worker's own memory. */
static bool guard(struct kr_rep *rep, uint64_t addr, uint64_t npages)
{
	uint64_t end = addr + npages * KR_PAGE_SIZE;

	if (end < addr || overlaps_own(addr, end)) {
		fail(rep, EPERM, "range overlaps the replayer worker's own mappings");
		return false;
	}
	return true;
}

static void do_mmap(const struct kr_req *q, struct kr_rep *rep)
{
	size_t len = q->npages * KR_PAGE_SIZE;
	void *p;

	if (!guard(rep, q->addr, q->npages))
		return;
	p = mmap((void *)(uintptr_t)q->addr, len, prot_of(q->arg),
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED) {
		fail(rep, errno, "mmap");
		return;
	}
	if ((uintptr_t)p != q->addr) {
		/* A kernel without MAP_FIXED_NOREPLACE treats it as a hint. */
		munmap(p, len);
		fail(rep, EEXIST, "mmap (the range is not free)");
		return;
	}
	if (madvise(p, len, MADV_NOHUGEPAGE))
		fail(rep, errno, "madvise(MADV_NOHUGEPAGE)");
}

static void do_mremap(const struct kr_req *q, struct kr_rep *rep)
{
	void *old = (void *)(uintptr_t)q->addr, *p;
	size_t olen = q->npages * KR_PAGE_SIZE, nlen = q->npages2 * KR_PAGE_SIZE;

	if (!guard(rep, q->addr, q->npages) || !guard(rep, q->addr2, q->npages2))
		return;
	if (q->addr2 == q->addr)
		p = mremap(old, olen, nlen, 0);
	else
		p = mremap(old, olen, nlen, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)(uintptr_t)q->addr2);
	if (p == MAP_FAILED)
		fail(rep, errno, "mremap");
	else if ((uintptr_t)p != q->addr2)
		fail(rep, EINVAL, "mremap (moved elsewhere)");
}

static void do_madvise(const struct kr_req *q, struct kr_rep *rep)
{
	static const int advice[] = {
		[TADV_MERGEABLE] = MADV_MERGEABLE,
		[TADV_UNMERGEABLE] = MADV_UNMERGEABLE,
		[TADV_DONTNEED] = MADV_DONTNEED,
	};
	static const char *const names[] = {
		[TADV_MERGEABLE] = "madvise(MADV_MERGEABLE)",
		[TADV_UNMERGEABLE] = "madvise(MADV_UNMERGEABLE)",
		[TADV_DONTNEED] = "madvise(MADV_DONTNEED)",
	};

	if (q->arg > TADV_DONTNEED) {
		fail(rep, EINVAL, "madvise");
		return;
	}
	if (!guard(rep, q->addr, q->npages))
		return;
	if (madvise((void *)(uintptr_t)q->addr, q->npages * KR_PAGE_SIZE, advice[q->arg]))
		fail(rep, errno, names[q->arg]);
}

static void do_prctl(const struct kr_req *q, struct kr_rep *rep)
{
	size_t n;

	if (prctl(PR_SET_MEMORY_MERGE, q->arg ? 1 : 0, 0, 0, 0)) {
		fail(rep, errno, "prctl(PR_SET_MEMORY_MERGE)");
		return;
	}
	if (!q->arg)
		return;
	/*
	 * Merge-any made every VMA mergeable, the worker's own included:
	 * take them out again, whole VMAs so none is split.
	 */
	n = scan_maps(true);
	for (size_t i = 0; i < n; i++) {
		if (madvise((void *)(uintptr_t)found[i].start,
			    found[i].end - found[i].start, MADV_UNMERGEABLE)) {
			fail(rep, errno, "madvise(MADV_UNMERGEABLE) of the worker's own mapping");
			rep->addr = found[i].start;
			return;
		}
	}
}

/*
 * The page loops run in their own functions, entered after sigsetjmp(), so
 * that no local of the caller lives across the longjmp of a fault.
 */
static __attribute__((noinline)) void store_pages(uint64_t addr, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++) {
		uint64_t *p = (uint64_t *)(uintptr_t)(addr + i * KR_PAGE_SIZE);
		uint64_t v = htobe64(tokens[i]);

		fault_page = (uint64_t)(uintptr_t)p;
		for (unsigned j = 0; j < KR_PAGE_SIZE / 8; j++)
			p[j] = v;
	}
}

static __attribute__((noinline)) void load_pages(uint64_t addr, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++) {
		volatile const char *p = (const char *)(uintptr_t)(addr + i * KR_PAGE_SIZE);

		fault_page = (uint64_t)(uintptr_t)p;
		(void)*p;
	}
}

/*
 * Touch every page of the request, storing (@write) or loading; a SIGSEGV
 * on the way is reported as EFAULT at the page that faulted.
 */
static void access_pages(const struct kr_req *q, struct kr_rep *rep, bool write)
{
	if (!guard(rep, q->addr, q->npages))
		return;
	fault_armed = 1;
	if (sigsetjmp(fault_jmp, 1)) {
		fault_armed = 0;
		rep->addr = fault_page;
		fail(rep, EFAULT, write ? "write" : "read");
		return;
	}
	if (write)
		store_pages(q->addr, q->npages);
	else
		load_pages(q->addr, q->npages);
	fault_armed = 0;
}

static void do_write(const struct kr_req *q, struct kr_rep *rep)
{
	access_pages(q, rep, true);
}

static void do_read(const struct kr_req *q, struct kr_rep *rep)
{
	access_pages(q, rep, false);
}

/* Install @cmd/@rep as fds 3/4, /dev/null as 0/1, close everything else. */
static void setup_fds(int cmd, int rep)
{
	int a = fcntl(cmd, F_DUPFD, 10), b = fcntl(rep, F_DUPFD, 10);
	int nul = open("/dev/null", O_RDWR);

	if (a < 0 || b < 0 || nul < 0 || dup2(a, CMD_FD) < 0 || dup2(b, REP_FD) < 0 ||
	    dup2(nul, 0) < 0 || dup2(nul, 1) < 0)
		die("ksmsim-kernel-replay worker: cannot set up its pipes\n");
	/* The lock fd, other workers' pipes, output files: none are ours. */
	if (syscall(SYS_close_range, 5U, ~0U, 0U))
		for (int fd = 5; fd < 65536; fd++)
			close(fd);
}

static void set_name(const char *name)
{
	char comm[16];

	snprintf(my_name, sizeof(my_name), "%s", name);
	snprintf(comm, sizeof(comm), "ksmw:%.10s", name);
	prctl(PR_SET_NAME, comm, 0, 0, 0);
}

static void reply(const struct kr_rep *rep)
{
	if (kr_write_full(REP_FD, rep, sizeof(*rep)))
		_exit(1);
}

static void hello(void)
{
	struct kr_rep rep;

	memset(&rep, 0, sizeof(rep));
	rep.op = KR_OP_HELLO;
	rep.pid = getpid();
	reply(&rep);
}

/* Return: true in the child, which then says hello on its own pipes. */
static bool do_fork(const struct kr_req *q, struct kr_rep *rep)
{
	int c[2], r[2];
	pid_t pid;

	if (pipe(c)) {
		fail(rep, errno, "pipe");
		return false;
	}
	if (pipe(r)) {
		fail(rep, errno, "pipe");
		close(c[0]);
		close(c[1]);
		return false;
	}
	pid = fork();
	if (pid < 0) {
		fail(rep, errno, "fork");
		close(c[0]);
		close(c[1]);
		close(r[0]);
		close(r[1]);
		return false;
	}
	if (pid == 0) {
		/* dup2 over 3/4 drops the parent's channel in this copy. */
		setup_fds(c[0], r[1]);
		set_name(q->name);
		return true;
	}
	close(c[0]);
	close(r[1]);
	pending_fds[0] = c[1];
	pending_fds[1] = r[0];
	rep->pid = pid;
	rep->fds[0] = c[1];
	rep->fds[1] = r[0];
	return false;
}

static void serve(void)
{
	for (;;) {
		struct kr_req q;
		struct kr_rep rep;
		int r = kr_read_full(CMD_FD, &q, sizeof(q));

		if (r)
			_exit(r == 1 ? 0 : 1); /* the controller is gone */
		memset(&rep, 0, sizeof(rep));
		rep.op = q.op;
		switch (q.op) {
		case KR_OP_PING:
			break;
		case KR_OP_MMAP:
			do_mmap(&q, &rep);
			break;
		case KR_OP_MUNMAP:
			if (guard(&rep, q.addr, q.npages) &&
			    munmap((void *)(uintptr_t)q.addr, q.npages * KR_PAGE_SIZE))
				fail(&rep, errno, "munmap");
			break;
		case KR_OP_MPROTECT:
			if (guard(&rep, q.addr, q.npages) &&
			    mprotect((void *)(uintptr_t)q.addr, q.npages * KR_PAGE_SIZE,
				     prot_of(q.arg)))
				fail(&rep, errno, "mprotect");
			break;
		case KR_OP_MREMAP:
			do_mremap(&q, &rep);
			break;
		case KR_OP_MADVISE:
			do_madvise(&q, &rep);
			break;
		case KR_OP_PRCTL:
			do_prctl(&q, &rep);
			break;
		case KR_OP_WRITE:
			if (q.npages > KR_WRITE_CHUNK ||
			    kr_read_full(CMD_FD, tokens, q.npages * sizeof(tokens[0])))
				_exit(1);
			do_write(&q, &rep);
			break;
		case KR_OP_READ:
			do_read(&q, &rep);
			break;
		case KR_OP_FORK:
			if (do_fork(&q, &rep)) {
				hello();
				continue;
			}
			break;
		case KR_OP_FORK_DONE:
			for (int i = 0; i < 2; i++) {
				if (pending_fds[i] >= 0)
					close(pending_fds[i]);
				pending_fds[i] = -1;
			}
			break;
		case KR_OP_EXIT:
			_exit(0);
		default:
			fail(&rep, EINVAL, "unknown request");
		}
		reply(&rep);
	}
}

void kr_worker_run(int cmd_fd, int rep_fd, const char *name, pid_t controller)
{
	struct sigaction sa;
	size_t n;

	setup_fds(cmd_fd, rep_fd);
	set_name(name);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_flags = SA_SIGINFO;
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	{
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || getppid() != controller)
		_exit(1);
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("ksmsim-kernel-replay worker: prctl(PR_SET_THP_DISABLE) failed\n");

	/* Everything mapped now is the worker's own, not the trace's. */
	n = scan_maps(false);
	if (!n)
		die("ksmsim-kernel-replay worker: cannot read /proc/self/maps\n");
	memcpy(own, found, n * sizeof(own[0]));
	nown = n;

	hello();
	serve();
	_exit(0);
}
