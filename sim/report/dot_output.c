// SPDX-License-Identifier: MIT
/*
 * DOC: Writing a Graphviz picture: DOT text, or layout and rendering
 *
 * dot_output() writes the graph as DOT text with agwrite(), or lays it
 * out and renders it in-process with gvLayout() + gvRenderFilename() for
 * SVG, PNG and PDF (the format comes from the file name).  The file is
 * written under a temporary name registered with core/cleanup.c and
 * renamed only when complete, so no way out leaves it half written.
 * Graphviz's own complaints are collected rather than printed, for the
 * error message.  dot_output_progress() says, through the caller's note
 * hook, when a layout that may take a while starts and how long it took.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gvc.h>

#include "core/alloc.h"
#include "core/cleanup.h"
#include "report/dot_internal.h"

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

static int file_fail(struct sim_error *err, enum sim_arg arg, const char *file,
		     const char *why)
{
	return sim_fail(err, arg, "cannot write %s: %s", file, why);
}

static int write_dot_text(struct dot *d, const char *tmp, const char *file,
			  enum sim_arg arg, struct sim_error *err)
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

/*
 * @in_place: @tmp is the user's own non-regular file (a FIFO, a device):
 * it is only tried for writing, never opened and closed before Graphviz
 * opens it (a FIFO's reader would see its end), and its size says nothing.
 */
static int render(struct dot *d, enum dot_format fmt, const char *tmp,
		  const char *file, bool in_place, enum sim_arg arg, struct sim_error *err)
{
	static const char *const names[] = {
		[DOT_FORMAT_SVG] = "svg", [DOT_FORMAT_PNG] = "png", [DOT_FORMAT_PDF] = "pdf",
	};
	agusererrf old;
	struct stat st;
	GVC_t *gvc;
	int rc = 0;

	/* Say "cannot write" for an unwritable place before laying out. */
	if (in_place) {
		if (access(tmp, W_OK))
			return file_fail(err, arg, file, strerror(errno));
	} else {
		FILE *probe = fopen(tmp, "w");

		if (!probe)
			return file_fail(err, arg, file, strerror(errno));
		fclose(probe);
	}
	gv_msg[0] = '\0';
	old = agseterrf(gv_collect);
	gvc = gvc_context();
	if (gvLayout(gvc, d->g, "dot")) {
		rc = sim_fail(err, arg, "cannot lay out the graph for %s: %s",
			      file, gv_msg[0] ? gv_msg : "Graphviz failed");
	} else {
		if (gvRenderFilename(gvc, d->g, names[fmt], tmp))
			rc = sim_fail(err, arg, "cannot render %s as %s: %s",
				      file, names[fmt], gv_msg[0] ? gv_msg : "Graphviz failed");
		gvFreeLayout(gvc, d->g);
	}
	agseterrf(old);
	if (!rc && !in_place && (stat(tmp, &st) || st.st_size == 0))
		rc = sim_fail(err, arg, "cannot render %s as %s: %s", file,
			      names[fmt], gv_msg[0] ? gv_msg : "Graphviz wrote nothing");
	return rc;
}

/*
 * Through a temporary name — unless @file exists and is not a regular
 * file (/dev/null, a FIFO): renaming over it would replace the device by
 * a regular file, so it is written in place.
 */
int dot_output(struct dot *d, const char *file, enum sim_arg arg,
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
		rc = render(d, fmt, tmp, file, in_place, arg, err);
	if (!rc && !in_place && rename(tmp, file))
		rc = file_fail(err, arg, file, strerror(errno));
	if (rc && !in_place)
		unlink(tmp);
	cleanup_unregister(slot);
	free(tmp);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int dot_output_progress(struct dot *d, const char *file, enum sim_arg arg,
			const struct dot_opts *opts, struct sim_error *err)
{
	int nodes = agnnodes(d->g), edges = agnedges(d->g), rc;
	unsigned progress = opts ? opts->progress : DOT_PROGRESS_NONE;
	bool tell = dot_format_of(file) != DOT_FORMAT_DOT &&
		    (progress == DOT_PROGRESS_ALL ||
		     (progress == DOT_PROGRESS_BIG && nodes > DOT_PROGRESS_NODES));
	double t0 = 0;

	if (tell) {
		dot_say(opts, "laying out and rendering %d nodes, %d edges...", nodes, edges);
		t0 = now_s();
	}
	rc = dot_output(d, file, arg, err);
	if (tell && !rc)
		dot_say(opts, "laid out and rendered in %.2f s", now_s() - t0);
	return rc;
}
