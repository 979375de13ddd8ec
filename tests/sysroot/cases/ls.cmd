# ls: directory listing through the sysroot, classified and sorted.
/usr/bin/ls -1 -F /usr/lib/python3.11/json /usr/lib/python3.11/email/mime
