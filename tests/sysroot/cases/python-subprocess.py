# subprocess and exec: the guest python runs itself, the shell and coreutils
# again (each an exec of another AArch64 program), and finally replaces
# itself with os.execv.
# reference: host python3
import os, subprocess, sys

# Line by line, so output keeps its order with the children's output.
sys.stdout.reconfigure(line_buffering=True)

if len(sys.argv) > 1:
    print("re-executed with", sys.argv[1:], flush=True)
    sys.exit(0)

print(sys.executable)
r = subprocess.run(
    [sys.executable, "-c", "import sys; print('child', sys.argv[1:]); sys.exit(3)", "x", "y"],
    capture_output=True, text=True)
print(repr(r.stdout), r.returncode)
print(subprocess.check_output("echo piped | tr a-z A-Z", shell=True))
print(os.system("seq 3 | wc -l; exit 5") >> 8)
p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out, _ = p.communicate(b"via communicate")
print(out, p.returncode)
r = subprocess.run("yes | head -n 2; echo ${PIPESTATUS[@]}", shell=True,
                   executable="/bin/bash", capture_output=True, text=True)
print(repr(r.stdout))
print(subprocess.run(["python3", "-c", "import os; os.kill(os.getpid(), 9)"]).returncode)
pid = os.posix_spawn(sys.executable, [sys.executable, "-c", "print('spawned', flush=True)"], os.environ)
print(os.waitpid(pid, 0)[1])
sys.stdout.flush()
os.execv(sys.executable, [sys.executable, sys.argv[0], "again"])
