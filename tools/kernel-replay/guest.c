// SPDX-License-Identifier: MIT
/*
 * DOC: --guest — replay inside a guest kernel booted under QEMU
 *
 *   ksmsim-kernel-replay --guest baseline|lpi|BZIMAGE [--out-dir DIR] TRACE...
 *
 * The kernels come from tools/guest/build.sh (DIR/baseline, DIR/lpi and
 * their .info files).  One boot replays every trace given:
 *
 *  1. a job folder ($TMPDIR/ksmsim-guest-XXXXXX) gets the traces (in/),
 *     the job list (job), an empty out/, and the initramfs whose /init is
 *     this very program — it must be linked statically, which the build
 *     does wherever the static libraries exist;
 *  2. QEMU boots the kernel with one vCPU and two NUMA nodes of 512 MiB
 *     (so `migrate` has somewhere to go), the job folder shared over
 *     virtio 9p, the console on a serial port logged to a file, TCG unless
 *     --accel kvm (this kind of machine's /dev/kvm cannot run a Linux
 *     guest);
 *  3. inside, guest_init.c replays the traces as a batch and powers off;
 *  4. the host waits (with a time limit, and showing progress on a
 *     terminal), then takes the outputs: as a batch into --out-dir, or —
 *     one trace, no --out-dir — the records to stdout or --snapshots FILE
 *     and the replay's messages to stderr, exactly as on the host.
 *
 * Paths in the guest's messages (/mnt/in/NAME.trace) are given back their
 * host names.  A guest that does not finish (no `done` file: it did not
 * boot, crashed, or ran out of time) is a failure with exit 3: the tail
 * of its console is shown and no output is written.  The job folder is
 * removed on every exit path; on a signal QEMU is killed first.  If we are
 * killed outright (SIGKILL), QEMU gets SIGKILL from the kernel
 * (PR_SET_PDEATHSIG) and the guardian (guardian.c) waits for it to end
 * and removes the job folder.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/outfile.h"
#include "kr.h"

#define QEMU "qemu-system-x86_64"

const char *kr_guest_default_dir(char *buf, size_t len)
{
	const char *env = getenv("KSMSIM_GUEST_DIR"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (env && *env)
		snprintf(buf, len, "%s", env);
	else if (xdg && *xdg)
		snprintf(buf, len, "%s/ksmsim/guest", xdg);
	else
		snprintf(buf, len, "%s/.cache/ksmsim/guest", home && *home ? home : "/root");
	return buf;
}

static bool is_named_kernel(const char *k)
{
	return !strcmp(k, "baseline") || !strcmp(k, "lpi");
}

/* The bzImage to boot, and its .info file when it is a named kernel. */
static int kernel_paths(const struct kr_guest_opts *g, char *image, char *info, size_t len,
			struct ksm_diag *err)
{
	char dir[PATH_MAX];

	info[0] = '\0';
	if (!is_named_kernel(g->kernel)) {
		if (!strchr(g->kernel, '/'))
			return ksm_diag_set(err, "", 0, 0,
					    "--guest wants baseline, lpi or the path of a bzImage, got '%s'",
					    g->kernel);
		snprintf(image, len, "%s", g->kernel);
	} else {
		if (g->dir)
			snprintf(dir, sizeof(dir), "%s", g->dir);
		else
			kr_guest_default_dir(dir, sizeof(dir));
		if ((size_t)snprintf(image, len, "%s/%s", dir, g->kernel) >= len ||
		    (size_t)snprintf(info, len, "%s/%s.info", dir, g->kernel) >= len)
			return ksm_diag_set(err, dir, 0, 0, "the guest folder's name is too long");
	}
	if (access(image, R_OK))
		return ksm_diag_set(err, image, 0, 0,
				    "no %s guest kernel (%s); build it with tools/guest/build.sh "
				    "(or tools/dev.sh guest; about 20 minutes on 2 CPUs)",
				    g->kernel, strerror(errno));
	return 0;
}

static int find_in_path(const char *prog, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
		if (n && !access(buf, X_OK)) {
			snprintf(out, len, "%s", buf);
			return 0;
		}
		path += n + (path[n] == ':');
	}
	return -1;
}

/* Is @path an ELF executable without a program interpreter? */
static bool is_static_elf(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf64_Ehdr eh;
	bool ok = false;

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64 && eh.e_phentsize == sizeof(Elf64_Phdr)) {
		ok = true;
		for (unsigned i = 0; i < eh.e_phnum && ok; i++) {
			Elf64_Phdr ph;

			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) != sizeof(ph) ||
			    ph.p_type == PT_INTERP)
				ok = false;
		}
	}
	close(fd);
	return ok;
}

static int self_path(char *out, size_t len, struct ksm_diag *err)
{
	ssize_t n = readlink("/proc/self/exe", out, len - 1);

	if (n < 0)
		return ksm_diag_set(err, "/proc/self/exe", 0, 0, "cannot find this program: %s",
				    strerror(errno));
	out[n] = '\0';
	return 0;
}

int kr_guest_probe(const struct kr_guest_opts *g, struct ksm_diag *err)
{
	char image[PATH_MAX], info[PATH_MAX], qemu[PATH_MAX], self[PATH_MAX];

	if (kernel_paths(g, image, info, sizeof(image), err))
		return -1;
	if (find_in_path(QEMU, qemu, sizeof(qemu)))
		return ksm_diag_set(err, "", 0, 0, "%s is not installed (apt-get install qemu-system-x86)",
				    QEMU);
	if (self_path(self, sizeof(self), err))
		return -1;
	if (!is_static_elf(self))
		return ksm_diag_set(err, self, 0, 0,
				    "this replayer is dynamically linked and cannot be a guest's init; "
				    "build it where the static libraries exist (libbsd-dev, libmd-dev, "
				    "libxxhash-dev, libjemalloc-dev ship them; not in sanitizer builds)");
	if (!strcmp(g->accel, "kvm") && access("/dev/kvm", R_OK | W_OK))
		return ksm_diag_set(err, "/dev/kvm", 0, 0, "--accel kvm: %s", strerror(errno));
	return 0;
}

/* ---- the job folder ---- */

static int make_job(const char *job, char *const *traces, size_t n, char *const *pass,
		    size_t npass, const char *self, struct ksm_diag *err)
{
	char path[PATH_MAX], name[NAME_MAX + 1];
	FILE *f;

	snprintf(path, sizeof(path), "%s/in", job);
	if (mkdir(path, 0755))
		return ksm_diag_set(err, path, 0, 0, "cannot create: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/out", job);
	if (mkdir(path, 0777) || chmod(path, 0777))
		return ksm_diag_set(err, path, 0, 0, "cannot create: %s", strerror(errno));
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/in/%s.trace", job,
			 kr_trace_name(traces[i], name, sizeof(name)));
		if (kr_copy_file(traces[i], path, err))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/job", job);
	f = fopen(path, "we");
	if (!f)
		return ksm_diag_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
	for (size_t i = 0; i < npass; i++)
		fprintf(f, "arg %s\n", pass[i]);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "trace %s\n", kr_trace_name(traces[i], name, sizeof(name)));
	if (fclose(f))
		return ksm_diag_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/initramfs.cpio", job);
	return kr_initramfs_write(path, self, err);
}

/* ---- QEMU ---- */

static pid_t start_qemu(const struct kr_guest_opts *g, const char *qemu, const char *image,
			const char *job, struct ksm_diag *err)
{
	char initrd[PATH_MAX], serial[PATH_MAX + 8], virtfs[PATH_MAX + 64], log[PATH_MAX];
	const bool kvm = !strcmp(g->accel, "kvm");
	pid_t pid, parent = getpid();

	snprintf(initrd, sizeof(initrd), "%s/initramfs.cpio", job);
	snprintf(serial, sizeof(serial), "file:%s/console.log", job);
	snprintf(virtfs, sizeof(virtfs), "local,path=%s,mount_tag=ksmsim,security_model=none,id=ksmsim",
		 job);
	snprintf(log, sizeof(log), "%s/qemu.log", job);
	char *const argv[] = {
		(char *)qemu, "-nodefaults", "-no-reboot", "-display", "none", "-monitor", "none",
		"-accel", kvm ? "kvm" : "tcg", "-cpu", kvm ? "host" : "max",
		/* QEMU would make guest RAM mergeable on the host: a host
		 * replay running meanwhile would see another KSM user. */
		"-machine", "mem-merge=off",
		"-m", "1G", "-smp", "1",
		"-object", "memory-backend-ram,id=m0,size=512M,merge=off",
		"-object", "memory-backend-ram,id=m1,size=512M,merge=off",
		"-numa", "node,nodeid=0,cpus=0,memdev=m0",
		"-numa", "node,nodeid=1,memdev=m1",
		"-kernel", (char *)image, "-initrd", initrd,
		"-append", "console=ttyS0 panic=-1 oops=panic numa_balancing=disable "
			   "transparent_hugepage=never quiet",
		"-serial", serial, "-virtfs", virtfs, NULL,
	};

	pid = fork();
	if (pid < 0) {
		ksm_diag_set(err, qemu, 0, 0, "cannot start: %s", strerror(errno));
		return -1;
	}
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setpgid(0, 0); /* a terminal's ^C reaches us, and we stop QEMU */
		/* QEMU never outlives us, even if we are SIGKILLed. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) || getppid() != parent)
			_exit(127);
		if (fd < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execv(qemu, argv);
		dprintf(2, "cannot run %s: %s\n", qemu, strerror(errno));
		_exit(127);
	}
	return pid;
}

static size_t count_rc(const char *out)
{
	DIR *d = opendir(out);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		n += len > 3 && !strcmp(e->d_name + len - 3, ".rc");
	}
	closedir(d);
	return n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void show_tail(const char *what, const char *path, unsigned lines)
{
	char buf[256];
	long *ends = calloc(lines + 1, sizeof(*ends));
	FILE *f = fopen(path, "re");
	unsigned n = 0;

	if (!f || !ends) {
		free(ends);
		if (f)
			fclose(f);
		return;
	}
	/* Remember where each of the last @lines lines starts. */
	ends[n++ % (lines + 1)] = 0;
	while (fgets(buf, sizeof(buf), f))
		if (strchr(buf, '\n'))
			ends[n++ % (lines + 1)] = ftell(f);
	/* The job folder is removed on exit, so the path is not shown. */
	fprintf(stderr, "--- %s, last lines:\n", what);
	fseek(f, n > lines + 1 ? ends[(n - lines - 1) % (lines + 1)] : 0, SEEK_SET);
	if (!fgets(buf, sizeof(buf), f))
		fputs("(empty)\n", stderr);
	else
		do
			fputs(buf, stderr);
		while (fgets(buf, sizeof(buf), f));
	fputs("---\n", stderr);
	fclose(f);
	free(ends);
}

/*
 * Wait for QEMU; 0 when it powered off by itself, -1 when it was stopped
 * (time limit or signal, @err says which).
 */
static int wait_qemu(pid_t pid, const char *out, size_t total, unsigned timeout,
		     const char *label, struct ksm_diag *err)
{
	const bool tty = isatty(2);
	double start = now(), last = -1;
	size_t shown = (size_t)-1;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		double t = now() - start;

		if (r == pid)
			break;
		if (kr_stop_signal || t > timeout) {
			kill(pid, SIGTERM);
			for (int i = 0; i < 50 && waitpid(pid, &status, WNOHANG) == 0; i++)
				usleep(20000);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			if (tty)
				fputc('\n', stderr);
			if (kr_stop_signal)
				return ksm_diag_set(err, "", 0, 0, "interrupted by signal %d; QEMU stopped",
						    (int)kr_stop_signal);
			return ksm_diag_set(err, "", 0, 0,
					    "the %s guest did not finish within %u s (--guest-timeout)",
					    label, timeout);
		}
		if (tty && t - last >= 0.5) {
			size_t done = count_rc(out);

			if (done != shown || t - last >= 1) {
				fprintf(stderr, "\rksmsim-kernel-replay: %s guest: %zu/%zu trace(s) replayed, %.0f s ",
					label, done, total, t);
				shown = done;
				last = t;
			}
		}
		usleep(50000);
	}
	if (tty && shown != (size_t)-1)
		fputc('\n', stderr);
	return 0;
}

/* Our own clean-up is done: the guardian need not act. */
static void rm_tree_and_dismiss(const char *job, struct kr_guardian *guardian)
{
	kr_rm_tree(job);
	kr_guardian_dismiss(guardian);
}

int kr_guest_run(const struct kr_guest_opts *g, char *const *traces, size_t n,
		 const char *out_dir, const char *snap_path, char *const *pass, size_t npass)
{
	char image[PATH_MAX], info[PATH_MAX], qemu[PATH_MAX], self[PATH_MAX];
	char job[PATH_MAX] = "", out[2 * PATH_MAX], release[256] = "?";
	const char *tmpdir = getenv("TMPDIR");
	struct ksm_diag err;
	unsigned timeout = g->timeout ? g->timeout : 120 + 30 * (unsigned)n;
	double t0 = now();
	int status = KR_EXIT_REPLAY, done;
	struct kr_guardian guardian = { .pid = 0, .fd = -1 };
	struct kr_guardian_job gjob = { .lock_fd = -1 };
	pid_t pid;

	if (kr_guest_probe(g, &err) || kr_batch_check(traces, n, &err) ||
	    kernel_paths(g, image, info, sizeof(image), &err) ||
	    find_in_path(QEMU, qemu, sizeof(qemu)) || self_path(self, sizeof(self), &err)) {
		fprintf(stderr, "ksmsim-kernel-replay: cannot replay on a guest: ");
		ksm_diag_print(stderr, &err);
		return KR_EXIT_START;
	}
	for (size_t i = 0; i < n; i++)
		if (access(traces[i], R_OK)) {
			fprintf(stderr, "%s: cannot read: %s\n", traces[i], strerror(errno));
			return KR_EXIT_START;
		}
	snprintf(job, sizeof(job), "%s/ksmsim-guest-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(job)) {
		fprintf(stderr, "ksmsim-kernel-replay: %s: cannot create: %s\n", job, strerror(errno));
		return KR_EXIT_START;
	}
	/* If we are killed, the guardian stops QEMU and removes the job folder. */
	gjob.rm_dir = job;
	if (kr_guardian_start(&guardian, &gjob, &err)) {
		ksm_diag_print(stderr, &err);
		kr_rm_tree(job);
		return KR_EXIT_START;
	}
	if (make_job(job, traces, n, pass, npass, self, &err)) {
		ksm_diag_print(stderr, &err);
		status = KR_EXIT_START;
		goto out;
	}
	if (g->verbose || isatty(2))
		fprintf(stderr, "ksmsim-kernel-replay: booting the %s guest kernel (%s, %s) for %zu trace(s)\n",
			g->kernel, image, !strcmp(g->accel, "kvm") ? "KVM" : "TCG", n);
	pid = start_qemu(g, qemu, image, job, &err);
	if (pid < 0) {
		ksm_diag_print(stderr, &err);
		goto out;
	}
	kr_guardian_watch(&guardian, pid);
	snprintf(out, sizeof(out), "%s/out", job);
	if (wait_qemu(pid, out, n, timeout, g->kernel, &err)) {
		fprintf(stderr, "ksmsim-kernel-replay: ");
		ksm_diag_print(stderr, &err);
		snprintf(out, sizeof(out), "%s/console.log", job);
		show_tail("guest console", out, 30);
		if (!g->console)
			fprintf(stderr, "(--console FILE keeps the whole console log)\n");
		status = kr_stop_signal ? KR_EXIT_SIGNAL + kr_stop_signal : KR_EXIT_REPLAY;
		goto out;
	}
	done = kr_guest_read_done(job, release, sizeof(release));
	if (done < 0) {
		fprintf(stderr, "ksmsim-kernel-replay: the %s guest stopped before it finished "
			"(it did not boot, or crashed)\n", g->kernel);
		snprintf(out, sizeof(out), "%s/console.log", job);
		show_tail("guest console", out, 30);
		snprintf(out, sizeof(out), "%s/qemu.log", job);
		show_tail("QEMU", out, 10);
		goto out;
	}
	if (g->verbose)
		fprintf(stderr, "ksmsim-kernel-replay: %s guest (Linux %s) replayed %zu trace(s) in %.1f s\n",
			g->kernel, release, n, now() - t0);
	if (out_dir) {
		if (kr_guest_take_batch(job, traces, n, out_dir, &err)) {
			ksm_diag_print(stderr, &err);
			goto out;
		}
		status = done;
	} else {
		status = kr_guest_take_single(job, traces[0], snap_path, &err);
		if (status < 0) {
			ksm_diag_print(stderr, &err);
			status = KR_EXIT_REPLAY;
		}
	}
out:
	if (g->console) {
		snprintf(out, sizeof(out), "%s/console.log", job);
		kr_copy_file(out, g->console, &err);
	}
	rm_tree_and_dismiss(job, &guardian);
	return status;
}
