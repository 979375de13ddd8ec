# uniq: counting, duplicates only, unique only, after sort.
printf 'a\na\nb\nc\nc\nc\na\n' > in
echo "== plain"; uniq in
echo "== -c"; uniq -c in
echo "== -d"; uniq -d in
echo "== -u"; uniq -u in
echo "== sort | uniq -c | sort -rn"
sort in | uniq -c | sort -rn
echo "== -i"; printf 'x\nX\ny\n' | uniq -i
echo "== -f1"; printf '1 same\n2 same\n3 other\n' | uniq -f1
echo "== word frequency"
printf 'the cat and the dog and the bird\n' | tr ' ' '\n' | sort | uniq -c | sort -k1,1nr -k2
