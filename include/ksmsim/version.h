/* SPDX-License-Identifier: MIT */
/*
 * DOC: The version every ksmsim program prints with --version
 *
 * "MAJOR.MINOR.PATCH (git DESCRIBE)" — the git part names the revision the
 * binary was built from (with -dirty for uncommitted changes); it is
 * refreshed at every build by tools/version.cmake.
 */
#ifndef KSMSIM_VERSION_H
#define KSMSIM_VERSION_H

const char *ksmsim_version(void);

#endif /* KSMSIM_VERSION_H */
