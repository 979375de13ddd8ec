# Exit statuses of builtins, applets, missing commands and signals.
true; echo "true $?"
false; echo "false $?"
nosuchcommand 2>/dev/null; echo "missing command $?"
printf 'echo script\n' > script.sh
./script.sh 2>/dev/null; echo "not executable $?"
ls /nonexistent 2>/dev/null; echo "ls of a missing path $?"
grep -q zzz /dev/null; echo "grep no match $?"
grep -q zzz /nonexistent 2>/dev/null; echo "grep missing file $?"
test 1 -gt 2; echo "test false $?"
expr 0 >/dev/null; echo "expr zero $?"
sh -c 'exit 255'; echo "exit 255 -> $?"
sh -c 'exit 256'; echo "exit 256 -> $?"
sh -c 'kill -KILL $$'; echo "killed by KILL -> $?"
sh -c 'return 3' 2>/dev/null; echo "return outside a function -> $?"
f() { return 17; }
f; echo "function return $?"
{ false; true; }; echo "group ends true $?"
cmp -s /dev/null /dev/null; echo "cmp same $?"
echo x | cmp -s - /dev/null; echo "cmp differ $?"
exit 3
