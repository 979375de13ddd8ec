# date through env (an exec of another guest program) with a zone from the
# sysroot's tzdata.
/usr/bin/env TZ=Asia/Kolkata /usr/bin/date -d @1000000000 "+%F %T %z %Z"
