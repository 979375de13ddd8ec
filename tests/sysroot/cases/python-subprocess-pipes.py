# subprocess.communicate() with stdin and stderr piped and stdout inherited
# by the child, as Python's test suite does; and multiprocessing pool workers
# that go away when their parent dies without cleaning up.
import os
import subprocess
import sys
import time

child = subprocess.Popen(
    [sys.executable, "-c", "import sys; d = sys.stdin.read(); sys.stderr.write('err:' + d); print('child out', flush=True)"],
    stdin=subprocess.PIPE,
    stderr=subprocess.PIPE,
)
out, err = child.communicate(b"hello", timeout=60)
print("communicate", out, err, child.returncode, flush=True)

# A parent that dies with its pool still running: the workers must end too
# (they read a pipe whose writers are all gone).
r, w = os.pipe()
parent = os.fork()
if parent == 0:
    import multiprocessing as mp
    pool = mp.Pool(2)
    pool.map(abs, range(10))
    os.write(w, " ".join(str(p.pid) for p in pool._pool).encode())
    os._exit(0)
os.close(w)
pids = [int(p) for p in os.read(r, 100).split()]
os.waitpid(parent, 0)
deadline = time.time() + 30
alive = pids
while alive and time.time() < deadline:
    alive = [p for p in alive if os.path.exists(f"/proc/{p}/stat") and open(f"/proc/{p}/stat").read().split()[2] != "Z"]
    time.sleep(0.1)
print("workers", len(pids), "left behind", len(alive))
