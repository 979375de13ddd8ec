# bash: pipelines, subshells, command and process substitution, here
# documents, functions, traps, background jobs and exec, each running other
# guest programs from the sysroot.
/usr/bin/bash -c '
set -o pipefail
printf "%s\n" cherry apple banana | sort | tr a-z A-Z | head -n 2
x=$(echo sub | tr s S); echo "substituted $x"
(cd /usr/lib/python3.11 && pwd); pwd | sed "s|.*/||; s|.|x|g" | wc -c
(exit 3); echo "subshell status $?"
false | true; echo "pipefail status $?"
wc -l < <(seq 1 7)
cat <<END
here document $((6 * 7)) ${BASH_VERSINFO[0]}
END
f() { local n=$1; [ "$n" -le 1 ] && { echo 1; return; }; echo $(( n * $(f $((n - 1))) )); }
echo "factorial $(f 10)"
trap "echo trapped USR1" USR1; kill -USR1 $$
sleep 0.2 & wait $!; echo "background status $?"
{ echo to-stderr >&2; echo to-stdout; } 2>/dev/null
exec /usr/bin/echo "exec replaced the shell"
echo not reached
'
