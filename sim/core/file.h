/* SPDX-License-Identifier: MIT */
/*
 * DOC: Reading a whole file
 *
 * sim_read_file() reads all of @path ("-" is standard input, left open)
 * into a buffer it allocates, with a '\0' after the last byte (so text can
 * be scanned as a string; *@len does not count it).  Reads interrupted by
 * a signal are retried.  Returns 0, or -1 with errno set when the file
 * cannot be opened or read (*@buf is then NULL).  Running out of memory
 * ends the program (core/alloc.h).  The caller frees *@buf.
 *
 * For files the program reads whole: snapshot streams, the differential
 * fuzzer's captured outputs.  Traces are streamed instead
 * (sim/trace/input.c), so their memory does not grow with their size.
 */
#ifndef KSMSIM_CORE_FILE_H
#define KSMSIM_CORE_FILE_H

#include <stddef.h>

int sim_read_file(const char *path, char **buf, size_t *len);

#endif /* KSMSIM_CORE_FILE_H */
