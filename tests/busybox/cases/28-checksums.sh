# md5sum, sha1sum, sha256sum, sha512sum of fixed data, and -c checking.
printf '' > empty
printf 'The quick brown fox jumps over the lazy dog' > fox
seq 1 10000 > numbers
md5sum empty fox numbers
sha1sum fox
sha256sum empty fox numbers
sha512sum fox
echo "from stdin" | md5sum
md5sum fox numbers > sums
md5sum -c sums
printf 'changed' > fox
md5sum -c sums 2>&1
echo "status after a change: $?"
dd if=/dev/zero bs=4096 count=256 2>/dev/null | sha256sum
