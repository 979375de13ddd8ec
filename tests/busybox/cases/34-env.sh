# The environment: what the shell was given, export, env, unset.
env | sort | grep -v -e '^PATH=' -e '^PWD=' -e '^HOME=' -e '^TMPDIR=' -e '^SHLVL=' -e '^OLDPWD='
[ -n "$HOME" ] && [ "$HOME" = "$(pwd)" ] && echo "HOME is the working directory"
echo "LC_ALL=$LC_ALL TZ=$TZ"
MYVAR=hello
env | grep -c '^MYVAR=' || echo "unexported variable not in env"
export MYVAR
env | grep '^MYVAR='
export OTHER="with spaces"
env | grep -e '^MYVAR=' -e '^OTHER=' | sort
unset MYVAR
env | grep '^MYVAR=' || echo "unset variable gone from env"
# a child shell inherits exported variables only
LOCAL=1
export SHARED=2
sh -c 'echo "child sees LOCAL=[$LOCAL] SHARED=[$SHARED]"'
# an assignment in front of a command is for that command only
ONE_SHOT=yes sh -c 'echo "one-shot: $ONE_SHOT"'
echo "after one-shot: [${ONE_SHOT:-unset}]"
# parameter expansion forms
unset U
echo "${U:-default} ${U-dash} ${U:=assigned} $U"
E=""
echo "[${E:-colon-default}] [${E-no-colon}]"
S=path/to/file.tar.gz
echo "${S#*/} ${S##*/} ${S%.*} ${S%%.*} ${#S}"
( : "${REQUIRED:?is required}" ) 2>&1 | sed 's/^.*REQUIRED/REQUIRED/'
