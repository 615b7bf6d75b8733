/* SPDX-License-Identifier: MIT */
/*
 * One place to include libbsd's <sys/tree.h> and <sys/queue.h>.
 *
 * libbsd 0.11.7 (Debian 12) marks its generated static functions with
 * __unused but does not define it on glibc; define it the way BSD
 * <sys/cdefs.h> does before the header is read.
 */
#ifndef KSMSIM_BSD_TREE_H
#define KSMSIM_BSD_TREE_H

#ifndef __unused
#define __unused __attribute__((__unused__))
#endif
#include <sys/queue.h>
#include <sys/tree.h>

#endif /* KSMSIM_BSD_TREE_H */
