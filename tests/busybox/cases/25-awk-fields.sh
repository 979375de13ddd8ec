# awk: fields, separators, NR/NF, conditions.
printf 'alice 30 paris\nbob 25 london\ncarol 35 berlin\n' > people
awk '{ print $1 }' people
awk '{ print $NF, NF }' people
awk '{ print NR ": " $0 }' people
awk '$2 > 28' people
awk '$3 ~ /^b/ { print $1 }' people
awk 'NR == 2, NR == 3 { print $2 }' people
awk -F: '{ print $1 "-" $3 }' <<EOF
a:b:c
d:e:f
EOF
awk 'BEGIN { FS = ","; OFS = "|" } { $1 = $1; print }' <<EOF
x,y,z
1,2,3
EOF
awk '{ $2 = $2 * 2; print }' people
awk '{ n = split($0, parts, /[ ]+/); print n, parts[3] }' people
echo "  leading and   multiple spaces  " | awk '{ print NF ": " $1 "," $2 }'
awk -v greeting=hi '{ print greeting, $1 }' people
awk 'END { print NR " records" }' people
echo "a b c" | awk '{ $5 = "e"; print; print NF }'
