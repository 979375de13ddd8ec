# grep: basic and extended regexps, -v, -c, -o, -n, -i, -w, -l, -q, -e, -F.
printf 'apple pie\nbanana split\ncherry tart\napple crumble\nApple juice\n42 apples\n' > food
printf 'nothing here\n' > other
grep apple food
grep -c apple food
grep -v apple food
grep -i apple food
grep -n cherry food
grep -w apple food
grep -o 'a[a-z]*e' food
grep -E 'pie|tart' food
grep -E '^[0-9]+ ' food
grep -E -o '[0-9]+' food
grep -e pie -e juice food
grep -F 'a.p' food; echo "fixed string status $?"
grep 'a.p' food
grep -l apple food other
grep -L apple food other
grep -c apple food other
grep -h tart food other
grep -x 'cherry tart' food
grep -A1 banana food
grep -B1 banana food
grep -q banana food && echo "quiet match"
grep -E '(an){2}' food
grep 'p\{2\}' food
seq 1 200 | grep -c 7
grep -r apple . | sort
