//! Running the guest harness under an emulator: one process per batch of
//! tests, fed through stdin, results read from stdout.
//!
//! An emulator may die in the middle of a batch (Kestrel, for instance,
//! ends the process on an instruction it does not implement, or crashes).
//! The first test without a result is then the one that killed it; it gets
//! a [`RunResult::Died`] and the rest of the batch continues in a new
//! process. A process that stops producing results for `stall` is killed
//! and its current test reported as [`RunResult::Hung`].

use crate::protocol::{insn_index_of_pc, Outcome, TestCase};
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How to start one emulator on the harness.
#[derive(Clone, Debug)]
pub struct Emulator {
    /// Short name used in reports ("qemu", "kestrel", "kestrel-interp", ...).
    pub name: String,
    /// The emulator's executable.
    pub program: PathBuf,
    /// Options placed before the harness path.
    pub args: Vec<String>,
    /// Whether this is qemu (which takes `-cpu MODEL`).
    pub is_qemu: bool,
}

/// What happened to one test under one emulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunResult {
    /// The harness reported a result (normal end or a caught signal).
    Done(Box<Outcome>),
    /// The emulator process ended while running this test.
    Died {
        /// Signal that ended the process, if any.
        signal: Option<i32>,
        /// Exit code otherwise.
        code: Option<i32>,
        /// Index of the instruction the emulator named in its last words
        /// (`... at 0xPC`), when it did.
        index: Option<usize>,
        /// The end of the emulator's stderr.
        stderr: String,
    },
    /// No result within the stall timeout.
    Hung,
}

impl Emulator {
    /// The command line for running the harness, for reports.
    pub fn command_line(&self, harness: &str, cpu: &str) -> String {
        let mut parts = vec![self.program.display().to_string()];
        if self.is_qemu {
            parts.push("-cpu".into());
            parts.push(cpu.into());
        }
        parts.extend(self.args.iter().cloned());
        parts.push(harness.into());
        parts.join(" ")
    }

    fn spawn(&self, harness: &std::path::Path, cpu: &str) -> std::io::Result<Child> {
        let mut cmd = Command::new(&self.program);
        if self.is_qemu {
            cmd.arg("-cpu").arg(cpu);
        }
        cmd.args(&self.args).arg(harness).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()
    }

    /// Runs `tests` and returns one result per test, in order. Errors are
    /// failures to run the emulator at all (missing binary, harness set-up
    /// failing), not failures of individual tests.
    pub fn run(&self, harness: &std::path::Path, cpu: &str, tests: &[TestCase], stall: Duration) -> Result<Vec<RunResult>, String> {
        let mut results = Vec::with_capacity(tests.len());
        while results.len() < tests.len() {
            let rest = &tests[results.len()..];
            let before = results.len();
            self.run_process(harness, cpu, rest, stall, &mut results)?;
            if results.len() == before {
                return Err(format!("{}: the harness produced nothing", self.name));
            }
        }
        Ok(results)
    }

    /// One process over `tests`; appends at least one result unless the
    /// emulator cannot run the harness at all.
    fn run_process(
        &self,
        harness: &std::path::Path,
        cpu: &str,
        tests: &[TestCase],
        stall: Duration,
        results: &mut Vec<RunResult>,
    ) -> Result<(), String> {
        let mut child = self.spawn(harness, cpu).map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let mut input = Vec::new();
        for t in tests {
            t.encode(&mut input);
        }
        let sizes: Vec<usize> = tests.iter().map(TestCase::output_size).collect();
        let mut stdin = child.stdin.take().expect("piped stdin");
        let mut stdout = child.stdout.take().expect("piped stdout");
        let mut stderr = child.stderr.take().expect("piped stderr");
        // The emulator may die before reading everything: write errors are
        // expected then and the results tell what happened.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let errors = std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stderr.read_to_end(&mut s);
            String::from_utf8_lossy(&s).into_owned()
        });
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for size in sizes {
                let mut buf = vec![0u8; size];
                if stdout.read_exact(&mut buf).is_err() || tx.send(buf).is_err() {
                    break;
                }
            }
        });
        let mut got = 0;
        let mut hung = false;
        while got < tests.len() {
            match rx.recv_timeout(stall) {
                Ok(buf) => {
                    results.push(RunResult::Done(Box::new(Outcome::decode(&buf).map_err(|e| format!("{}: {e}", self.name))?)));
                    got += 1;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    hung = true;
                    break;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        if got < tests.len() && !hung {
            // Reap a process that is still running after closing its output.
            let _ = child.kill();
        }
        let status = child.wait().map_err(|e| format!("{}: wait: {e}", self.name))?;
        let _ = writer.join();
        let _ = reader.join();
        let stderr = errors.join().unwrap_or_default();
        if got == tests.len() {
            return Ok(());
        }
        if hung {
            results.push(RunResult::Hung);
            return Ok(());
        }
        if got == 0 && stderr.contains("harness: cannot") {
            return Err(format!("{}: {}", self.name, stderr.trim()));
        }
        let tail: String = stderr.lines().rev().take(6).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        results.push(RunResult::Died {
            signal: status.signal(),
            code: status.code(),
            index: pc_in_message(&stderr).and_then(insn_index_of_pc),
            stderr: tail,
        });
        Ok(())
    }
}

/// The guest PC in an emulator's last message ("... at 0x7d0011c4").
fn pc_in_message(stderr: &str) -> Option<u64> {
    let line = stderr.lines().rev().find(|l| l.contains(" at 0x"))?;
    let hex = &line[line.rfind(" at 0x")? + 6..];
    let end = hex.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(hex.len());
    u64::from_str_radix(&hex[..end], 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_pc_in_kestrel_messages() {
        let msg = "kestrel: unimplemented/undefined instruction 0x4e28_5800 at 0x7d001088\n";
        assert_eq!(pc_in_message(msg), Some(0x7d00_1088));
        assert_eq!(insn_index_of_pc(0x7d00_1088), Some(1));
        assert_eq!(pc_in_message("nothing"), None);
    }
}
