/* SPDX-License-Identifier: MIT */
/* The advisor_mode knob's values (mm/ksm.c, Linux 6.7+). */
#ifndef KSMSIM_ADVISOR_H
#define KSMSIM_ADVISOR_H

enum ksm_advisor_mode {
	KSM_ADVISOR_NONE,      /* "none"      */
	KSM_ADVISOR_SCAN_TIME, /* "scan-time" */
};

#endif /* KSMSIM_ADVISOR_H */
