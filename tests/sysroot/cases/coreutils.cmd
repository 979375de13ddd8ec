# A mix of coreutils run from a bash script.
/usr/bin/bash -c '
seq 1 10 | paste -sd+ ; seq -w 8 11 | tr "\n" " "; echo
echo "hello world" | cut -d" " -f2
printf "b\na\nb\nc\na\n" | sort | uniq -c
expr 7 \* 6; basename /usr/lib/python3.11/json/tool.py .py; dirname /usr/lib/python3.11/json
echo kestrel | base64; echo a2VzdHJlbAo= | base64 -d; echo kestrel | md5sum
printf "\x01\x02\xff" | od -An -tx1
stat -c "%s %F" /usr/share/common-licenses/GPL-3
head -c 100 /usr/share/common-licenses/GPL-3 | tail -n 2
mkdir -p d/e && touch d/e/f && find d | sort && rm -r d && echo removed
ln -s /usr/lib/python3.11/json link && readlink link
echo $(( $(nproc) > 0 ))
dd if=/dev/zero bs=1024 count=64 2>/dev/null | wc -c
test -x /usr/bin/ls && echo "ls is executable"
'
