# Here-documents: expansion, quoted delimiters, tab stripping, pipes.
name=world
cat <<EOF
hello $name
sum: $((2 + 3))
cmd: $(echo substituted)
escaped: \$name
EOF
cat <<'EOF'
literal $name $(not run) `neither`
EOF
	cat <<-EOF
	leading tabs
		are removed
	EOF
sort <<EOF | tr '\n' ' '
pear
apple
fig
EOF
echo
while read -r a b; do
    echo "$b-$a"
done <<EOF
1 one
2 two
EOF
# here-documents into a function and into a redirected group
show() { sed 's/^/> /'; }
show <<EOF
quoted
  indented
EOF
{ cat; echo "(end)"; } <<EOF >here.txt
into a file
EOF
cat here.txt
# an empty here-document
wc -l <<EOF
EOF
# two here-documents on one command line: the last one wins for stdin
cat <<A <<B
first
A
second
B
