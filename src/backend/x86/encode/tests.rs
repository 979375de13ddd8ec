//! Table tests for the encoder.
//!
//! Every expected byte string is what GNU as (binutils 2.40) assembles for
//! the Intel-syntax source in the comment on its row, with
//! `as --64 -msyntax=intel -mnaked-reg` (bytes read back with
//! `objdump -d -M intel`); the encoder's output is never the reference.
//!
//! - `{disp8}` and `{disp32}` are as's pseudo-prefixes forcing the
//!   displacement width the encoder uses: disp8 for `[base + 0]` (as would
//!   drop it), rel32 for jumps (as would relax them to rel8), disp32 for
//!   `cmp_m32_zero_wide`.
//! - Rows in `check_at` tables start at an origin: the buffer already holds
//!   that many one-byte NOPs (`.fill org, 1, 0x90` in the as source) and
//!   only the bytes from the origin on are compared. Their comments read
//!   `origin: source`; `T` is a label, at the offset given after the source
//!   unless the source defines it.
//! - The few rows marked "objdump" are instructions for which as picks a
//!   different, shorter encoding. Their bytes are the encoder's, accepted
//!   because `objdump -d -M intel` reads them back as the instruction in the
//!   comment, and that disassembly assembles to the same bytes as the row's
//!   own source.

use super::regs::*;
use super::{cc, Alu, Asm, ShiftOp, Unary};

/// One encoder call (or a few) on a buffer.
type Emit = fn(&mut Asm);

/// Runs each row on a fresh buffer and fails listing every row whose bytes
/// differ from the expected ones.
fn check(rows: &[(Emit, &[u8])]) {
    let rows: Vec<_> = rows.iter().map(|&(emit, want)| (0, emit, want)).collect();
    check_at(&rows);
}

/// Like `check`, with each row's buffer starting at an origin: `org` NOPs
/// already in it, and only the bytes emitted from there on compared.
fn check_at(rows: &[(usize, Emit, &[u8])]) {
    let mut bad = Vec::new();
    for (i, &(org, emit, want)) in rows.iter().enumerate() {
        let mut a = Asm { buf: vec![0x90; org] };
        emit(&mut a);
        let got = &a.buf[org..];
        if got != want {
            bad.push(format!("row {i}: got [{}], want [{}]", hex(got), hex(want)));
        }
    }
    assert!(bad.is_empty(), "{} of {} rows differ:\n{}", bad.len(), rows.len(), bad.join("\n"));
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

/// `jmp` bound to buffer offset `target`.
fn jmp_to(a: &mut Asm, target: usize) {
    let l = a.jmp();
    a.bind_to(l, target);
}

/// `jcc` bound to buffer offset `target`.
fn jcc_to(a: &mut Asm, cond: u8, target: usize) {
    let l = a.jcc(cond);
    a.bind_to(l, target);
}

/// A label's rel32 field is the last four bytes of its jump.
#[test]
fn label_fields() {
    let mut a = Asm::default();
    a.ret();
    let j = a.jmp();
    let c = a.jcc(cc::E);
    assert_eq!((Asm::field(j), Asm::field(c), a.pos()), (2, 8, 12));
}

/// `mov_rr`: 64- and 32-bit, low and high registers on either side.
#[test]
#[rustfmt::skip]
fn mov_rr() {
    check(&[
        (|a| a.mov_rr(true, RAX, RCX), &[0x48, 0x89, 0xc8]), // mov rax, rcx
        (|a| a.mov_rr(true, R8, RAX), &[0x49, 0x89, 0xc0]), // mov r8, rax
        (|a| a.mov_rr(true, RAX, R15), &[0x4c, 0x89, 0xf8]), // mov rax, r15
        (|a| a.mov_rr(true, R12, R13), &[0x4d, 0x89, 0xec]), // mov r12, r13
        (|a| a.mov_rr(true, RSP, RBP), &[0x48, 0x89, 0xec]), // mov rsp, rbp
        (|a| a.mov_rr(false, RAX, RCX), &[0x89, 0xc8]), // mov eax, ecx
        (|a| a.mov_rr(false, R9, RSP), &[0x41, 0x89, 0xe1]), // mov r9d, esp
        (|a| a.mov_rr(false, RDI, R10), &[0x44, 0x89, 0xd7]), // mov edi, r10d
        (|a| a.mov_rr(false, R14, R11), &[0x45, 0x89, 0xde]), // mov r14d, r11d
    ]);
}

/// `mov_ri`: zero, 32-bit values, negative values that fit simm32, full 64-bit values.
#[test]
#[rustfmt::skip]
fn mov_ri() {
    check(&[
        (|a| a.mov_ri(RAX, 0), &[0xb8, 0x00, 0x00, 0x00, 0x00]), // mov eax, 0
        (|a| a.mov_ri(R15, 0), &[0x41, 0xbf, 0x00, 0x00, 0x00, 0x00]), // mov r15d, 0
        (|a| a.mov_ri(RCX, 0x1234_5678), &[0xb9, 0x78, 0x56, 0x34, 0x12]), // mov ecx, 0x12345678
        (|a| a.mov_ri(RBX, 0x8000_0000), &[0xbb, 0x00, 0x00, 0x00, 0x80]), // mov ebx, 0x80000000
        (|a| a.mov_ri(R8, 0xffff_ffff), &[0x41, 0xb8, 0xff, 0xff, 0xff, 0xff]), // mov r8d, 0xffffffff
        (|a| a.mov_ri(RAX, -1i64 as u64), &[0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff]), // mov rax, -1
        (|a| a.mov_ri(RSP, -2i64 as u64), &[0x48, 0xc7, 0xc4, 0xfe, 0xff, 0xff, 0xff]), // mov rsp, -2
        (|a| a.mov_ri(R11, i32::MIN as i64 as u64), &[0x49, 0xc7, 0xc3, 0x00, 0x00, 0x00, 0x80]), // mov r11, -0x80000000
        (|a| a.mov_ri(RDX, 0x1_0000_0000), &[0x48, 0xba, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00]), // mov rdx, 0x100000000
        (|a| a.mov_ri(R13, 0x1234_5678_9abc_def0), &[0x49, 0xbd, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12]), // mov r13, 0x123456789abcdef0
        (|a| a.mov_ri(RAX, i32::MIN as i64 as u64 - 1), &[0x48, 0xb8, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff]), // mov rax, 0xffffffff7fffffff
        (|a| a.mov_ri(R9, u64::MAX << 32), &[0x49, 0xb9, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]), // mov r9, 0xffffffff00000000
    ]);
}

/// `load`: sizes 0..3, signed and unsigned, every kind of base and displacement.
#[test]
#[rustfmt::skip]
fn load() {
    check(&[
        (|a| a.load(0, false, RAX, RCX, 8), &[0x0f, 0xb6, 0x41, 0x08]), // movzx eax, byte ptr [rcx+8]
        (|a| a.load(0, false, R8, R12, -1), &[0x45, 0x0f, 0xb6, 0x44, 0x24, 0xff]), // movzx r8d, byte ptr [r12-1]
        (|a| a.load(0, false, RSI, RBP, 0), &[0x0f, 0xb6, 0x75, 0x00]), // movzx esi, byte ptr [rbp+0]
        (|a| a.load(0, true, RAX, RCX, 8), &[0x48, 0x0f, 0xbe, 0x41, 0x08]), // movsx rax, byte ptr [rcx+8]
        (|a| a.load(0, true, R12, RSP, i32::MAX), &[0x4c, 0x0f, 0xbe, 0xa4, 0x24, 0xff, 0xff, 0xff, 0x7f]), // movsx r12, byte ptr [rsp+0x7fffffff]
        (|a| a.load(1, false, RDX, RSP, 0x10), &[0x0f, 0xb7, 0x54, 0x24, 0x10]), // movzx edx, word ptr [rsp+0x10]
        (|a| a.load(1, false, R14, R8, 0x200), &[0x45, 0x0f, 0xb7, 0xb0, 0x00, 0x02, 0x00, 0x00]), // movzx r14d, word ptr [r8+0x200]
        (|a| a.load(1, true, R9, RBP, -8), &[0x4c, 0x0f, 0xbf, 0x4d, 0xf8]), // movsx r9, word ptr [rbp-8]
        (|a| a.load(1, true, RDI, R13, 0x7f), &[0x49, 0x0f, 0xbf, 0x7d, 0x7f]), // movsx rdi, word ptr [r13+0x7f]
        (|a| a.load(2, false, R10, R12, 0x100), &[0x45, 0x8b, 0x94, 0x24, 0x00, 0x01, 0x00, 0x00]), // mov r10d, dword ptr [r12+0x100]
        (|a| a.load(2, false, RAX, RBP, i32::MIN), &[0x8b, 0x85, 0x00, 0x00, 0x00, 0x80]), // mov eax, dword ptr [rbp-0x80000000]
        (|a| a.load(2, true, RSI, R13, -0x1000), &[0x49, 0x63, 0xb5, 0x00, 0xf0, 0xff, 0xff]), // movsxd rsi, dword ptr [r13-0x1000]
        (|a| a.load(2, true, R11, RSP, -4), &[0x4c, 0x63, 0x5c, 0x24, 0xfc]), // movsxd r11, dword ptr [rsp-4]
        (|a| a.load(3, false, R15, RAX, 0x7f), &[0x4c, 0x8b, 0x78, 0x7f]), // mov r15, qword ptr [rax+0x7f]
        (|a| a.load(3, false, RAX, RDI, 0x80), &[0x48, 0x8b, 0x87, 0x80, 0x00, 0x00, 0x00]), // mov rax, qword ptr [rdi+0x80]
        (|a| a.load(3, false, RAX, RBX, -0x80), &[0x48, 0x8b, 0x43, 0x80]), // mov rax, qword ptr [rbx-0x80]
        (|a| a.load(3, false, RAX, RBX, -0x81), &[0x48, 0x8b, 0x83, 0x7f, 0xff, 0xff, 0xff]), // mov rax, qword ptr [rbx-0x81]
        (|a| a.load(3, false, RCX, RAX, 0), &[0x48, 0x8b, 0x48, 0x00]), // {disp8} mov rcx, qword ptr [rax+0]
        (|a| a.load(3, false, RCX, RBP, 0), &[0x48, 0x8b, 0x4d, 0x00]), // mov rcx, qword ptr [rbp+0]
        (|a| a.load(3, false, RCX, R13, 0), &[0x49, 0x8b, 0x4d, 0x00]), // mov rcx, qword ptr [r13+0]
        (|a| a.load(3, false, R12, R12, 0), &[0x4d, 0x8b, 0x64, 0x24, 0x00]), // {disp8} mov r12, qword ptr [r12+0]
        (|a| a.load(3, true, RAX, R15, -0x80), &[0x49, 0x8b, 0x47, 0x80]), // mov rax, qword ptr [r15-0x80]
    ]);
}

/// `store` of every size (byte stores of SPL..DIL need a bare REX) and `store_imm`.
#[test]
#[rustfmt::skip]
fn store() {
    check(&[
        (|a| a.store(0, RAX, 8, RCX), &[0x88, 0x48, 0x08]), // mov byte ptr [rax+8], cl
        (|a| a.store(0, RCX, 8, RSI), &[0x40, 0x88, 0x71, 0x08]), // mov byte ptr [rcx+8], sil
        (|a| a.store(0, RCX, 8, RDI), &[0x40, 0x88, 0x79, 0x08]), // mov byte ptr [rcx+8], dil
        (|a| a.store(0, RBP, -1, RSP), &[0x40, 0x88, 0x65, 0xff]), // mov byte ptr [rbp-1], spl
        (|a| a.store(0, RDX, 0, RBP), &[0x40, 0x88, 0x6a, 0x00]), // {disp8} mov byte ptr [rdx+0], bpl
        (|a| a.store(0, R12, 0x100, RBX), &[0x41, 0x88, 0x9c, 0x24, 0x00, 0x01, 0x00, 0x00]), // mov byte ptr [r12+0x100], bl
        (|a| a.store(0, RSP, 4, R9), &[0x44, 0x88, 0x4c, 0x24, 0x04]), // mov byte ptr [rsp+4], r9b
        (|a| a.store(0, R13, 0, RAX), &[0x41, 0x88, 0x45, 0x00]), // mov byte ptr [r13+0], al
        (|a| a.store(0, R8, -0x100, R15), &[0x45, 0x88, 0xb8, 0x00, 0xff, 0xff, 0xff]), // mov byte ptr [r8-0x100], r15b
        (|a| a.store(1, RAX, 2, RCX), &[0x66, 0x89, 0x48, 0x02]), // mov word ptr [rax+2], cx
        (|a| a.store(1, R8, -2, R15), &[0x66, 0x45, 0x89, 0x78, 0xfe]), // mov word ptr [r8-2], r15w
        (|a| a.store(1, RSP, 0x200, RSI), &[0x66, 0x89, 0xb4, 0x24, 0x00, 0x02, 0x00, 0x00]), // mov word ptr [rsp+0x200], si
        (|a| a.store(2, RDI, 0x40, RAX), &[0x89, 0x47, 0x40]), // mov dword ptr [rdi+0x40], eax
        (|a| a.store(2, R12, -0x200, R10), &[0x45, 0x89, 0x94, 0x24, 0x00, 0xfe, 0xff, 0xff]), // mov dword ptr [r12-0x200], r10d
        (|a| a.store(2, RBP, 0x7f, RSP), &[0x89, 0x65, 0x7f]), // mov dword ptr [rbp+0x7f], esp
        (|a| a.store(3, RSP, 0x18, RAX), &[0x48, 0x89, 0x44, 0x24, 0x18]), // mov qword ptr [rsp+0x18], rax
        (|a| a.store(3, R13, 0x1000, R14), &[0x4d, 0x89, 0xb5, 0x00, 0x10, 0x00, 0x00]), // mov qword ptr [r13+0x1000], r14
        (|a| a.store(3, RBP, -0x10, RDI), &[0x48, 0x89, 0x7d, 0xf0]), // mov qword ptr [rbp-0x10], rdi
        (|a| a.store(3, R11, 0, R8), &[0x4d, 0x89, 0x43, 0x00]), // {disp8} mov qword ptr [r11+0], r8
        (|a| a.store_imm(RAX, 8, 0), &[0x48, 0xc7, 0x40, 0x08, 0x00, 0x00, 0x00, 0x00]), // mov qword ptr [rax+8], 0
        (|a| a.store_imm(RSP, 0x20, -1), &[0x48, 0xc7, 0x44, 0x24, 0x20, 0xff, 0xff, 0xff, 0xff]), // mov qword ptr [rsp+0x20], -1
        (|a| a.store_imm(R12, 0x1000, 0x1234_5678), &[0x49, 0xc7, 0x84, 0x24, 0x00, 0x10, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12]), // mov qword ptr [r12+0x1000], 0x12345678
        (|a| a.store_imm(R13, -8, i32::MIN), &[0x49, 0xc7, 0x45, 0xf8, 0x00, 0x00, 0x00, 0x80]), // mov qword ptr [r13-8], -0x80000000
        (|a| a.store_imm(RBP, 0, 1), &[0x48, 0xc7, 0x45, 0x00, 0x01, 0x00, 0x00, 0x00]), // mov qword ptr [rbp+0], 1
        (|a| a.store_imm(R9, -0x81, i32::MAX), &[0x49, 0xc7, 0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), // mov qword ptr [r9-0x81], 0x7fffffff
    ]);
}

/// `alu_rr`: every operation in both widths.
#[test]
#[rustfmt::skip]
fn alu_rr() {
    check(&[
        (|a| a.alu_rr(Alu::Add, true, RAX, RCX), &[0x48, 0x01, 0xc8]), // add rax, rcx
        (|a| a.alu_rr(Alu::Add, false, R8, R9), &[0x45, 0x01, 0xc8]), // add r8d, r9d
        (|a| a.alu_rr(Alu::Or, true, R8, RAX), &[0x49, 0x09, 0xc0]), // or r8, rax
        (|a| a.alu_rr(Alu::Or, false, RDX, RBX), &[0x09, 0xda]), // or edx, ebx
        (|a| a.alu_rr(Alu::Adc, true, RDX, R15), &[0x4c, 0x11, 0xfa]), // adc rdx, r15
        (|a| a.alu_rr(Alu::Adc, false, R11, RSI), &[0x41, 0x11, 0xf3]), // adc r11d, esi
        (|a| a.alu_rr(Alu::Sbb, true, R12, R13), &[0x4d, 0x19, 0xec]), // sbb r12, r13
        (|a| a.alu_rr(Alu::Sbb, false, RCX, RDX), &[0x19, 0xd1]), // sbb ecx, edx
        (|a| a.alu_rr(Alu::And, true, RSI, RDI), &[0x48, 0x21, 0xfe]), // and rsi, rdi
        (|a| a.alu_rr(Alu::And, false, RSI, RDI), &[0x21, 0xfe]), // and esi, edi
        (|a| a.alu_rr(Alu::Sub, true, RSP, RAX), &[0x48, 0x29, 0xc4]), // sub rsp, rax
        (|a| a.alu_rr(Alu::Sub, false, R9, RBX), &[0x41, 0x29, 0xd9]), // sub r9d, ebx
        (|a| a.alu_rr(Alu::Xor, true, R10, R10), &[0x4d, 0x31, 0xd2]), // xor r10, r10
        (|a| a.alu_rr(Alu::Xor, false, RAX, RAX), &[0x31, 0xc0]), // xor eax, eax
        (|a| a.alu_rr(Alu::Cmp, true, RSP, RBP), &[0x48, 0x39, 0xec]), // cmp rsp, rbp
        (|a| a.alu_rr(Alu::Cmp, false, R15, R14), &[0x45, 0x39, 0xf7]), // cmp r15d, r14d
    ]);
}

/// `alu_ri`: every operation, imm8 and imm32 (and their boundaries).
#[test]
#[rustfmt::skip]
fn alu_ri() {
    check(&[
        (|a| a.alu_ri(Alu::Add, true, RAX, 8), &[0x48, 0x83, 0xc0, 0x08]), // add rax, 8
        (|a| a.alu_ri(Alu::Add, false, R12, 0x1000), &[0x41, 0x81, 0xc4, 0x00, 0x10, 0x00, 0x00]), // add r12d, 0x1000
        (|a| a.alu_ri(Alu::Or, false, RCX, 0x7f), &[0x83, 0xc9, 0x7f]), // or ecx, 0x7f
        (|a| a.alu_ri(Alu::Or, true, RBX, 0x100), &[0x48, 0x81, 0xcb, 0x00, 0x01, 0x00, 0x00]), // or rbx, 0x100
        (|a| a.alu_ri(Alu::Adc, true, R8, -0x80), &[0x49, 0x83, 0xd0, 0x80]), // adc r8, -0x80
        (|a| a.alu_ri(Alu::Adc, false, RDX, 0x80), &[0x81, 0xd2, 0x80, 0x00, 0x00, 0x00]), // adc edx, 0x80
        (|a| a.alu_ri(Alu::Sbb, false, R15, -1), &[0x41, 0x83, 0xdf, 0xff]), // sbb r15d, -1
        (|a| a.alu_ri(Alu::Sbb, true, RSI, -0x81), &[0x48, 0x81, 0xde, 0x7f, 0xff, 0xff, 0xff]), // sbb rsi, -0x81
        (|a| a.alu_ri(Alu::And, true, RSP, -16), &[0x48, 0x83, 0xe4, 0xf0]), // and rsp, -16
        (|a| a.alu_ri(Alu::And, false, R9, i32::MAX), &[0x41, 0x81, 0xe1, 0xff, 0xff, 0xff, 0x7f]), // and r9d, 0x7fffffff
        (|a| a.alu_ri(Alu::Sub, true, RSP, 0x80), &[0x48, 0x81, 0xec, 0x80, 0x00, 0x00, 0x00]), // sub rsp, 0x80
        (|a| a.alu_ri(Alu::Sub, false, RDI, 1), &[0x83, 0xef, 0x01]), // sub edi, 1
        (|a| a.alu_ri(Alu::Xor, true, R11, 0x1234_5678), &[0x49, 0x81, 0xf3, 0x78, 0x56, 0x34, 0x12]), // xor r11, 0x12345678
        (|a| a.alu_ri(Alu::Xor, false, RBP, 0), &[0x83, 0xf5, 0x00]), // xor ebp, 0
        (|a| a.alu_ri(Alu::Cmp, false, RDX, -0x81), &[0x81, 0xfa, 0x7f, 0xff, 0xff, 0xff]), // cmp edx, -0x81
        (|a| a.alu_ri(Alu::Cmp, true, RBX, i32::MIN), &[0x48, 0x81, 0xfb, 0x00, 0x00, 0x00, 0x80]), // cmp rbx, -0x80000000
        (|a| a.alu_ri(Alu::Cmp, true, R13, 0), &[0x49, 0x83, 0xfd, 0x00]), // cmp r13, 0
        (|a| a.alu_ri(Alu::Add, true, RAX, 0x1000), &[0x48, 0x81, 0xc0, 0x00, 0x10, 0x00, 0x00]), // objdump: add rax,0x1000 (as picks the accumulator form 48 05 imm32)
        (|a| a.alu_ri(Alu::Cmp, false, RAX, -0x81), &[0x81, 0xf8, 0x7f, 0xff, 0xff, 0xff]), // objdump: cmp eax,0xffffff7f (as picks the accumulator form 3d imm32)
    ]);
}

/// `alu_rm`: every operation, both widths, every kind of base.
#[test]
#[rustfmt::skip]
fn alu_rm() {
    check(&[
        (|a| a.alu_rm(Alu::Add, true, RAX, RCX, 8), &[0x48, 0x03, 0x41, 0x08]), // add rax, qword ptr [rcx+8]
        (|a| a.alu_rm(Alu::Or, false, R8, RSP, 4), &[0x44, 0x0b, 0x44, 0x24, 0x04]), // or r8d, dword ptr [rsp+4]
        (|a| a.alu_rm(Alu::Adc, true, R15, R12, -8), &[0x4d, 0x13, 0x7c, 0x24, 0xf8]), // adc r15, qword ptr [r12-8]
        (|a| a.alu_rm(Alu::Sbb, false, RCX, RBP, 0x100), &[0x1b, 0x8d, 0x00, 0x01, 0x00, 0x00]), // sbb ecx, dword ptr [rbp+0x100]
        (|a| a.alu_rm(Alu::And, true, RDX, R13, 0), &[0x49, 0x23, 0x55, 0x00]), // and rdx, qword ptr [r13+0]
        (|a| a.alu_rm(Alu::Sub, true, R10, RAX, -0x1000), &[0x4c, 0x2b, 0x90, 0x00, 0xf0, 0xff, 0xff]), // sub r10, qword ptr [rax-0x1000]
        (|a| a.alu_rm(Alu::Xor, false, RSI, RDI, 0x7f), &[0x33, 0x77, 0x7f]), // xor esi, dword ptr [rdi+0x7f]
        (|a| a.alu_rm(Alu::Cmp, true, RAX, RSP, 0x80), &[0x48, 0x3b, 0x84, 0x24, 0x80, 0x00, 0x00, 0x00]), // cmp rax, qword ptr [rsp+0x80]
        (|a| a.alu_rm(Alu::Cmp, false, R11, R9, 0), &[0x45, 0x3b, 0x59, 0x00]), // {disp8} cmp r11d, dword ptr [r9+0]
    ]);
}

/// `alu_mi8`: every operation, both widths, every kind of base.
#[test]
#[rustfmt::skip]
fn alu_mi8() {
    check(&[
        (|a| a.alu_mi8(Alu::Add, true, RAX, 8, 1), &[0x48, 0x83, 0x40, 0x08, 0x01]), // add qword ptr [rax+8], 1
        (|a| a.alu_mi8(Alu::Or, false, RSP, 0x10, -1), &[0x83, 0x4c, 0x24, 0x10, 0xff]), // or dword ptr [rsp+0x10], -1
        (|a| a.alu_mi8(Alu::Adc, true, R12, 0x100, 0x7f), &[0x49, 0x83, 0x94, 0x24, 0x00, 0x01, 0x00, 0x00, 0x7f]), // adc qword ptr [r12+0x100], 0x7f
        (|a| a.alu_mi8(Alu::Sbb, false, R13, -4, -0x80), &[0x41, 0x83, 0x5d, 0xfc, 0x80]), // sbb dword ptr [r13-4], -0x80
        (|a| a.alu_mi8(Alu::And, true, RBP, 0, 0), &[0x48, 0x83, 0x65, 0x00, 0x00]), // and qword ptr [rbp+0], 0
        (|a| a.alu_mi8(Alu::Sub, false, R8, 0x20, 1), &[0x41, 0x83, 0x68, 0x20, 0x01]), // sub dword ptr [r8+0x20], 1
        (|a| a.alu_mi8(Alu::Xor, true, RDI, -0x200, 5), &[0x48, 0x83, 0xb7, 0x00, 0xfe, 0xff, 0xff, 0x05]), // xor qword ptr [rdi-0x200], 5
        (|a| a.alu_mi8(Alu::Cmp, false, R15, 0, 0), &[0x41, 0x83, 0x7f, 0x00, 0x00]), // {disp8} cmp dword ptr [r15+0], 0
    ]);
}

/// `and_r8_m`, `or_r8_r8` and `test_rr`.
#[test]
#[rustfmt::skip]
fn byte_alu() {
    check(&[
        (|a| a.and_r8_m(RAX, RCX, 8), &[0x22, 0x41, 0x08]), // and al, byte ptr [rcx+8]
        (|a| a.and_r8_m(RBX, RSP, 0x10), &[0x22, 0x5c, 0x24, 0x10]), // and bl, byte ptr [rsp+0x10]
        (|a| a.and_r8_m(RCX, R12, -1), &[0x41, 0x22, 0x4c, 0x24, 0xff]), // and cl, byte ptr [r12-1]
        (|a| a.and_r8_m(RDX, R13, 0x100), &[0x41, 0x22, 0x95, 0x00, 0x01, 0x00, 0x00]), // and dl, byte ptr [r13+0x100]
        (|a| a.and_r8_m(RAX, RBP, 0), &[0x22, 0x45, 0x00]), // and al, byte ptr [rbp+0]
        (|a| a.or_r8_r8(RAX, RCX), &[0x08, 0xc8]), // or al, cl
        (|a| a.or_r8_r8(RBX, RDX), &[0x08, 0xd3]), // or bl, dl
        (|a| a.or_r8_r8(RDX, RAX), &[0x08, 0xc2]), // or dl, al
        (|a| a.test_rr(true, RAX, RCX), &[0x48, 0x85, 0xc8]), // test rax, rcx
        (|a| a.test_rr(true, R8, R8), &[0x4d, 0x85, 0xc0]), // test r8, r8
        (|a| a.test_rr(true, RSP, R13), &[0x4c, 0x85, 0xec]), // test rsp, r13
        (|a| a.test_rr(false, RAX, RAX), &[0x85, 0xc0]), // test eax, eax
        (|a| a.test_rr(false, R15, RDX), &[0x41, 0x85, 0xd7]), // test r15d, edx
    ]);
}

/// `shift_ri` and `shift_rcl`: every operation in both widths.
#[test]
#[rustfmt::skip]
fn shifts() {
    check(&[
        (|a| a.shift_ri(ShiftOp::Rol, true, RAX, 8), &[0x48, 0xc1, 0xc0, 0x08]), // rol rax, 8
        (|a| a.shift_ri(ShiftOp::Rol, false, R10, 3), &[0x41, 0xc1, 0xc2, 0x03]), // rol r10d, 3
        (|a| a.shift_ri(ShiftOp::Ror, false, RCX, 16), &[0xc1, 0xc9, 0x10]), // ror ecx, 16
        (|a| a.shift_ri(ShiftOp::Ror, true, R14, 32), &[0x49, 0xc1, 0xce, 0x20]), // ror r14, 32
        (|a| a.shift_ri(ShiftOp::Shl, true, R9, 3), &[0x49, 0xc1, 0xe1, 0x03]), // shl r9, 3
        (|a| a.shift_ri(ShiftOp::Shl, false, RAX, 0), &[0xc1, 0xe0, 0x00]), // shl eax, 0
        (|a| a.shift_ri(ShiftOp::Shr, false, R12, 31), &[0x41, 0xc1, 0xec, 0x1f]), // shr r12d, 31
        (|a| a.shift_ri(ShiftOp::Shr, true, RBX, 48), &[0x48, 0xc1, 0xeb, 0x30]), // shr rbx, 48
        (|a| a.shift_ri(ShiftOp::Sar, true, RSP, 63), &[0x48, 0xc1, 0xfc, 0x3f]), // sar rsp, 63
        (|a| a.shift_ri(ShiftOp::Sar, false, RDI, 24), &[0xc1, 0xff, 0x18]), // sar edi, 24
        (|a| a.shift_ri(ShiftOp::Shr, true, RDX, 1), &[0x48, 0xc1, 0xea, 0x01]), // objdump: shr rdx,0x1 (as picks the shift-by-one form 48 d1 ea)
        (|a| a.shift_rcl(ShiftOp::Rol, true, RAX), &[0x48, 0xd3, 0xc0]), // rol rax, cl
        (|a| a.shift_rcl(ShiftOp::Ror, false, R8), &[0x41, 0xd3, 0xc8]), // ror r8d, cl
        (|a| a.shift_rcl(ShiftOp::Shl, true, RDX), &[0x48, 0xd3, 0xe2]), // shl rdx, cl
        (|a| a.shift_rcl(ShiftOp::Shl, false, RCX), &[0xd3, 0xe1]), // shl ecx, cl
        (|a| a.shift_rcl(ShiftOp::Shr, true, R15), &[0x49, 0xd3, 0xef]), // shr r15, cl
        (|a| a.shift_rcl(ShiftOp::Sar, false, RSI), &[0xd3, 0xfe]), // sar esi, cl
        (|a| a.shift_rcl(ShiftOp::Sar, true, R13), &[0x49, 0xd3, 0xfd]), // sar r13, cl
    ]);
}

/// `imul_rr`, every `Unary` operation, `sign_extend_rax`.
#[test]
#[rustfmt::skip]
fn mul_div() {
    check(&[
        (|a| a.imul_rr(true, RAX, RCX), &[0x48, 0x0f, 0xaf, 0xc1]), // imul rax, rcx
        (|a| a.imul_rr(false, R8, RAX), &[0x44, 0x0f, 0xaf, 0xc0]), // imul r8d, eax
        (|a| a.imul_rr(true, RDX, R15), &[0x49, 0x0f, 0xaf, 0xd7]), // imul rdx, r15
        (|a| a.imul_rr(true, R12, R13), &[0x4d, 0x0f, 0xaf, 0xe5]), // imul r12, r13
        (|a| a.imul_rr(false, RSP, RBP), &[0x0f, 0xaf, 0xe5]), // imul esp, ebp
        (|a| a.unary(Unary::Not, true, RAX), &[0x48, 0xf7, 0xd0]), // not rax
        (|a| a.unary(Unary::Not, false, R10), &[0x41, 0xf7, 0xd2]), // not r10d
        (|a| a.unary(Unary::Neg, false, R9), &[0x41, 0xf7, 0xd9]), // neg r9d
        (|a| a.unary(Unary::Neg, true, RSP), &[0x48, 0xf7, 0xdc]), // neg rsp
        (|a| a.unary(Unary::Mul, true, RCX), &[0x48, 0xf7, 0xe1]), // mul rcx
        (|a| a.unary(Unary::Mul, false, R12), &[0x41, 0xf7, 0xe4]), // mul r12d
        (|a| a.unary(Unary::Imul, true, R15), &[0x49, 0xf7, 0xef]), // imul r15
        (|a| a.unary(Unary::Imul, false, RBX), &[0xf7, 0xeb]), // imul ebx
        (|a| a.unary(Unary::Div, false, RSI), &[0xf7, 0xf6]), // div esi
        (|a| a.unary(Unary::Div, true, R8), &[0x49, 0xf7, 0xf0]), // div r8
        (|a| a.unary(Unary::Idiv, true, R11), &[0x49, 0xf7, 0xfb]), // idiv r11
        (|a| a.unary(Unary::Idiv, false, RDI), &[0xf7, 0xff]), // idiv edi
        (|a| a.sign_extend_rax(true), &[0x48, 0x99]), // cqo
        (|a| a.sign_extend_rax(false), &[0x99]), // cdq
    ]);
}

/// `bswap`, `bsr`, and `extend` from 8 (including SPL..DIL), 16 and 32 bits.
#[test]
#[rustfmt::skip]
fn bits() {
    check(&[
        (|a| a.bswap(true, RAX), &[0x48, 0x0f, 0xc8]), // bswap rax
        (|a| a.bswap(false, RCX), &[0x0f, 0xc9]), // bswap ecx
        (|a| a.bswap(true, R8), &[0x49, 0x0f, 0xc8]), // bswap r8
        (|a| a.bswap(false, R15), &[0x41, 0x0f, 0xcf]), // bswap r15d
        (|a| a.bswap(true, RSP), &[0x48, 0x0f, 0xcc]), // bswap rsp
        (|a| a.bsr(true, RAX, RCX), &[0x48, 0x0f, 0xbd, 0xc1]), // bsr rax, rcx
        (|a| a.bsr(false, R9, RDX), &[0x44, 0x0f, 0xbd, 0xca]), // bsr r9d, edx
        (|a| a.bsr(true, RSI, R14), &[0x49, 0x0f, 0xbd, 0xf6]), // bsr rsi, r14
        (|a| a.bsr(false, R12, R13), &[0x45, 0x0f, 0xbd, 0xe5]), // bsr r12d, r13d
        (|a| a.extend(8, false, RAX, RCX), &[0x0f, 0xb6, 0xc1]), // movzx eax, cl
        (|a| a.extend(8, false, RAX, RSI), &[0x40, 0x0f, 0xb6, 0xc6]), // movzx eax, sil
        (|a| a.extend(8, false, RDX, RSP), &[0x40, 0x0f, 0xb6, 0xd4]), // movzx edx, spl
        (|a| a.extend(8, false, R8, RDI), &[0x44, 0x0f, 0xb6, 0xc7]), // movzx r8d, dil
        (|a| a.extend(8, false, RBX, RBP), &[0x40, 0x0f, 0xb6, 0xdd]), // movzx ebx, bpl
        (|a| a.extend(8, false, RBX, R9), &[0x41, 0x0f, 0xb6, 0xd9]), // movzx ebx, r9b
        (|a| a.extend(8, false, R12, RBX), &[0x44, 0x0f, 0xb6, 0xe3]), // movzx r12d, bl
        (|a| a.extend(8, true, RAX, RCX), &[0x48, 0x0f, 0xbe, 0xc1]), // movsx rax, cl
        (|a| a.extend(8, true, R10, RBP), &[0x4c, 0x0f, 0xbe, 0xd5]), // movsx r10, bpl
        (|a| a.extend(8, true, RCX, RSI), &[0x48, 0x0f, 0xbe, 0xce]), // movsx rcx, sil
        (|a| a.extend(8, true, RCX, R15), &[0x49, 0x0f, 0xbe, 0xcf]), // movsx rcx, r15b
        (|a| a.extend(16, false, RAX, RCX), &[0x0f, 0xb7, 0xc1]), // movzx eax, cx
        (|a| a.extend(16, false, R11, RSI), &[0x44, 0x0f, 0xb7, 0xde]), // movzx r11d, si
        (|a| a.extend(16, false, RDI, R8), &[0x41, 0x0f, 0xb7, 0xf8]), // movzx edi, r8w
        (|a| a.extend(16, true, RDX, R12), &[0x49, 0x0f, 0xbf, 0xd4]), // movsx rdx, r12w
        (|a| a.extend(16, true, RSP, RAX), &[0x48, 0x0f, 0xbf, 0xe0]), // movsx rsp, ax
        (|a| a.extend(32, false, RAX, RCX), &[0x89, 0xc8]), // mov eax, ecx
        (|a| a.extend(32, false, R13, R14), &[0x45, 0x89, 0xf5]), // mov r13d, r14d
        (|a| a.extend(32, true, RAX, RCX), &[0x48, 0x63, 0xc1]), // movsxd rax, ecx
        (|a| a.extend(32, true, R8, RSP), &[0x4c, 0x63, 0xc4]), // movsxd r8, esp
        (|a| a.extend(32, true, RDI, R11), &[0x49, 0x63, 0xfb]), // movsxd rdi, r11d
    ]);
}

/// `setcc`: every condition code, byte registers that need a REX prefix.
#[test]
#[rustfmt::skip]
fn setcc() {
    check(&[
        (|a| a.setcc(cc::O, RAX), &[0x0f, 0x90, 0xc0]), // seto al
        (|a| a.setcc(cc::NO, RCX), &[0x0f, 0x91, 0xc1]), // setno cl
        (|a| a.setcc(cc::B, RDX), &[0x0f, 0x92, 0xc2]), // setb dl
        (|a| a.setcc(cc::AE, RBX), &[0x0f, 0x93, 0xc3]), // setae bl
        (|a| a.setcc(cc::E, RSP), &[0x40, 0x0f, 0x94, 0xc4]), // sete spl
        (|a| a.setcc(cc::NE, RBP), &[0x40, 0x0f, 0x95, 0xc5]), // setne bpl
        (|a| a.setcc(cc::BE, RSI), &[0x40, 0x0f, 0x96, 0xc6]), // setbe sil
        (|a| a.setcc(cc::A, RDI), &[0x40, 0x0f, 0x97, 0xc7]), // seta dil
        (|a| a.setcc(cc::S, R8), &[0x41, 0x0f, 0x98, 0xc0]), // sets r8b
        (|a| a.setcc(cc::NS, R9), &[0x41, 0x0f, 0x99, 0xc1]), // setns r9b
        (|a| a.setcc(cc::L, R12), &[0x41, 0x0f, 0x9c, 0xc4]), // setl r12b
        (|a| a.setcc(cc::GE, R13), &[0x41, 0x0f, 0x9d, 0xc5]), // setge r13b
        (|a| a.setcc(cc::LE, R15), &[0x41, 0x0f, 0x9e, 0xc7]), // setle r15b
        (|a| a.setcc(cc::G, RAX), &[0x0f, 0x9f, 0xc0]), // setg al
    ]);
}

/// `cmov`: every condition code in both widths.
#[test]
#[rustfmt::skip]
fn cmov() {
    check(&[
        (|a| a.cmov(cc::O, true, RAX, RCX), &[0x48, 0x0f, 0x40, 0xc1]), // cmovo rax, rcx
        (|a| a.cmov(cc::NO, false, RDX, R8), &[0x41, 0x0f, 0x41, 0xd0]), // cmovno edx, r8d
        (|a| a.cmov(cc::B, true, R9, RBX), &[0x4c, 0x0f, 0x42, 0xcb]), // cmovb r9, rbx
        (|a| a.cmov(cc::AE, false, R12, R13), &[0x45, 0x0f, 0x43, 0xe5]), // cmovae r12d, r13d
        (|a| a.cmov(cc::E, true, RSP, RBP), &[0x48, 0x0f, 0x44, 0xe5]), // cmove rsp, rbp
        (|a| a.cmov(cc::NE, false, RSI, RDI), &[0x0f, 0x45, 0xf7]), // cmovne esi, edi
        (|a| a.cmov(cc::BE, true, R15, RAX), &[0x4c, 0x0f, 0x46, 0xf8]), // cmovbe r15, rax
        (|a| a.cmov(cc::A, false, R10, R11), &[0x45, 0x0f, 0x47, 0xd3]), // cmova r10d, r11d
        (|a| a.cmov(cc::S, true, RAX, R14), &[0x49, 0x0f, 0x48, 0xc6]), // cmovs rax, r14
        (|a| a.cmov(cc::NS, false, RBX, RDX), &[0x0f, 0x49, 0xda]), // cmovns ebx, edx
        (|a| a.cmov(cc::L, true, RCX, RSI), &[0x48, 0x0f, 0x4c, 0xce]), // cmovl rcx, rsi
        (|a| a.cmov(cc::GE, false, R8, R9), &[0x45, 0x0f, 0x4d, 0xc1]), // cmovge r8d, r9d
        (|a| a.cmov(cc::LE, true, RDI, R12), &[0x49, 0x0f, 0x4e, 0xfc]), // cmovle rdi, r12
        (|a| a.cmov(cc::G, false, R13, RAX), &[0x44, 0x0f, 0x4f, 0xe8]), // cmovg r13d, eax
    ]);
}

/// `lea` and `cmp_m32_zero_wide` (always disp32: `{disp32}` makes as do the same).
#[test]
#[rustfmt::skip]
fn lea() {
    check(&[
        (|a| a.lea(RAX, RCX, 8), &[0x48, 0x8d, 0x41, 0x08]), // lea rax, [rcx+8]
        (|a| a.lea(RSP, RSP, 0x10), &[0x48, 0x8d, 0x64, 0x24, 0x10]), // lea rsp, [rsp+0x10]
        (|a| a.lea(R12, R12, -8), &[0x4d, 0x8d, 0x64, 0x24, 0xf8]), // lea r12, [r12-8]
        (|a| a.lea(RDI, RBP, 0x1000), &[0x48, 0x8d, 0xbd, 0x00, 0x10, 0x00, 0x00]), // lea rdi, [rbp+0x1000]
        (|a| a.lea(R13, R13, 0), &[0x4d, 0x8d, 0x6d, 0x00]), // lea r13, [r13+0]
        (|a| a.lea(RDX, RAX, i32::MIN), &[0x48, 0x8d, 0x90, 0x00, 0x00, 0x00, 0x80]), // lea rdx, [rax-0x80000000]
        (|a| a.lea(R9, R15, -0x80), &[0x4d, 0x8d, 0x4f, 0x80]), // lea r9, [r15-0x80]
        (|a| a.cmp_m32_zero_wide(RAX, 0), &[0x83, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00]), // {disp32} cmp dword ptr [rax+0], 0
        (|a| a.cmp_m32_zero_wide(RBP, 8), &[0x83, 0xbd, 0x08, 0x00, 0x00, 0x00, 0x00]), // {disp32} cmp dword ptr [rbp+8], 0
        (|a| a.cmp_m32_zero_wide(RBX, -4), &[0x83, 0xbb, 0xfc, 0xff, 0xff, 0xff, 0x00]), // {disp32} cmp dword ptr [rbx-4], 0
        (|a| a.cmp_m32_zero_wide(RDI, 0x1000), &[0x83, 0xbf, 0x00, 0x10, 0x00, 0x00, 0x00]), // cmp dword ptr [rdi+0x1000], 0
        (|a| a.cmp_m32_zero_wide(RSI, -0x8000_0000), &[0x83, 0xbe, 0x00, 0x00, 0x00, 0x80, 0x00]), // cmp dword ptr [rsi-0x80000000], 0
    ]);
}

/// `jmp_mem`, `jmp_r`, `mov_abs`, `call_r`, `push`, `pop`, `ret`, `mfence`.
#[test]
#[rustfmt::skip]
fn misc() {
    check(&[
        (|a| a.jmp_mem(RAX, 8), &[0xff, 0x60, 0x08]), // jmp qword ptr [rax+8]
        (|a| a.jmp_mem(RSP, 0x10), &[0xff, 0x64, 0x24, 0x10]), // jmp qword ptr [rsp+0x10]
        (|a| a.jmp_mem(R12, -8), &[0x41, 0xff, 0x64, 0x24, 0xf8]), // jmp qword ptr [r12-8]
        (|a| a.jmp_mem(R13, 0), &[0x41, 0xff, 0x65, 0x00]), // jmp qword ptr [r13+0]
        (|a| a.jmp_mem(RBP, 0x1000), &[0xff, 0xa5, 0x00, 0x10, 0x00, 0x00]), // jmp qword ptr [rbp+0x1000]
        (|a| a.jmp_mem(R15, -0x81), &[0x41, 0xff, 0xa7, 0x7f, 0xff, 0xff, 0xff]), // jmp qword ptr [r15-0x81]
        (|a| a.jmp_r(RAX), &[0xff, 0xe0]), // jmp rax
        (|a| a.jmp_r(R11), &[0x41, 0xff, 0xe3]), // jmp r11
        (|a| a.mov_abs(RAX, 5), &[0x48, 0xb8, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]), // movabs rax, 5
        (|a| a.mov_abs(R12, 0x1234_5678_9abc_def0), &[0x49, 0xbc, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12]), // movabs r12, 0x123456789abcdef0
        (|a| a.call_r(RAX), &[0xff, 0xd0]), // call rax
        (|a| a.call_r(RSP), &[0xff, 0xd4]), // call rsp
        (|a| a.call_r(R11), &[0x41, 0xff, 0xd3]), // call r11
        (|a| a.call_r(R15), &[0x41, 0xff, 0xd7]), // call r15
        (|a| a.push(RAX), &[0x50]), // push rax
        (|a| a.push(RBP), &[0x55]), // push rbp
        (|a| a.push(R12), &[0x41, 0x54]), // push r12
        (|a| a.push(R15), &[0x41, 0x57]), // push r15
        (|a| a.pop(RBX), &[0x5b]), // pop rbx
        (|a| a.pop(RSP), &[0x5c]), // pop rsp
        (|a| a.pop(R8), &[0x41, 0x58]), // pop r8
        (|a| a.pop(R13), &[0x41, 0x5d]), // pop r13
        (|a| a.ret(), &[0xc3]), // ret
        (|a| a.mfence(), &[0x0f, 0xae, 0xf0]), // mfence
    ]);
}

/// `jmp`/`jcc` (every condition code) bound with `bind_to` before, at and after the jump, and with `bind`.
#[test]
#[rustfmt::skip]
fn jumps() {
    check_at(&[
        (0, |a| jmp_to(a, 0x100), &[0xe9, 0xfb, 0x00, 0x00, 0x00]), // 0: {disp32} jmp T, T = 0x100
        (0x10, |a| jmp_to(a, 0), &[0xe9, 0xeb, 0xff, 0xff, 0xff]), // 0x10: {disp32} jmp T, T = 0
        (0x20, |a| jmp_to(a, 0x20), &[0xe9, 0xfb, 0xff, 0xff, 0xff]), // 0x20: {disp32} jmp T, T = 0x20
        (0x20, |a| jmp_to(a, 0x25), &[0xe9, 0x00, 0x00, 0x00, 0x00]), // 0x20: {disp32} jmp T, T = 0x25
        (8, |a| jmp_to(a, 0x1234_5678), &[0xe9, 0x6b, 0x56, 0x34, 0x12]), // 8: {disp32} jmp T, T = 0x12345678
        (4, |a| { let l = a.jmp(); a.ret(); a.bind(l) }, &[0xe9, 0x01, 0x00, 0x00, 0x00, 0xc3]), // 4: {disp32} jmp T; ret; T:
        (0, |a| jcc_to(a, cc::O, 0x100), &[0x0f, 0x80, 0xfa, 0x00, 0x00, 0x00]), // 0: {disp32} jo T, T = 0x100
        (0x10, |a| jcc_to(a, cc::NO, 0), &[0x0f, 0x81, 0xea, 0xff, 0xff, 0xff]), // 0x10: {disp32} jno T, T = 0
        (0, |a| jcc_to(a, cc::B, 6), &[0x0f, 0x82, 0x00, 0x00, 0x00, 0x00]), // 0: {disp32} jb T, T = 6
        (0x40, |a| jcc_to(a, cc::AE, 0x40), &[0x0f, 0x83, 0xfa, 0xff, 0xff, 0xff]), // 0x40: {disp32} jae T, T = 0x40
        (0x80, |a| jcc_to(a, cc::E, 0x7f), &[0x0f, 0x84, 0xf9, 0xff, 0xff, 0xff]), // 0x80: {disp32} je T, T = 0x7f
        (3, |a| jcc_to(a, cc::NE, 0x10000), &[0x0f, 0x85, 0xf7, 0xff, 0x00, 0x00]), // 3: {disp32} jne T, T = 0x10000
        (0x200, |a| jcc_to(a, cc::BE, 0x100), &[0x0f, 0x86, 0xfa, 0xfe, 0xff, 0xff]), // 0x200: {disp32} jbe T, T = 0x100
        (0, |a| jcc_to(a, cc::A, 0x86), &[0x0f, 0x87, 0x80, 0x00, 0x00, 0x00]), // 0: {disp32} ja T, T = 0x86
        (0x30, |a| jcc_to(a, cc::S, 0x2a), &[0x0f, 0x88, 0xf4, 0xff, 0xff, 0xff]), // 0x30: {disp32} js T, T = 0x2a
        (0x1000, |a| jcc_to(a, cc::NS, 0), &[0x0f, 0x89, 0xfa, 0xef, 0xff, 0xff]), // 0x1000: {disp32} jns T, T = 0
        (5, |a| jcc_to(a, cc::L, 0xb), &[0x0f, 0x8c, 0x00, 0x00, 0x00, 0x00]), // 5: {disp32} jl T, T = 0xb
        (0, |a| jcc_to(a, cc::GE, 0x7ffffff0), &[0x0f, 0x8d, 0xea, 0xff, 0xff, 0x7f]), // 0: {disp32} jge T, T = 0x7ffffff0
        (0x66, |a| jcc_to(a, cc::LE, 0x99), &[0x0f, 0x8e, 0x2d, 0x00, 0x00, 0x00]), // 0x66: {disp32} jle T, T = 0x99
        (0x10, |a| jcc_to(a, cc::G, 8), &[0x0f, 0x8f, 0xf2, 0xff, 0xff, 0xff]), // 0x10: {disp32} jg T, T = 8
        (0x10, |a| { let l = a.jcc(cc::NE); a.mfence(); a.bind(l) }, &[0x0f, 0x85, 0x03, 0x00, 0x00, 0x00, 0x0f, 0xae, 0xf0]), // 0x10: {disp32} jne T; mfence; T:
    ]);
}

/// `lea_rip` and `lea_rip_signed` against targets before, at and after the instruction.
#[test]
#[rustfmt::skip]
fn rip_relative() {
    check_at(&[
        (0, |a| a.lea_rip(RAX, 7), &[0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00]), // 0: lea rax, [rip+T], T = 7
        (0, |a| a.lea_rip(R12, 0x100), &[0x4c, 0x8d, 0x25, 0xf9, 0x00, 0x00, 0x00]), // 0: lea r12, [rip+T], T = 0x100
        (0x40, |a| a.lea_rip(RCX, 0), &[0x48, 0x8d, 0x0d, 0xb9, 0xff, 0xff, 0xff]), // 0x40: lea rcx, [rip+T], T = 0
        (0x10, |a| a.lea_rip(R15, 0x10), &[0x4c, 0x8d, 0x3d, 0xf9, 0xff, 0xff, 0xff]), // 0x10: lea r15, [rip+T], T = 0x10
        (0x18, |a| a.lea_rip(RSP, 0x20), &[0x48, 0x8d, 0x25, 0x01, 0x00, 0x00, 0x00]), // 0x18: lea rsp, [rip+T], T = 0x20
        (0, |a| a.lea_rip_signed(RAX, 0x1000), &[0x48, 0x8d, 0x05, 0xf9, 0x0f, 0x00, 0x00]), // 0: lea rax, [rip+T], T = 0x1000
        (0, |a| a.lea_rip_signed(RAX, 7), &[0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00]), // 0: lea rax, [rip+T], T = 7
        (0x20, |a| a.lea_rip_signed(RAX, 0), &[0x48, 0x8d, 0x05, 0xd9, 0xff, 0xff, 0xff]), // 0x20: lea rax, [rip+T], T = 0
    ]);
}

/// The hot counter's accesses through a register.
#[test]
#[rustfmt::skip]
fn counter_through_register() {
    check(&[
        (|a| a.cmp_m32_zero(RAX), &[0x83, 0x78, 0x00, 0x00]), // {disp8} cmp dword ptr [rax+0], 0
        (|a| a.dec_m32(RAX), &[0x83, 0x68, 0x00, 0x01]), // {disp8} sub dword ptr [rax+0], 1
        (|a| a.cmp_m32_zero(R12), &[0x41, 0x83, 0x7c, 0x24, 0x00, 0x00]), // {disp8} cmp dword ptr [r12+0], 0
        (|a| a.dec_m32(RBX), &[0x83, 0x6b, 0x00, 0x01]), // {disp8} sub dword ptr [rbx+0], 1
    ]);
}

/// `align`: one-byte NOPs up to the next offset that is `skew` past a multiple of `align`.
#[test]
#[rustfmt::skip]
fn align() {
    check_at(&[
        (3, |a| a.align(8, 0), &[0x90; 5]), // 3: .org 8, 0x90
        (8, |a| a.align(8, 0), &[]), // 8: .org 8, 0x90
        (1, |a| a.align(16, 0), &[0x90; 15]), // 1: .org 16, 0x90
        (0, |a| a.align(16, 5), &[0x90; 5]), // 0: .org 5, 0x90
        (6, |a| a.align(16, 5), &[0x90; 15]), // 6: .org 21, 0x90
        (5, |a| a.align(16, 5), &[]), // 5: .org 5, 0x90
        (2, |a| a.align(4, 7), &[0x90]), // 2: .org 3, 0x90
    ]);
}

/// SSE operations of the vector IR (`sse.rs`).
#[test]
#[rustfmt::skip]
fn sse() {
    use super::sse::op;
    check(&[
        (|a| a.movdqu_load(1, RBP, 0x110), &[0xf3, 0x0f, 0x6f, 0x8d, 0x10, 0x01, 0x00, 0x00]), // movdqu xmm1, [rbp + 0x110]
        (|a| a.movdqu_store(RBP, 8, 0), &[0xf3, 0x0f, 0x7f, 0x45, 0x08]), // {disp8} movdqu [rbp + 8], xmm0
        (|a| a.movq_zero_high(2), &[0xf3, 0x0f, 0x7e, 0xd2]), // movq xmm2, xmm2
        (|a| a.movdqa(2, 0), &[0x66, 0x0f, 0x6f, 0xd0]), // movdqa xmm2, xmm0
        (|a| a.sse(op::PCMPEQ[0], 0, 1), &[0x66, 0x0f, 0x74, 0xc1]), // pcmpeqb xmm0, xmm1
        (|a| a.sse(op::PCMPEQ[3], 3, 4), &[0x66, 0x0f, 0x38, 0x29, 0xdc]), // pcmpeqq xmm3, xmm4
        (|a| a.sse(op::PXOR, 9, 2), &[0x66, 0x44, 0x0f, 0xef, 0xca]), // pxor xmm9, xmm2
        (|a| a.sse(op::PACKUSWB, 0, 1), &[0x66, 0x0f, 0x67, 0xc1]), // packuswb xmm0, xmm1
        (|a| a.sse(op::PACKUSDW, 0, 1), &[0x66, 0x0f, 0x38, 0x2b, 0xc1]), // packusdw xmm0, xmm1
        (|a| a.sse(op::PUNPCKLQDQ, 0, 1), &[0x66, 0x0f, 0x6c, 0xc1]), // punpcklqdq xmm0, xmm1
        (|a| a.sse(op::PMAXU[1], 2, 1), &[0x66, 0x0f, 0x38, 0x3e, 0xd1]), // pmaxuw xmm2, xmm1
        (|a| a.psrl_imm(1, 4, 8), &[0x66, 0x0f, 0x71, 0xd4, 0x08]), // psrlw xmm4, 8
        (|a| a.psrl_imm(2, 1, 16), &[0x66, 0x0f, 0x72, 0xd1, 0x10]), // psrld xmm1, 16
        (|a| a.pshufd(0, 1, 0x08), &[0x66, 0x0f, 0x70, 0xc1, 0x08]), // pshufd xmm0, xmm1, 8
    ]);
}

/// Locked read-modify-write instructions of the atomic IR (`atomic.rs`).
#[test]
#[rustfmt::skip]
fn atomics() {
    check(&[
        (|a| a.xchg_mem(3, RBX, R12, 0), &[0x49, 0x87, 0x5c, 0x24, 0x00]), // {disp8} xchg [r12 + 0], rbx
        (|a| a.xchg_mem(0, RSI, RBX, 0), &[0x40, 0x86, 0x73, 0x00]), // {disp8} xchg [rbx + 0], sil
        (|a| a.xchg_mem(1, RBX, RBX, 0), &[0x66, 0x87, 0x5b, 0x00]), // {disp8} xchg [rbx + 0], bx
        (|a| a.lock_xadd_mem(2, R13, RBX, 0), &[0xf0, 0x44, 0x0f, 0xc1, 0x6b, 0x00]), // lock {disp8} xadd [rbx + 0], r13d
        (|a| a.lock_cmpxchg_mem(3, RBX, RDX, 0), &[0xf0, 0x48, 0x0f, 0xb1, 0x5a, 0x00]), // lock {disp8} cmpxchg [rdx + 0], rbx
        (|a| a.lock_cmpxchg_mem(0, RBX, RDX, 0), &[0xf0, 0x0f, 0xb0, 0x5a, 0x00]), // lock {disp8} cmpxchg [rdx + 0], bl
    ]);
}
