# gzip/gunzip round trips; gzip -n output is byte-for-byte reproducible.
seq 1 5000 > data
printf 'short text\n' > small
cp data orig
gzip -n data
ls -1
md5sum data.gz
gunzip data.gz
cmp data orig && echo "round trip identical"
gzip -n -c small | md5sum
gzip -n -9 -c data | md5sum
gzip -n -1 -c data | wc -c
gzip -n -c small > small.gz
zcat small.gz
gunzip -c small.gz | wc -c
gzip -t small.gz && echo "integrity ok"
printf 'garbage' > bad.gz
gunzip -c bad.gz >/dev/null 2>&1; echo "bad input status $?"
# stdin to stdout through a pipe, several times over
seq 1 20000 | gzip -n | gunzip | gzip -n | gunzip | md5sum
