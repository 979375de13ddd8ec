# mkdir -p, cp -r, mv, ln -s, rm -r, touch, readlink; tree listed after each.
show() { echo "-- $1"; find . | sort | sed 1d; }
mkdir -p a/b/c a/d
printf 'content\n' > a/b/c/file
printf 'other\n' > a/d/x
show "mkdir -p"
mkdir a 2>/dev/null || echo "mkdir of an existing dir fails"
mkdir -p a/b && echo "mkdir -p of an existing dir succeeds"
cp -r a copy
show "cp -r"
cp a/d/x a/d/y
cp -p a/d/x a/d/z
mv a/d/y a/b/moved
mv copy renamed
show "mv"
ln -s b/c/file a/link
ln -s ../renamed a/dirlink
ln a/d/x a/d/hard
readlink a/link
cat a/link
ls a/dirlink/ | sort
[ -L a/link ] && echo "a/link is a symlink"
[ a/d/x -ef a/d/hard ] && echo "hard link is the same file"
stat -c '%h' a/d/x
show "ln"
rm a/d/hard a/link
rm -r renamed
rm -f does-not-exist && echo "rm -f of a missing file succeeds"
rm does-not-exist 2>/dev/null || echo "rm of a missing file fails"
rmdir a/d 2>/dev/null || echo "rmdir of a non-empty dir fails"
show "rm"
touch new1 new2
mkdir -p 'with space/inner'
mv new1 'with space/inner/'
cp new2 'with space'
show "names with spaces"
rm -rf a 'with space' new2
show "rm -rf"
echo "remaining: $(ls -A | wc -l)"
