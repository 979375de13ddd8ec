# case/esac: globs, alternatives, character classes, fall-through order.
classify() {
    case $1 in
        '') echo "empty" ;;
        [0-9] | [0-9][0-9]) echo "$1: small number" ;;
        *[!0-9]*) case $1 in
                *.txt) echo "$1: text file" ;;
                [A-Z]*) echo "$1: capitalised" ;;
                -*) echo "$1: option" ;;
                *) echo "$1: word" ;;
            esac ;;
        *) echo "$1: big number" ;;
    esac
}
for v in 7 42 1234 notes.txt Hello -v plain ""; do
    classify "$v"
done
x=abc
case $x in
    a*) echo "starts with a" ;;
    *c) echo "ends with c (not reached)" ;;
esac
case "a?c" in
    'a?c') echo "quoted pattern is literal" ;;
esac
case abc in
    a?c) echo "? matches one char" ;;
esac
pat='*b*'
case abc in $pat) echo "pattern from a variable" ;; esac
case x in y) echo no ;; esac
echo "no match leaves status $?"
