# cut: fields with delimiters, character and byte ranges, -s.
printf 'root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000:A User:/home/user:/bin/ash\nno delimiter here\n' > pw
cut -d: -f1 pw
cut -d: -f1,3 pw
cut -d: -f 3- pw
cut -d: -f -2 pw
cut -s -d: -f6 pw
cut -c 1-4 pw
cut -c 2,4,6 pw
cut -b 5- pw | head -n 1
printf 'a\tb\tc\n' | cut -f 2
echo "one two three four" | cut -d ' ' -f 2-3
echo "one two three four" | cut -d ' ' -f 1,4 --output-delimiter=_ 2>/dev/null || echo "no --output-delimiter"
