/*
 * A bytecode interpreter: a small stack machine with locals, arithmetic,
 * comparisons and jumps, dispatched by a switch in a loop.  The program it
 * runs counts Collatz steps for a range of starting values and mixes the
 * step counts into a checksum: tight loops of interpreted branches.
 */
#include <stdint.h>
#include <stdio.h>

enum op { PUSH, LOAD, STORE, ADD, MUL, SHR1, AND1, XOR, LT, EQ, JMP, JZ, JNZ, HALT };

struct insn { uint8_t op; int32_t arg; };

/* Values are unsigned so that wrap-around in the checksum is well defined. */
static uint64_t run(const struct insn *code, uint64_t *locals)
{
    uint64_t stack[64];
    int sp = 0, pc = 0;
    for (;;) {
        const struct insn *in = &code[pc++];
        switch (in->op) {
        case PUSH: stack[sp++] = (uint64_t)in->arg; break;
        case LOAD: stack[sp++] = locals[in->arg]; break;
        case STORE: locals[in->arg] = stack[--sp]; break;
        case ADD: sp--; stack[sp - 1] += stack[sp]; break;
        case MUL: sp--; stack[sp - 1] *= stack[sp]; break;
        case SHR1: stack[sp - 1] >>= 1; break;
        case AND1: stack[sp - 1] &= 1; break;
        case XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
        case LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
        case EQ: sp--; stack[sp - 1] = stack[sp - 1] == stack[sp]; break;
        case JMP: pc = in->arg; break;
        case JZ: if (stack[--sp] == 0) pc = in->arg; break;
        case JNZ: if (stack[--sp] != 0) pc = in->arg; break;
        case HALT: return stack[sp - 1];
        }
    }
}

/* A two-pass-free assembler: emit() appends, jumps to later code are
 * patched once the target is known. */
static struct insn code[128];
static int ncode;
static int here(void) { return ncode; }
static int emit(int op, int arg)
{
    code[ncode] = (struct insn){(uint8_t)op, arg};
    return ncode++;
}
static void patch(int at) { code[at].arg = ncode; }

enum { N, X, STEPS, SUM, LIMIT }; /* local variable slots */

int main(void)
{
    /* for (n = 1; n < limit; n++) {
     *     x = n; steps = 0;
     *     while (x != 1) { x = (x & 1) ? 3x + 1 : x >> 1; steps++; }
     *     sum = sum * 31 + steps ^ n;
     * }
     * return sum; */
    emit(PUSH, 1); emit(STORE, N);
    int outer = here();
    emit(LOAD, N); emit(LOAD, LIMIT); emit(LT, 0);
    int to_exit = emit(JZ, 0);
    emit(LOAD, N); emit(STORE, X); emit(PUSH, 0); emit(STORE, STEPS);
    int inner = here();
    emit(LOAD, X); emit(PUSH, 1); emit(EQ, 0);
    int to_done = emit(JNZ, 0);
    emit(LOAD, X); emit(AND1, 0);
    int to_even = emit(JZ, 0);
    emit(LOAD, X); emit(PUSH, 3); emit(MUL, 0); emit(PUSH, 1); emit(ADD, 0);
    int to_store = emit(JMP, 0);
    patch(to_even);
    emit(LOAD, X); emit(SHR1, 0);
    patch(to_store);
    emit(STORE, X);
    emit(LOAD, STEPS); emit(PUSH, 1); emit(ADD, 0); emit(STORE, STEPS);
    emit(JMP, inner);
    patch(to_done);
    emit(LOAD, SUM); emit(PUSH, 31); emit(MUL, 0); emit(LOAD, STEPS); emit(ADD, 0);
    emit(LOAD, N); emit(XOR, 0); emit(STORE, SUM);
    emit(LOAD, N); emit(PUSH, 1); emit(ADD, 0); emit(STORE, N);
    emit(JMP, outer);
    patch(to_exit);
    emit(LOAD, SUM); emit(HALT, 0);

    uint64_t locals[8] = {0};
    locals[LIMIT] = 180000;
    uint64_t sum = run(code, locals);
    printf("checksum: %016llx (%d instructions, n reached %llu)\n", (unsigned long long)sum, ncode,
           (unsigned long long)locals[N]);
    return 0;
}
