# head and tail: line and byte counts, +N offsets, several files.
seq 1 20 > n
head n | tr '\n' ' '; echo
head -n 3 n | tr '\n' ' '; echo
head -n -17 n | tr '\n' ' '; echo
head -c 7 n | od -c | head -n 1
tail n | tr '\n' ' '; echo
tail -n 2 n | tr '\n' ' '; echo
tail -n +18 n | tr '\n' ' '; echo
tail -c 6 n | tr '\n' ' '; echo
echo "== several files"
seq 1 3 > m
head -n 1 n m
tail -n 1 n m
echo "== from a pipe"
seq 1 100000 | tail -n 2
seq 1 100000 | head -n 2
yes line | head -n 3
yes | head -c 6 | od -c
