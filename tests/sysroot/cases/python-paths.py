# The guest's view of absolute paths under -L: files that exist in the
# sysroot are found there; files created at other absolute paths (here the
# temporary directory) live on the host and are found again by name.
import os, stat, sys, tempfile

print(os.path.realpath("/usr/bin/python3"))
print(os.readlink("/usr/bin/python3"))
print(stat.S_ISLNK(os.lstat("/lib").st_mode), os.readlink("/lib"))
print(os.path.exists("/lib/ld-linux-aarch64.so.1"))
with open("/usr/lib/python3.11/json/__init__.py") as f:
    print(f.readline().rstrip())
print(sorted(os.listdir("/usr/lib/python3.11/json"))[:3])
print(os.path.isdir("/usr/lib/aarch64-linux-gnu"))
print(sys.prefix, sys.path[1:3])

d = tempfile.mkdtemp()
path = os.path.join(os.path.abspath(d), "made-here")
with open(path, "w") as f:
    f.write("written by the guest\n")
with open(path) as f:
    print(f.read().rstrip(), os.path.getsize(path))
os.rename(path, path + ".renamed")
print(sorted(os.listdir(d)))
os.unlink(path + ".renamed")
os.rmdir(d)
print(os.path.exists(d))
