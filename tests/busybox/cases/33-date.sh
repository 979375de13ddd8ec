# date with fixed times only (-d @SECONDS and explicit dates), TZ=UTC.
date -u -d @0
date -u -d @0 '+%Y-%m-%d %H:%M:%S'
date -u -d @1234567890 '+%F %T %a %A %b %B %j %u %w'
date -u -d @1000000000 '+%s %e %I %p %y %C %D'
date -d @86399 '+%H:%M:%S %Z'
date -u -d @951782400 '+%d.%m.%Y day %j'
date -u -d '2000-02-29 12:34:56' '+%s'
date -u -d '1999-12-31 23:59:59' '+%s %A'
date -u -d @2147483648 '+%Y-%m-%dT%H:%M:%S'
date -u -d @-86400 '+%Y-%m-%d'
date -u -R -d @0
date -u -d @0 '+%%literal %n%tnext line'
# the current time is not deterministic, only its shape
date -u '+%Y' | grep -qE '^[0-9]{4}$' && echo "the current year has four digits"
