# seq: ranges, steps, separators, padding.
seq 5
seq 3 6
seq 2 3 11
seq 10 -3 0
seq -s , 1 5
seq -w 8 11
seq 0.5 0.5 2
seq 5 1
echo "empty range status $?"
seq 1 100000 | tail -n 1
