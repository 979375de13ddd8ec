#!/usr/bin/env python3
"""Prints table rows for the tests in this directory.

Usage: make_rows.py SPEC. Each spec line is `asm text ; v1=0x.. x2=0x..
fpcr=0x.. nzcv=0x.. check=v0,x3`: the instruction is assembled (so the word
is the assembler's), run once by reference_runner under qemu-aarch64, and
printed as a row with the registers it changed. RUNNER names the runner;
MARCH the assembler's -march."""
import struct, subprocess, sys, tempfile, os

# Every extension whose instructions Kestrel implements (MARCH overrides).
MARCH = os.environ.get('MARCH', 'armv8.5-a+crypto+sha3+sm4+dotprod+fp16+rdma')

def parse(line):
    asm, _, rest = line.partition(';')
    init = {}
    check = []
    for tok in rest.split():
        k, _, v = tok.partition('=')
        if k == 'check':
            check = v.split(',')
        else:
            init[k] = int(v.replace('_', ''), 0)
    return asm.strip(), init, check

def assemble(asms):
    with tempfile.TemporaryDirectory() as d:
        s = os.path.join(d, 'a.s'); o = os.path.join(d, 'a.o')
        open(s, 'w').write('.text\n' + '\n'.join(asms) + '\n')
        r = subprocess.run(['aarch64-linux-gnu-as', '-march=' + MARCH, s, '-o', o], capture_output=True, text=True)
        if r.returncode:
            sys.exit(r.stderr)
        out = subprocess.run(['aarch64-linux-gnu-objdump', '-d', o], capture_output=True, text=True).stdout
    words = []
    for l in out.splitlines():
        parts = l.split('\t')
        if len(parts) >= 3 and parts[0].strip().endswith(':'):
            words.append(int(parts[1].strip(), 16))
    assert len(words) == len(asms), (len(words), len(asms))
    return words

FMT = '<31QQQQIIQ' + '16s' * 32

def pack(word, init):
    x = [init.get(f'x{i}', 0) for i in range(31)]
    v = [init.get(f'v{i}', 0).to_bytes(16, 'little') for i in range(32)]
    return struct.pack(FMT, *x, init.get('nzcv', 0), init.get('fpcr', 0), init.get('fpsr', 0), word, 0, 0, *v)

def unpack(b):
    t = struct.unpack(FMT, b)
    st = {f'x{i}': t[i] for i in range(31)}
    st['nzcv'], st['fpcr'], st['fpsr'], word, status = t[31:36]
    for i in range(32):
        st[f'v{i}'] = int.from_bytes(t[37 + i], 'little')
    return st, status

def main():
    lines = [l.rstrip('\n') for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
    specs = [parse(l) for l in lines]
    words = assemble([s[0] for s in specs])
    data = b''.join(pack(w, s[1]) for w, s in zip(words, specs))
    runner = os.environ.get('RUNNER', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'reference_runner'))
    out = subprocess.run(['qemu-aarch64', runner], input=data, capture_output=True).stdout
    size = struct.calcsize(FMT)
    assert len(out) == size * len(specs), len(out)
    for i, ((asm, init, check), w) in enumerate(zip(specs, words)):
        st, status = unpack(out[i * size:(i + 1) * size])
        if status:
            print(f'    // UNDEFINED {asm}: {w:#010x}')
            continue
        before = {k: init.get(k, 0) for k in st}
        ins = []
        for k, v in init.items():
            if k[0] == 'v':
                ins.append(f'V({k[1:]}, {v:#x})')
            elif k[0] == 'x':
                ins.append(f'X({k[1:]}, {v:#x})')
            else:
                ins.append(f'{k.capitalize()}({v:#x})')
        outs = []
        for k in [f'x{i}' for i in range(31)] + [f'v{i}' for i in range(32)]:
            if st[k] != before[k] or k in check:
                outs.append(f'{k[0].upper()}({k[1:]}, {st[k]:#x})')
        if st['nzcv'] != before['nzcv'] or 'nzcv' in check:
            outs.append(f'Nzcv({st["nzcv"]:#x})')
        outs.append(f'Fpsr({st["fpsr"]:#x})')
        print(f'    ("{asm}", {w:#010x}, &[{", ".join(ins)}], &[{", ".join(outs)}]),')

main()
