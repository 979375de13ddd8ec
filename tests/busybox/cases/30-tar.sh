# tar: create, list and extract, plain and gzip-compressed.
mkdir -p src/dir/sub
printf 'first file\n' > src/one.txt
seq 1 3000 > src/dir/numbers
printf 'deep\n' > src/dir/sub/deep.txt
ln -s one.txt src/link
chmod 750 src/dir/sub
tar cf archive.tar src
echo "== list"
tar tf archive.tar | sort
echo "== list with modes and sizes"
tar tvf archive.tar | tr -s ' ' | cut -d ' ' -f 1,3 | sort
mkdir out
tar xf archive.tar -C out
echo "== extracted"
find out | sort
cmp src/dir/numbers out/src/dir/numbers && echo "numbers identical"
cat out/src/one.txt out/src/link
ls -ld out/src/dir/sub | cut -c 1-10
echo "== gzip"
tar czf archive.tgz -C src dir
tar tzf archive.tgz | sort
mkdir out2
cd out2
tar xzf ../archive.tgz dir/sub/deep.txt
find . | sort
cat dir/sub/deep.txt
cd ..
echo "== through a pipe"
tar cf - src | tar tf - | wc -l
tar cf - -C src one.txt | tar xOf -
echo "== missing member"
tar xf archive.tar nosuch 2>/dev/null; echo "status $?"
