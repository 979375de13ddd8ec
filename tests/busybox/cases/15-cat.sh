# cat: files, stdin as -, line numbering, visible control characters.
printf 'one\ntwo\n' > f1
printf 'three\n\n\nfour\n' > f2
printf 'tab\there\001\n' > f3
cat f1 f2
echo "== stdin in the middle"
echo middle | cat f1 - f1
echo "== -n"
cat -n f2
echo "== -b"
cat -b f2
echo "== -v -e -t"
cat -vet f3
echo "== -A"
cat -A f3
echo "== missing file"
cat f1 missing f1 2>&1; echo "status $?"
echo "== large file"
seq 1 5000 > big
cat big big | wc -lc
