# xargs with echo, which busybox runs without exec'ing a new program.
seq 1 10 | xargs echo
seq 1 10 | xargs -n 3 echo
seq 1 5 | xargs -n 2 echo args:
printf 'a b\nc\n' | xargs echo
printf 'one\0two words\0three\0' | xargs -0 -n 1 echo item:
printf 'x\ny\n' | xargs -I{} echo "<{}>"
echo | xargs echo "empty input still runs once"
printf '' | xargs -r echo "not printed with -r"
echo "status $?"
printf 'a\nb\n' | xargs -t echo 2>&1
seq 1 1000 | xargs echo | wc -w
