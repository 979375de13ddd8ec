//! State forwarding and dead-store removal on one IR block.
//!
//! A `Get` of a field whose value a temporary of the block already holds
//! (from an earlier `Put` or `Get` of that field) reads the temporary
//! instead. A backend that keeps guest registers in the CPU state (the
//! baseline) pays for every `Get` with a load, and when the field was just
//! stored, with a store-to-load forwarding delay on the guest's dependency
//! chain: straight runs of arithmetic (hashes, checksums, compression) are
//! dominated by it.
//!
//! A `Put` is dropped only when the same field is written again before
//! anything could observe it (a read of the state, a possible fault, a call
//! out, the block's end), so the state in memory is exact wherever it can
//! be seen.
//!
//! A forwarded temporary lives longer than it did, and a backend with a
//! fixed register pool pays for that, so at most `max_cached` fields are
//! remembered at once (the oldest is forgotten first): the pass adds at
//! most that many live temporaries at any point, and a backend that runs
//! out of registers can run it again with a smaller limit. Nothing is
//! remembered across an operation that may read or write state behind the
//! IR's back (`Interp`, `LandingPad`), across a SIMD&FP load or vector
//! operation into an overlapping field, or across a flag-setting operation
//! for the flag fields the backend names.

use super::{Block, Cond, Field, Op, Src, Temp};

/// The pass, with buffers reused from block to block.
#[derive(Default)]
pub struct StateForwarding {
    /// `rename[t]` is the temporary to read instead of `t` (itself if none).
    rename: Vec<Temp>,
    /// (field, temporary holding its value), oldest first.
    cached: Vec<(Field, Temp)>,
    /// (field, index of its last `Put` no one can have seen yet).
    pending: Vec<(Field, usize)>,
    /// Operations found dead.
    dead: Vec<bool>,
}

impl StateForwarding {
    /// Rewrites `block` in place; `flag_fields` are the state fields that
    /// `AddSubFlags` and `LogicFlags` write.
    pub fn run(&mut self, block: &mut Block, flag_fields: &[Field], max_cached: usize) {
        self.rename.clear();
        self.rename.extend((0..block.temps).map(Temp));
        self.cached.clear();
        forward_state(block, flag_fields, max_cached, &mut self.rename, &mut self.cached);
        self.pending.clear();
        self.dead.clear();
        self.dead.resize(block.ops.len(), false);
        drop_overwritten_puts(block, flag_fields, &mut self.pending, &mut self.dead);
    }
}

/// Drops each `Put` whose field is written again before anything could see
/// it: nothing in between reads the field from the state (a `Get` of it, a
/// vector operation, a flag test) or can fault or call out (memory accesses,
/// `Interp`, `LandingPad`), so the state is exact wherever it can be
/// observed, as before.
fn drop_overwritten_puts(block: &mut Block, flag_fields: &[Field], pending: &mut Vec<(Field, usize)>, dead: &mut [bool]) {
    for (i, op) in block.ops.iter().enumerate() {
        match *op {
            Op::Put { field, .. } => {
                if let Some(p) = pending.iter_mut().find(|(f, _)| *f == field) {
                    dead[p.1] = true;
                    p.1 = i;
                } else {
                    pending.push((field, i));
                }
            }
            Op::Get { field, .. } => pending.retain(|(f, _)| *f != field),
            Op::Set { cond, .. } | Op::Select { cond, .. } if matches!(cond, Cond::Flags(_)) => {
                pending.retain(|(f, _)| !flag_fields.contains(f))
            }
            // They read the carry and write the flags in the state.
            Op::AddSubFlags { .. } | Op::LogicFlags { .. } => pending.retain(|(f, _)| !flag_fields.contains(f)),
            Op::Insn { .. }
            | Op::Const { .. }
            | Op::Bin { .. }
            | Op::Un { .. }
            | Op::Extend { .. }
            | Op::Set { .. }
            | Op::Select { .. }
            | Op::CallPure { .. }
            | Op::Unprivileged => {}
            Op::Load { .. }
            | Op::Store { .. }
            | Op::Atomic { .. }
            | Op::LoadVec { .. }
            | Op::StoreVec { .. }
            | Op::Vec { .. }
            | Op::VecSelect { .. }
            | Op::VecShrn { .. }
            | Op::Fence
            | Op::Order
            | Op::Interp { .. }
            | Op::LandingPad { .. } => pending.clear(),
        }
    }
    let mut i = 0;
    block.ops.retain(|_| {
        i += 1;
        !dead[i - 1]
    });
}

fn forward_state(block: &mut Block, flag_fields: &[Field], max_cached: usize, rename: &mut [Temp], cached: &mut Vec<(Field, Temp)>) {
    let mut kept = 0;
    for i in 0..block.ops.len() {
        let mut op = block.ops[i];
        op.temps_read_mut(|t| *t = rename[t.0 as usize]);
        match op {
            Op::Get { dst, field } => {
                if let Some(&(_, t)) = cached.iter().find(|(f, _)| *f == field) {
                    rename[dst.0 as usize] = t;
                    continue;
                }
                remember(cached, field, dst, max_cached);
            }
            Op::Put { field, src } => match src {
                Src::T(t) => remember(cached, field, t, max_cached),
                Src::Imm(_) => cached.retain(|(f, _)| *f != field),
            },
            Op::LoadVec { field, .. } | Op::Vec { dst: field, .. } | Op::VecSelect { dst: field, .. } | Op::VecShrn { dst: field, .. } => {
                cached.retain(|(f, _)| f.0 + 8 <= field.0 || f.0 >= field.0 + 16)
            }
            Op::AddSubFlags { .. } | Op::LogicFlags { .. } => cached.retain(|(f, _)| !flag_fields.contains(f)),
            Op::Interp { .. } | Op::LandingPad { .. } => cached.clear(),
            _ => {}
        }
        block.ops[kept] = op;
        kept += 1;
    }
    block.ops.truncate(kept);
    block.exit.temps_read_mut(|t| *t = rename[t.0 as usize]);
}

/// Notes that `t` holds `field`'s value, forgetting the oldest field when
/// `max_cached` are remembered already.
fn remember(cached: &mut Vec<(Field, Temp)>, field: Field, t: Temp, max_cached: usize) {
    cached.retain(|(f, _)| *f != field);
    if max_cached == 0 {
        return;
    }
    if cached.len() == max_cached {
        cached.remove(0);
    }
    cached.push((field, t));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{BinOp, Builder, Exit, Width};

    const X0: Field = Field(0);
    const X1: Field = Field(8);
    const NF: Field = Field(100);

    fn gets(b: &Block) -> Vec<Field> {
        b.ops.iter().filter_map(|op| if let Op::Get { field, .. } = op { Some(*field) } else { None }).collect()
    }

    #[test]
    fn a_get_after_a_put_reads_the_stored_temporary() {
        let mut b = Builder::new(0);
        let a = b.get(X0);
        let s = b.bin(BinOp::Add, Width::W64, a, 1);
        b.put(X1, s);
        let again = b.get(X1);
        let x0 = b.get(X0);
        let sum = b.bin(BinOp::Add, Width::W64, again, x0);
        b.put(X0, sum);
        let mut block = b.finish(Exit::Indirect { target: again, kind: crate::ir::JumpKind::Jump });
        StateForwarding::default().run(&mut block, &[NF], 4);
        assert_eq!(gets(&block), vec![X0], "only the first read of X0 is left");
        assert!(block.ops.contains(&Op::Bin { op: BinOp::Add, w: Width::W64, dst: sum, a: s, b: Src::T(a) }));
        assert_eq!(block.exit, Exit::Indirect { target: s, kind: crate::ir::JumpKind::Jump });
        assert_eq!(block.ops.iter().filter(|op| matches!(op, Op::Put { .. })).count(), 2, "both Puts are seen (by the exit)");
    }

    #[test]
    fn a_put_overwritten_before_it_can_be_seen_goes() {
        let mut b = Builder::new(0);
        let a = b.get(X0);
        b.put(X1, a);
        let c = b.bin(BinOp::Add, Width::W64, a, 1);
        b.put(X1, c);
        b.put(X0, c);
        b.load(c, 0, 3, false);
        b.put(X0, a);
        let mut block = b.finish(Exit::Goto(4));
        StateForwarding::default().run(&mut block, &[NF], 4);
        let puts: Vec<_> = block.ops.iter().filter_map(|op| if let Op::Put { field, src } = op { Some((*field, *src)) } else { None }).collect();
        // X1 = a went (X1 = c came before anything could see it); X0 = c
        // stays, since the load may fault with it visible.
        assert_eq!(puts, vec![(X1, Src::T(c)), (X0, Src::T(c)), (X0, Src::T(a))]);
    }

    #[test]
    fn state_written_behind_the_ir_is_read_again() {
        let mut b = Builder::new(0);
        let a = b.get(X0);
        b.put(NF, a);
        b.push(Op::LogicFlags { w: Width::W64, a });
        b.get(NF);
        b.get(X0);
        b.push(Op::Interp { word: 0, pc: 0 });
        b.get(X0);
        b.push(Op::LoadVec { field: Field(0), addr: a, offset: 0, size: 4 });
        b.get(X0);
        let mut block = b.finish(Exit::Goto(4));
        StateForwarding::default().run(&mut block, &[NF], 4);
        assert_eq!(gets(&block), vec![X0, NF, X0, X0]);
    }

    #[test]
    fn at_most_the_cap_is_remembered() {
        let mut b = Builder::new(0);
        for f in 0..3 {
            b.get(Field(f * 8));
        }
        for f in 0..3 {
            b.get(Field(f * 8));
        }
        let mut block = b.finish(Exit::Goto(4));
        StateForwarding::default().run(&mut block, &[], 2);
        // Field 0 was forgotten when field 16 came; reading it again
        // forgets field 8, and so on.
        assert_eq!(gets(&block).len(), 6);
        let mut b = Builder::new(0);
        b.get(Field(0));
        b.get(Field(8));
        b.get(Field(8));
        b.get(Field(0));
        let mut block = b.finish(Exit::Goto(4));
        StateForwarding::default().run(&mut block, &[], 2);
        assert_eq!(gets(&block), vec![Field(0), Field(8)]);
    }
}
