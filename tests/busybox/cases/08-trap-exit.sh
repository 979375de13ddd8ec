# trap on EXIT: runs once when the shell ends and keeps the exit status.
trap 'echo "exit trap: status $?"' EXIT
echo start
cleanup_done=no
f() { trap 'echo "inner exit trap"' EXIT; }
( f; echo "in subshell" )
echo "after subshell"
# a subshell that exits with a status runs its own trap
( trap 'echo "subshell trap"' EXIT; exit 3 )
echo "subshell status $?"
trap   # list active traps
echo end
exit 4
