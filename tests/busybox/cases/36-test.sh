# test / [ ]: files, strings, numbers, combinations; basename and dirname.
mkdir dir
printf 'data' > file
: > empty
ln -s file link
chmod 755 file
t() { if "$@"; then echo "true:  $*"; else echo "false: $*"; fi; }
t test -e file
t test -e missing
t [ -f file ]
t [ -f dir ]
t [ -d dir ]
t [ -s file ]
t [ -s empty ]
t [ -L link ]
t [ -h file ]
t [ -x file ]
t [ -r file ]
t [ -w empty ]
t [ -z "" ]
t [ -n "" ]
t [ abc = abc ]
t [ abc != abc ]
t [ abc \< abd ]
t [ 10 -eq 10 ]
t [ 10 -ne 10 ]
t [ 2 -lt 10 ]
t [ 2 -gt 10 ]
t [ 5 -le 5 ]
t [ 5 -ge 6 ]
t [ ! -e missing ]
t [ -f file -a -d dir ]
t [ -f missing -o -d dir ]
t [ \( 1 -eq 1 \) -a \( 2 -eq 3 \) ]
t [ file -nt missing ]
t test
t test ""
t test word
[ 1 -eq x ] 2>/dev/null; echo "bad integer status $?"
[ 1 -eq 1 2>/dev/null; echo "missing ] status $?"
echo "== basename / dirname"
basename /usr/lib/libc.so.6
basename /usr/lib/
basename file.tar.gz .gz
basename /
basename relative
dirname /usr/lib/libc.so.6
dirname /usr/lib/
dirname relative
dirname /
dirname a/b/
