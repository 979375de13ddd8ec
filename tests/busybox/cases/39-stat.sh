# stat -c with size, mode, type and name fields of known files.
printf '12345' > five
: > zero
mkdir dir
ln -s five link
mkfifo pipe
chmod 640 five
chmod 4755 zero
chmod 1777 dir
for f in five zero dir link pipe; do
    stat -c '%s %A %a %F %n' "$f"
done
stat -c '%s %A' five
stat -L -c '%s %A %F' link
stat -c '%N' link
stat -c '%h' dir
stat -c '%u:%g %U' five | sed 's/^[0-9]*:[0-9]* .*/owner fields present/'
stat missing 2>/dev/null; echo "missing status $?"
stat -f -c '%n' . | sed 's|^.*|filesystem query works|'
ls -l five zero | cut -c 1-10
