# Pipelines: long chains, exit status of the last command, negation.
seq 1 20 | grep 1 | sort -r | head -n 3
echo "a b c" | tr ' ' '\n' | wc -l
printf 'x\ny\n' | cat | cat | cat
true | false; echo "true|false -> $?"
false | true; echo "false|true -> $?"
! false; echo "! false -> $?"
! true; echo "! true -> $?"
# stderr into the pipe
{ echo out; echo err >&2; } 2>&1 | sort
# a pipeline feeding a while-read loop
printf '1 one\n2 two\n3 three\n' | while read -r num word; do
    echo "$word=$num"
done
# pipefail: yes is killed by SIGPIPE once head exits, 128+13
set -o pipefail
yes | head -n 2 >/dev/null
echo "pipefail status $?"
set +o pipefail
# a large amount of data through a pipe
seq 1 20000 | wc -c
