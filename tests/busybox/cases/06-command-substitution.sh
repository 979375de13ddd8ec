# Command substitution: $( ), backquotes, nesting, newline stripping.
now=$(echo fixed)
echo "now=$now"
echo "backquotes: `echo old style`"
echo "nested: $(echo "a$(echo "b$(echo c)")")"
trail=$(printf 'x\n\n\n')
echo "trailing newlines stripped: [$trail]"
inner=$(printf 'l1\nl2')
echo "inner newline kept: [$inner]"
lines=$(seq 3)
echo "unquoted:" $lines
echo "quoted: $lines"
count=$(ls / | wc -l)
[ "$count" -gt 0 ] && echo "substitution of a pipeline works"
status=$(exit 5; echo unreached)
echo "status of substitution: $? [$status]"
sum=0
for n in $(seq 1 10); do sum=$((sum + n)); done
echo "sum=$sum"
echo "$(cd / && pwd) vs $(pwd | sed "s|^$HOME|HOME|")"
