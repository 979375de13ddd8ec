# os.fork, waitpid and exit statuses, a pipe between parent and child.
import os, signal

pid = os.fork()
if pid == 0:
    print("in child", flush=True)
    os._exit(7)
p, status = os.waitpid(pid, 0)
print(p == pid, os.WIFEXITED(status), os.WEXITSTATUS(status))

r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"through a pipe")
    os._exit(0)
os.close(w)
chunks = []
while True:
    data = os.read(r, 4)
    if not data:
        break
    chunks.append(data)
print(b"".join(chunks))
os.waitpid(pid, 0)

pid = os.fork()
if pid == 0:
    os.kill(os.getpid(), signal.SIGTERM)
    os._exit(0)
_, status = os.waitpid(pid, 0)
print("killed by", signal.Signals(os.WTERMSIG(status)).name)

# Three children; collect them in whatever order they finish.
kids = {}
for i in range(3):
    pid = os.fork()
    if pid == 0:
        os._exit(10 + i)
    kids[pid] = 10 + i
codes = []
while kids:
    pid, status = os.wait()
    codes.append(os.WEXITSTATUS(status) == kids.pop(pid))
print("all children reaped", all(codes), len(codes))
