# trap on a signal sent by the shell to itself with kill.
trap 'echo "got USR1"; usr1=$((usr1 + 1))' USR1
usr1=0
kill -USR1 $$
echo "after first kill: $usr1"
kill -s USR1 $$
kill -USR1 $$
echo "after three kills: $usr1"
trap 'echo "got USR2 and HUP"' USR2 HUP
kill -USR2 $$
kill -HUP $$
# ignored signal
trap '' USR1
kill -USR1 $$
echo "USR1 ignored: $usr1"
# back to the default: a child shell killed by its own TERM
trap - USR1
sh -c 'kill -TERM $$; echo unreached'
echo "child killed by TERM: status $?"
# a trap in a background child shell, signalled by the parent once it is
# ready (not INT: background jobs of a script start with INT ignored)
sh -c 'trap "echo child got TERM; exit 9" TERM; echo ready; while :; do sleep 1; done' >child.out &
pid=$!
tries=0
while [ ! -s child.out ] && [ $tries -lt 100 ]; do
    sleep 0.1
    tries=$((tries + 1))
done
kill -TERM $pid
wait $pid
echo "child status $?"
cat child.out
kill -l 15
