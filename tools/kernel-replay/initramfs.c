// SPDX-License-Identifier: MIT
/*
 * DOC: The guest's initramfs, written without external tools
 *
 * The guest boots from an initramfs whose only program is this replayer,
 * statically linked, as /init.  The archive is the kernel's "newc" cpio
 * format (Documentation/driver-api/early-userspace/buffer-format.rst):
 * per entry a 110-byte ASCII header of thirteen 8-digit hex fields, the
 * NUL-terminated name, padding to 4 bytes, the data, padding to 4 bytes;
 * "TRAILER!!!" ends it.  /dev/console is included as a device node so
 * that the kernel can give init its standard streams before devtmpfs is
 * mounted.  Traces and outputs travel over a 9p share, not the archive,
 * so one archive serves every boot.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "core/array.h"
#include "core/outfile.h"
#include "kr.h"

static unsigned ino = 1;

static int pad4(FILE *f, size_t n)
{
	static const char zero[4];

	return fwrite(zero, 1, (4 - n % 4) % 4, f) == (4 - n % 4) % 4 ? 0 : -1;
}

static int entry(FILE *f, const char *name, unsigned mode, unsigned rmaj, unsigned rmin,
		 const void *data, size_t size)
{
	size_t namesize = strlen(name) + 1;

	if (fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
		    ino++, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, rmaj, rmin, namesize, 0u) != 110)
		return -1;
	if (fwrite(name, 1, namesize, f) != namesize || pad4(f, 110 + namesize))
		return -1;
	if (size && (fwrite(data, 1, size, f) != size || pad4(f, size)))
		return -1;
	return 0;
}

static void *read_binary(const char *path, size_t *size, struct ksm_diag *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;

	if (fd < 0 || fstat(fd, &st)) {
		ksm_diag_set(err, path, 0, 0, "cannot read: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf || kr_read_full(fd, buf, (size_t)st.st_size)) {
		ksm_diag_set(err, path, 0, 0, "cannot read: %s", buf ? strerror(errno) : "out of memory");
		free(buf);
		close(fd);
		return NULL;
	}
	close(fd);
	*size = (size_t)st.st_size;
	return buf;
}

int kr_initramfs_write(const char *path, const char *init_binary, struct ksm_diag *err)
{
	static const char *const dirs[] = { "dev", "proc", "sys", "run", "tmp", "mnt" };
	struct outfile o;
	size_t size;
	void *init = read_binary(init_binary, &size, err);
	int bad = 0;

	if (!init)
		return -1;
	if (outfile_open(&o, path, err)) {
		free(init);
		return -1;
	}
	ino = 1;
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		bad |= entry(o.f, dirs[i], S_IFDIR | 0755, 0, 0, NULL, 0);
	bad |= entry(o.f, "dev/console", S_IFCHR | 0600, 5, 1, NULL, 0);
	bad |= entry(o.f, "init", S_IFREG | 0755, 0, 0, init, size);
	bad |= entry(o.f, "TRAILER!!!", 0, 0, 0, NULL, 0);
	free(init);
	if (bad) {
		outfile_abort(&o);
		return ksm_diag_set(err, path, 0, 0, "cannot write: %s", strerror(errno));
	}
	return outfile_commit(&o, err);
}
