# find over a known tree; every listing is sorted.
mkdir -p t/a/b t/c t/empty
printf '1234567890' > t/a/ten
printf 'x' > t/a/b/one
seq 1 1000 > t/c/big
: > t/c/zero.txt
: > t/top.txt
ln -s a/ten t/link
echo "== all"; find t | sort
echo "== files"; find t -type f | sort
echo "== dirs"; find t -type d | sort
echo "== links"; find t -type l
echo "== name"; find t -name '*.txt' | sort
echo "== iname"; find t -iname 'TOP*'
echo "== maxdepth 1"; find t -maxdepth 1 | sort
echo "== mindepth 2"; find t -mindepth 2 -type f | sort
echo "== size"; find t -type f -size +1k; find t -type f -size -2c | sort
echo "== empty"; find t -empty | sort
echo "== not and or"; find t -type f ! -name '*.txt' | sort; find t \( -name one -o -name ten \) | sort
echo "== path"; find t -path '*a/b*' | sort
echo "== exec echo"; find t -name '*.txt' -exec echo found {} \; | sort
echo "== exec +"; find t/a -type f -exec echo {} + | tr ' ' '\n' | sort
echo "== prune"; find t -name a -prune -o -type f -print | sort
echo "== perm"; chmod 700 t/top.txt; find t -perm 700
echo "== newer"; find t -newer t/nonexistent 2>/dev/null; echo "status $?"
