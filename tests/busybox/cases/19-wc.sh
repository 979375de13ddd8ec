# wc: lines, words, bytes, several files, stdin.
printf 'one two\nthree\n\nfour five six\n' > a
printf 'no newline at end' > b
: > empty
wc a
wc -l a
wc -w a
wc -c a
wc -L a
wc a b empty
echo "== stdin"
cat a b | wc
seq 1 1000 | wc -l
printf 'x' | wc -c
