# date: formatting a fixed time in UTC.
/usr/bin/date -d @0 -u
