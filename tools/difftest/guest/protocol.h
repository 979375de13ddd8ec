/* Record layouts exchanged between kestrel-difftest and the guest harness.
 *
 * The Rust side (src/protocol.rs) mirrors these offsets; the stubs in
 * stubs.S use the `regs` offsets directly. Everything is little-endian.
 *
 * stdin:  a stream of `test_in` records, each followed by MEM_SIZE bytes of
 *         initial memory when flags has TEST_EXPLICIT_MEM.
 * stdout: one `test_out` per test, in order, each followed by MEM_SIZE bytes
 *         of final memory when flags has TEST_DUMP_MEM.
 */
#ifndef DIFFTEST_PROTOCOL_H
#define DIFFTEST_PROTOCOL_H

#include <stdint.h>

#define MAX_INSNS 16
#define MEM_SIZE 4096
/* Test slots in the code region; a test names its slot, so that PC-relative
 * results do not depend on which other tests share a batch. */
#define CHUNK 512
/* Fixed addresses, so register values derived from them (X28, SP, fault
 * addresses) are the same under every emulator. */
#define MEM_ADDR 0x7e000000UL
#define CODE_ADDR 0x7d000000UL

#define IN_MAGIC 0x4954444bu  /* "KDTI" */
#define OUT_MAGIC 0x4f54444bu /* "KDTO" */

/* test_in.flags */
#define TEST_DUMP_MEM 1u     /* append the final memory block to the result */
#define TEST_EXPLICIT_MEM 2u /* initial memory follows the record (else from mem_seed) */
#define TEST_NO_MEM 4u       /* the test touches no memory: skip fill and hash */

/* Register state: loaded before the test, stored after it. In the records SP
 * and X28 are offsets into the memory block (the harness adds MEM_ADDR before
 * the test and subtracts it afterwards); the generator uses only them as
 * memory base registers. */
struct regs {
    uint64_t sp;   /* 0 */
    uint64_t nzcv; /* 8 */
    uint64_t fpcr; /* 16 */
    uint64_t fpsr; /* 24 */
    uint64_t x[31]; /* 32 */
    uint64_t code; /* 280: address the stub jumps to (not part of the records' meaning) */
    unsigned __int128 v[32]; /* 288 */
};

struct test_in {
    uint32_t magic;
    uint32_t n_insns;
    uint32_t flags;
    uint32_t slot;      /* 12: 0..CHUNK-1 */
    uint64_t mem_seed;  /* 16 */
    uint64_t reserved2; /* 24 */
    struct regs regs;   /* 32 */
    uint32_t insns[MAX_INSNS]; /* 832 */
};

struct test_out {
    uint32_t magic;
    uint32_t signal;     /* 0: ran to the end; else the signal number */
    int32_t fault_index; /* index of the faulting instruction, -1 if none or outside the test */
    uint32_t reserved;
    uint64_t fault_addr; /* 16: si_addr of the signal */
    uint64_t mem_hash;   /* 24: hash of the memory block (0 with TEST_NO_MEM) */
    struct regs regs;    /* 32: final state (at the fault, from the signal frame) */
};

_Static_assert(sizeof(struct regs) == 800, "regs layout");
_Static_assert(sizeof(struct test_in) == 896, "test_in layout");
_Static_assert(sizeof(struct test_out) == 832, "test_out layout");

#endif
