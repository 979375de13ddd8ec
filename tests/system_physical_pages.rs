//! System mode: a translation found by its virtual address runs only if it
//! was made from the physical page that address maps to now. A guest whose
//! mapping changed (here: with no TLB maintenance at all, as after a TLB
//! entry was evicted) gets code made from the new page.

use std::cell::RefCell;
use std::collections::HashMap;

use kestrel::backend::x86::jump_cache_index;
use kestrel::guest::aarch64::cpu::CpuState;
use kestrel::jit::{Engine, EngineConfig, ExitReason};
use kestrel::mem::{self, SystemMemory};

const PAGE: u64 = 4096;
const HVC_0: u32 = 0xd400_0002;

/// Guest memory of instruction words only: virtual pages mapped to
/// "physical" pages the test can remap.
#[derive(Default)]
struct Pages {
    map: RefCell<HashMap<u64, u64>>,
    physical: RefCell<HashMap<u64, Vec<u32>>>,
}

impl Pages {
    fn map(&self, va: u64, phys_page: u64) {
        self.map.borrow_mut().insert(va / PAGE, phys_page);
    }

    fn write_code(&self, phys_page: u64, words: &[u32]) {
        let mut page = vec![0u32; (PAGE / 4) as usize];
        page[..words.len()].copy_from_slice(words);
        self.physical.borrow_mut().insert(phys_page, page);
    }

    fn phys_page(&self, va: u64) -> u64 {
        *self.map.borrow().get(&(va / PAGE)).expect("the test maps every page it runs")
    }
}

impl SystemMemory for Pages {
    fn load(&self, va: u64, _size: usize) -> u64 {
        panic!("no data access expected (load at {va:#x})")
    }
    fn store(&self, va: u64, _size: usize, _value: u64) {
        panic!("no data access expected (store at {va:#x})")
    }
    fn host_rmw(&self, va: u64, _size: usize) -> *mut u8 {
        panic!("no data access expected (atomic at {va:#x})")
    }
    fn fetch(&self, va: u64) -> u32 {
        self.physical.borrow()[&self.phys_page(va)][((va % PAGE) / 4) as usize]
    }
    fn translating(&self, va: u64) -> u64 {
        self.phys_page(va)
    }
    fn code_page(&self, va: u64) -> u64 {
        self.phys_page(va)
    }
}

/// `movz x<rd>, #imm`.
fn movz(rd: u32, imm: u32) -> u32 {
    0xd280_0000 | imm << 5 | rd
}

/// Runs from `pc` until the HVC the code ends with; returns x0 and x1.
fn run_to_hvc(engine: &mut Engine, cpu: &mut CpuState, pc: u64) -> (u64, u64) {
    cpu.pc = pc;
    cpu.x[0] = 0;
    cpu.x[1] = 0;
    for _ in 0..10 {
        match engine.run(cpu) {
            ExitReason::System { word: HVC_0, .. } => return (cpu.x[0], cpu.x[1]),
            ExitReason::ExitRequest => continue,
            other => panic!("unexpected exit {other:?}"),
        }
    }
    panic!("the code never reached its HVC");
}

#[test]
fn a_translation_from_another_physical_page_is_made_again() {
    let pages = Box::new(Pages::default());
    // SAFETY: `pages` outlives every access: it is unset before it drops.
    unsafe { mem::set_system_memory(Some(&*pages as &dyn SystemMemory as *const dyn SystemMemory)) };

    let va = 0x1000;
    // Another address whose entry in the indirect-branch table is `va`'s,
    // so that running it makes the next run of `va` look in the cache.
    let other = (1..).map(|i| va + i * PAGE).find(|&p| jump_cache_index(p) == jump_cache_index(va)).expect("a colliding address");
    pages.write_code(1, &[movz(0, 1), HVC_0]);
    pages.write_code(2, &[movz(0, 2), HVC_0]);
    pages.write_code(3, &[movz(1, 7), HVC_0]);
    pages.map(va, 1);
    pages.map(other, 3);

    let config = EngineConfig { system: true, background: false, optimizing: false, ..EngineConfig::default() };
    let mut engine = Engine::new(config);
    let mut cpu = Box::<CpuState>::default();
    assert_eq!(run_to_hvc(&mut engine, &mut cpu, va).0, 1);
    assert_eq!(run_to_hvc(&mut engine, &mut cpu, other).1, 7);

    pages.map(va, 2);
    let before = kestrel::jit::stats::stale_translations();
    assert_eq!(run_to_hvc(&mut engine, &mut cpu, va).0, 2, "ran code made from the page the address mapped to before");
    assert_eq!(kestrel::jit::stats::stale_translations(), before + 1);
    // And back: the page's code is made again from the first page.
    pages.map(va, 1);
    assert_eq!(run_to_hvc(&mut engine, &mut cpu, other).1, 7);
    assert_eq!(run_to_hvc(&mut engine, &mut cpu, va).0, 1);

    drop(engine);
    // SAFETY: no memory installed any more.
    unsafe { mem::set_system_memory(None) };
}
