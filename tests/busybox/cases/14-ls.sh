# ls on a tree of known files; ls -l only through cut, to drop owners and times.
mkdir -p tree/sub/deeper tree/empty
printf 'hello\n' > tree/a.txt
printf '0123456789' > tree/b.bin
: > tree/.hidden
printf 'xx' > tree/sub/c
ln -s a.txt tree/link
chmod 700 tree/sub
chmod 640 tree/b.bin
chmod 755 tree/a.txt
cd tree
echo "== ls -1"; ls -1
echo "== ls -1a"; ls -1a
echo "== ls -1A"; ls -1A
echo "== ls -1r"; ls -1r
echo "== ls -1F"; ls -1F
echo "== ls -1R"; ls -1R
echo "== ls -1d"; ls -1d sub empty
echo "== ls -1S (by size)"; ls -1S a.txt b.bin sub/c
echo "== ls -l, mode size name"
ls -l a.txt b.bin sub/c link | tr -s ' ' | cut -d ' ' -f 1,5,9-
echo "== ls -ld on directories, mode only"
ls -ld sub empty | cut -c 1-10
echo "== missing file"
ls -1 missing a.txt; echo "status $?"
