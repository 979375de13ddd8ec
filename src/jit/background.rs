//! Compiling hot regions on a background thread while the guest keeps
//! running baseline code.
//!
//! An engine owns one Cranelift [`Compiler`] (one JIT module per engine, so
//! that freeing a generation's code never touches another thread's). To
//! compile in the background it moves the compiler, with the region's
//! blocks, into a [`Job`] for the process's compiler thread and gets it back
//! with the result in a [`Done`]; meanwhile it has no compiler and keeps
//! running what it has. Cranelift never writes to pages that already hold
//! finished code (each finalisation starts new pages), so the guest can keep
//! running the engine's earlier compiled code while the thread works.
//!
//! After `fork` the child has no compiler thread and a job that was out is
//! lost with it: the service remembers the process it was started in, and
//! an engine whose job belongs to another process gives up its compiler
//! (it stays in the baseline tier) instead of waiting forever.

use super::cache::RegionBlock;
use super::compiler::{CodeMap, Compiler};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A region to compile.
pub struct Job {
    /// The engine's compiler, lent to the thread.
    pub compiler: Compiler,
    /// The region's blocks, head first.
    pub region: Vec<RegionBlock>,
    /// Where the result goes.
    pub reply: Sender<Done>,
    /// Run on the compiler thread once the result is sent.
    pub finished: Box<dyn FnOnce() + Send>,
}

/// A finished job.
pub struct Done {
    /// The compiler, back (`None` if Cranelift panicked: its state is
    /// unknown, so the engine stops optimising).
    pub compiler: Option<Compiler>,
    /// The region's head.
    pub head: u64,
    /// Entry point (as an address) and code map, or why it failed.
    pub result: Result<(usize, CodeMap), String>,
    /// Guest instructions in the region.
    pub insns: usize,
    /// Time spent compiling.
    pub elapsed: Duration,
    /// Guest pages the region's code comes from.
    pub pages: Vec<u64>,
}

/// The compiler thread of this process: (pid it belongs to, job queue).
static SERVICE: Mutex<Option<(u32, Sender<Job>)>> = Mutex::new(None);

/// Compiles `job` synchronously, turning a panic inside Cranelift into an
/// error.
pub fn run(job: Job) -> Done {
    let Job { mut compiler, region, .. } = job;
    let head = region.first().map_or(0, |b| b.pc);
    let insns = region.iter().map(|b| b.insns.len()).sum();
    let mut pages: Vec<u64> = region.iter().map(|b| b.pc / super::cache::PAGE_SIZE).collect();
    pages.sort_unstable();
    pages.dedup();
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compiler.compile(&region)
    }));
    let elapsed = started.elapsed();
    match outcome {
        Ok(result) => Done { compiler: Some(compiler), head, result: result.map(|(p, m)| (p as usize, m)), insns, elapsed, pages },
        Err(_) => {
            // Its installed regions still read their chain slots, which the
            // compiler owns: it is leaked, never dropped.
            std::mem::forget(compiler);
            Done { compiler: None, head, result: Err("code generator panicked".into()), insns, elapsed, pages }
        }
    }
}

/// Hands `job` to the compiler thread (started on first use); gives it
/// back if the thread cannot be started.
pub fn submit(job: Job) -> Result<(), Job> {
    let pid = std::process::id();
    let mut service = SERVICE.lock().unwrap_or_else(|e| e.into_inner());
    if service.as_ref().is_none_or(|(owner, _)| *owner != pid) {
        // A service inherited through fork has no thread behind it: forget
        // it without touching its channel.
        if let Some(old) = service.take() {
            std::mem::forget(old);
        }
        let (tx, rx) = channel::<Job>();
        let spawned = std::thread::Builder::new().name("kestrel-compile".into()).spawn(move || worker(rx));
        if spawned.is_err() {
            return Err(job);
        }
        *service = Some((pid, tx));
    }
    let (_, tx) = service.as_ref().expect("service just started");
    tx.send(job).map_err(|e| e.0)
}

fn worker(jobs: Receiver<Job>) {
    // The compiler thread must not receive the guest's signals.
    // SAFETY: a full mask for this thread only.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
    }
    while let Ok(mut job) = jobs.recv() {
        let reply = job.reply.clone();
        let finished = std::mem::replace(&mut job.finished, Box::new(|| {}));
        // An engine that went away drops its receiver; the result is dropped.
        let _ = reply.send(run(job));
        finished();
    }
}

/// The service's lock, held across `fork` (see `cache::lock_for_fork`).
pub type ServiceGuard = std::sync::MutexGuard<'static, Option<(u32, Sender<Job>)>>;

/// Takes the service's lock.
pub fn lock_service() -> ServiceGuard {
    SERVICE.lock().unwrap_or_else(|e| e.into_inner())
}
