// worker_threads and child_process: four workers compute and post results,
// then a child is run synchronously and one asynchronously.
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const { execFileSync, spawn } = require('child_process');
if (isMainThread) {
  let done = 0, total = 0;
  for (let i = 0; i < 4; i++) {
    const w = new Worker(__filename, { workerData: i });
    w.on('message', (v) => {
      total += v;
      if (++done === 4) {
        const out = execFileSync('/bin/echo', ['child', 'ok']).toString().trim();
        const p = spawn('/bin/sh', ['-c', 'echo spawned; exit 3']);
        let s = '';
        p.stdout.on('data', (d) => (s += d));
        p.on('close', (code) => console.log(`workers ${total} ${out} ${s.trim()} ${code}`));
      }
    });
  }
} else {
  let x = 0;
  for (let i = 0; i < 1e6; i++) x = (x + i * workerData) % 1000003;
  parentPort.postMessage(x);
}
