# Subshells and brace groups: isolation of variables, cwd and exit.
x=outer
( x=inner; echo "in subshell: $x" )
echo "after subshell: $x"
{ x=group; echo "in group: $x"; }
echo "after group: $x"
mkdir -p d/e
( cd d/e && pwd | sed "s|^$HOME|HOME|" )
pwd | sed "s|^$HOME|HOME|"
( exit 7 ); echo "subshell exit $?"
( echo nested; ( echo deeper; ( echo deepest ) ) )
# a subshell's output redirected as a whole
( echo one; echo two ) > both.txt
cat both.txt
# variables set in a piped loop do not come back
count=0
printf 'a\nb\n' | while read -r l; do count=$((count + 1)); done
echo "count stays $count"
# sh -c as a child shell, with positional parameters
sh -c 'echo "child got $# args: $1,$2; \$0=$0"' zero first second
sh -c 'exit 42'; echo "sh -c exit $?"
