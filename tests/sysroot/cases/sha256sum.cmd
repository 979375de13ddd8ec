# sha256sum: a file from the sysroot and standard input.
/usr/bin/sha256sum /usr/share/common-licenses/GPL-3 -
