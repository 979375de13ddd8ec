# GNU sort with two worker threads over 200000 lines.
/usr/bin/bash -c 'seq 200000 | sort -R --random-source=/usr/share/common-licenses/GPL-3 | sort -n --parallel=2 -S 8M | sha256sum; seq 200000 | sha256sum'
