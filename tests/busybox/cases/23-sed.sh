# sed: substitution, addresses, ranges, -n/p, deletion, hold space, -i.
printf 'alpha 1\nbeta 2\ngamma 3\ndelta 4\nepsilon 5\n' > in
sed 's/a/A/' in
sed 's/a/A/g' in | head -n 2
sed -n '2p' in
sed -n '2,4p' in
sed -n '/beta/,/delta/p' in
sed '3d' in
sed '/a 1$/d; /5$/d' in
sed -n '$p' in
sed -e 's/[0-9]/<&>/' -e 's/^\(.\)/\1./' in
sed -E 's/([a-z]+) ([0-9])/\2:\1/' in
sed 'y/abc/ABC/' in | head -n 2
sed '1!G;h;$!d' in
sed -n '/gamma/{=;p}' in
sed '2i\
inserted' in | head -n 3
sed '2a\
appended' in | head -n 4
sed '4c\
changed' in | tail -n 2
sed 's/ /\n/' in | head -n 2
sed = in | sed 'N; s/\n/ /' | tail -n 1
printf 'x\ny\n' > edit
sed -i 's/x/X/' edit
cat edit
echo "one two two three" | sed 's/two/2/2'
echo "path/to/file" | sed 's|/|::|g'
sed -n '$=' in
