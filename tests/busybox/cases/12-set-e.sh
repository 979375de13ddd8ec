# set -e: which failures end the shell and which do not.
set -e
echo "start"
false || echo "failure on the left of || is allowed"
if false; then echo no; else echo "failure in an if condition is allowed"; fi
! true
echo "a negated pipeline is allowed"
while false; do :; done
echo "failure in a loop condition is allowed"
# on the left of || set -e is off for everything inside, even a subshell
( false; echo "printed: set -e is ignored inside" ) || echo "not printed"
set +e
( set -e; false; echo "not printed" )
echo "subshell with set -e stopped: $?"
f() { false; echo "not printed either"; }
( set -e; f )
echo "function in subshell stopped: $?"
set -e
x=$(false) || echo "failed substitution in assignment: $?"
set +e
false
echo "set +e continues after status $?"
set -e
echo "now failing for real"
sh -c 'exit 6'
echo "not reached"
