# du on files of known sizes.  Block counts depend on the file system, which
# is the same for both emulators since the cases run in the same directory.
mkdir -p d/sub
dd if=/dev/zero of=d/f8k bs=1024 count=8 2>/dev/null
dd if=/dev/zero of=d/sub/f16k bs=1024 count=16 2>/dev/null
dd if=/dev/zero of=d/f1m bs=65536 count=16 2>/dev/null
du -k d/f8k d/sub/f16k d/f1m
du -sk d/f1m
du -sk d | cut -f 2
du -a d | cut -f 2 | sort
# the total must at least cover the file contents
total=$(du -sk d | cut -f 1)
[ "$total" -ge 1048 ] && echo "total covers the 1048 KiB of data"
du -s d/sub d/f8k | cut -f 2
du -m d/f1m
du -h d/f1m
