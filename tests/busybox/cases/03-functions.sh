# Shell functions: arguments, return codes, local variables, recursion.
greet() {
    echo "hello, $1 ($# args)"
}
greet world extra

fact() {
    if [ "$1" -le 1 ]; then
        echo 1
    else
        echo $(($1 * $(fact $(($1 - 1)))))
    fi
}
echo "10! = $(fact 10)"

counter=0
bump() {
    local step=${1:-1}
    counter=$((counter + step))
    step=999
}
step=unchanged
bump; bump 5
echo "counter=$counter step=$step"

is_even() { return $(($1 % 2)); }
for n in 1 2 3 4; do
    if is_even $n; then echo "$n even"; else echo "$n odd (status $?)"; fi
done

shifty() {
    echo "first=$1"
    shift 2
    echo "rest=$* count=$#"
}
shifty a b c d

# a function redefined and used in a pipeline
emit() { printf '%s\n' c a b; }
emit | sort | tr '\n' ' '
echo
unset -f emit
command -v emit >/dev/null || echo "emit is gone"
