# Signal handlers written in python: signal.signal + os.kill, alarm
# interrupting a sleep, setitimer + pause, ignored signals, a blocked signal
# that stays pending, a child killed by a signal its handler re-raises.
import os, signal, time

got = []
signal.signal(signal.SIGUSR1, lambda s, f: got.append(s))
os.kill(os.getpid(), signal.SIGUSR1)
print("after kill", got == [signal.SIGUSR1])

def alarm(signum, frame):
    raise TimeoutError("alarm fired")

signal.signal(signal.SIGALRM, alarm)
signal.alarm(1)
start = time.monotonic()
try:
    time.sleep(30)
    print("slept")
except TimeoutError as e:
    print(e, time.monotonic() - start < 20)

signal.signal(signal.SIGUSR2, signal.SIG_IGN)
os.kill(os.getpid(), signal.SIGUSR2)
print("ignored SIGUSR2")

signal.signal(signal.SIGALRM, lambda s, f: got.append(s))
signal.setitimer(signal.ITIMER_REAL, 0.05)
signal.pause()
print([signal.Signals(s).name for s in got])

signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
os.kill(os.getpid(), signal.SIGUSR1)
print("pending", signal.sigpending() == {signal.SIGUSR1}, len(got))
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1})
print("delivered after unblock", len(got))

print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
pid = os.fork()
if pid == 0:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)
    os._exit(0)
print("child", signal.Signals(os.WTERMSIG(os.waitpid(pid, 0)[1])).name)
