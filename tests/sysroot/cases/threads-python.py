# Guest threads (kept apart from the other python cases so that they fail on
# their own): threading with a lock, a condition-driven queue, events,
# thread-local data, a pool of workers, and a thread that forks.
import concurrent.futures, os, queue, threading

total = 0
lock = threading.Lock()

def add(n):
    global total
    for _ in range(n):
        with lock:
            total += 1

threads = [threading.Thread(target=add, args=(2000,)) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("counter", total)

q = queue.Queue(maxsize=2)
results = []

def consumer():
    while (item := q.get()) is not None:
        results.append(item * item)

c = threading.Thread(target=consumer)
c.start()
for i in range(10):
    q.put(i)
q.put(None)
c.join()
print("queue", results)

ready, go = threading.Event(), threading.Event()
local = threading.local()

def waiter():
    local.name = threading.current_thread().name
    ready.set()
    go.wait(10)
    print("event seen by", local.name, flush=True)

w = threading.Thread(target=waiter, name="waiter")
w.start()
ready.wait(10)
go.set()
w.join()
print("main thread local untouched", not hasattr(local, "name"))

with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
    print("pool", list(pool.map(lambda x: x ** 3, range(8))))

def fork_from_thread(out):
    pid = os.fork()
    if pid == 0:
        os._exit(42)
    out.append(os.WEXITSTATUS(os.waitpid(pid, 0)[1]))

out = []
t = threading.Thread(target=fork_from_thread, args=(out,))
t.start()
t.join()
print("fork in thread", out, threading.active_count())
