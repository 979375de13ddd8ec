# for, while and until loops with break and continue.
for i in 1 2 3; do
    for j in a b c; do
        [ "$j" = b ] && continue
        printf '%s%s ' "$i" "$j"
    done
done
echo
n=0
while [ $n -lt 10 ]; do
    n=$((n + 1))
    [ $n -eq 3 ] && continue
    [ $n -eq 7 ] && break
    printf '%s ' $n
done
echo "stopped at $n"
k=5
until [ $k -eq 0 ]; do
    printf '%s ' $k
    k=$((k - 1))
done
echo liftoff
# break out of two levels at once
for a in 1 2 3; do
    for b in 1 2 3; do
        if [ $((a * b)) -eq 4 ]; then
            echo "break 2 at $a*$b"
            break 2
        fi
    done
done
# loop over a word-split variable and over "$@"
words="alpha beta  gamma"
for w in $words; do echo "word:$w"; done
set -- "x y" z
for arg; do echo "arg:$arg"; done
# a loop whose output is piped
for i in 3 1 2; do echo $i; done | sort
