/*
 * The fault-injection campaign's workload (work.c) and injector (faultrun.c) are linked
 * into the same image: the injector finds the workload's data where its own copy is.
 */
#ifndef TESTS_MINIOS_WORK_H
#define TESTS_MINIOS_WORK_H

#include <stdint.h>

#define WORK_WORDS 2048U
/* Trace markers (HYPERVISOR_trace_marker): a verified round (its number in the low 24
 * bits), a fault injected (its number). */
#define WORK_MARK 0x57000000U
#define INJECT_MARK 0xFA000000U

/* The data the workload computes over, in rounds (its kernel .bss). */
extern uint32_t work_data[WORK_WORDS];

#endif /* TESTS_MINIOS_WORK_H */
