# exec chains through several guest programs: bash -> env -> sh (dash) ->
# bash -> printf, with the environment and arguments carried over.
/usr/bin/bash -c 'exec env GREETING=hello /bin/sh -c "exec /usr/bin/bash -c '\''printf \"%s %s %s\\n\" \"\$GREETING\" \"\$0\" \"\$1\"'\'' zero one"'
