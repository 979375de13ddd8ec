# sort: keys, numeric and reverse order, unique.
/usr/bin/sort -t : -k 2,2n -k 1,1r -u
