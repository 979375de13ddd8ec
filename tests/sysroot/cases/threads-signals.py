# Threads together with signals, timers and exec: a python signal handler
# runs on the main thread while another thread spins, threading.Timer, and
# two threads each running a child python at the same time.
# reference: host python3
import threading, signal, os, time, subprocess, sys
got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(threading.current_thread().name))
stop = threading.Event()
def spin():
    n = 0
    while not stop.is_set():
        n += 1
t = threading.Thread(target=spin, name="spinner"); t.start()
os.kill(os.getpid(), signal.SIGUSR1)
time.sleep(0.2)
print("handler ran in", got)
timer_fired = threading.Event()
threading.Timer(0.1, timer_fired.set).start()
print("timer", timer_fired.wait(10))
r = []
def run_child():
    r.append(subprocess.run([sys.executable, "-c", "print('from thread child')"], capture_output=True, text=True).stdout)
ts = [threading.Thread(target=run_child) for _ in range(2)]
for x in ts: x.start()
for x in ts: x.join()
print(r)
stop.set(); t.join()
print("done", threading.active_count())
