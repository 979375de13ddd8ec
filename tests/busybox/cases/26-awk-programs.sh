# awk programs: BEGIN/END, printf, arrays, functions, string builtins.
awk 'BEGIN { for (i = 1; i <= 5; i++) s += i * i; printf "sum=%d avg=%.2f\n", s, s / 5 }'
printf 'red 3\nblue 5\nred 4\ngreen 1\nblue 2\n' > colours
awk '{ total[$1] += $2; count[$1]++ }
     END { for (c in total) printf "%-6s %3d %d\n", c, total[c], count[c] }' colours | sort
awk 'function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }
     BEGIN { for (i = 0; i < 15; i++) printf "%d ", fib(i); print "" }'
awk 'BEGIN {
    s = "Hello, World"
    print length(s), substr(s, 8), substr(s, 1, 5), index(s, "World")
    print toupper(s), tolower(s)
    t = s; gsub(/o/, "0", t); print t
    u = s; n = sub(/l+/, "L", u); print u, n
    print match(s, /W[a-z]+/), RSTART, RLENGTH
    printf "%5.1f|%-4s|%04d|%x|%c\n", 3.14159, "ab", 42, 255, 65
    # no ^ or math functions: this busybox is built without libm support
    print 7 % 3, 10 / 4, int(-3.7), 1e3 + 1, 0.1 + 0.2 == 0.3
}'
awk 'BEGIN { split("c b a", arr); for (i = 3; i >= 1; i--) printf "%s", arr[i]; print "" }'
awk '{ lines[NR] = $0 } END { for (i = NR; i > 0; i--) print lines[i] }' colours
awk 'BEGIN { x["k"] = 1; delete x["k"]; print ("k" in x) ? "present" : "deleted" }'
seq 1 10 | awk '$1 % 2 == 0 { even = even " " $1; next } { odd = odd " " $1 } END { print "even:" even; print "odd:" odd }'
awk 'BEGIN { while ((getline line < "colours") > 0) n++; print n " lines via getline" }'
awk 'BEGIN { printf "%s\n", "to stderr" > "/dev/stderr"; exit 3 } END { print "end still runs" }'
echo "awk exit status $?"
