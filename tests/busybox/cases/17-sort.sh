# sort: numeric, reverse, unique, keys, separators, stability.
printf '10\n9\n100\n-3\n9\n1e2\n' > nums
printf 'pear 3\napple 10\nfig 2\nApple 1\nbanana 10\n' > fruit
printf 'b:2:x\na:10:y\nc:1:z\na:2:w\n' > colon
echo "== default"; sort nums
echo "== -n"; sort -n nums
echo "== -rn"; sort -rn nums
echo "== -u"; sort -u nums
echo "== -nu"; sort -nu nums
echo "== fruit"; sort fruit
echo "== -f"; sort -f fruit
echo "== -k2n"; sort -k2n fruit
echo "== -k2,2nr -k1,1"; sort -k2,2nr -k1,1 fruit
echo "== -t: -k2n"; sort -t: -k2n colon
echo "== -t: -k1,1 -s"; sort -t: -k1,1 -s colon
echo "== -c"; sort -c nums 2>/dev/null; echo "unsorted status $?"
sort -n nums | sort -c -n; echo "sorted status $?"
echo "== merged files -m"; sort nums > s1; sort -m s1 s1 | head -n 4
echo "== big"; seq 1 3000 | sort -r | head -n 3
