#: needs-binfmt-reference
# Applets that start another applet by exec'ing /proc/self/exe: env, xargs,
# find -exec and timeout start a full new program, not a built-in shortcut.
# Plain qemu-aarch64 cannot do that, hence the directive above.
env FOO=bar sh -c 'echo "FOO=$FOO"'
env -i PATH="$PATH" FOO=1 sh -c 'env | sort | grep -v -e ^PWD= -e ^PATH='; echo "env -i status $?"
env -u HOME sh -c 'echo "HOME=[${HOME:-}]"'
seq 1 3 > three
printf 'ab' > two
printf 'two\nthree\n' | xargs wc -c
printf 'three\n' | xargs -I{} sh -c 'echo "{} has $(wc -l < {}) lines"'
find . -name 't*' -exec wc -c {} \; | sort
find . -name 't*' -exec sh -c 'echo "$1"' sh {} \; | sort
timeout 10 sh -c 'echo "under timeout"; exit 4'; echo "timeout passed the status $?"
timeout 1 sleep 5; echo "timed out: $?"
# sh -c runs the last command of its string with exec
sh -c 'exec sh -c "echo exec twice"'
sh -c 'exec wc -l three'
# an executable file with no #! line: exec fails with ENOEXEC and the shell
# runs it with a new shell started from /proc/self/exe
printf 'echo "script ran with $# args: $*"\nexit 5\n' > script
chmod +x script
./script a b; echo "script status $?"
