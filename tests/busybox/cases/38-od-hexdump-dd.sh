# od, hexdump and dd on fixed bytes.
printf 'Hello\000\001\177\377 world\n' > bytes
od -c bytes
od -An -tx1 bytes
od -An -to2 bytes
od -An -td4 -N8 bytes
od -Ax -tx1 bytes
od -j 6 -N 4 -An -tu1 bytes
hexdump -C bytes
hexdump -n 4 -e '4/1 "%02x" "\n"' bytes
seq 1 40 | hexdump -C | tail -n 3
echo "== dd"
seq 1 1000 > n
dd if=n bs=100 count=3 2>/dev/null | wc -c
dd if=n bs=10 skip=2 count=1 2>/dev/null | od -c | head -n 1
dd if=/dev/zero bs=512 count=4 2>/dev/null | od -An -tx1 | sort -u
dd if=n of=part bs=1 count=7 2>/dev/null
od -c part
dd if=n of=part bs=2 seek=1 count=1 conv=notrunc 2>/dev/null
od -c part
# the transfer statistics line holds a time; keep only the record counts
dd if=n of=/dev/null bs=1000 2>&1 | grep records
dd if=n of=/dev/null bs=1000 count=2 status=none
echo "status=none status $?"
printf 'abcd' | dd conv=swab 2>/dev/null
echo
dd if=/dev/zero bs=1M count=4 2>/dev/null | md5sum
