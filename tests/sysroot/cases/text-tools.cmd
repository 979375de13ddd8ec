# grep, sed, awk (mawk) and perl from the sysroot.
/usr/bin/bash -c '
grep -c "GNU" /usr/share/common-licenses/GPL-3
grep -n -m 3 -E "^ +[0-9]+\. " /usr/share/common-licenses/GPL-3 | sed "s/  */ /g"
printf "one 1\ntwo 2\nthree 3\n" | awk "{ s += \$2; printf \"%s=%d\\n\", \$1, s } END { print NR, s / NR }"
echo "The quick brown fox" | sed -E "s/(quick) (brown)/\2 \1/; s/[aeiou]/_/g"
perl -e "print join(\",\", map { \$_ ** 2 } 1..5), \"\n\"; printf(\"%.6f\n\", atan2(1, 1) * 4)"
perl -MList::Util=sum -e "print sum(1..100), \"\n\""
'
