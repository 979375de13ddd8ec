# echo and printf: escapes, field widths, number formats, argument reuse.
echo plain words   separated
echo -n "no newline"; echo " <- joined"
echo -e 'tab:\there' 'octal:\0101'
printf '%s|%5s|%-5s|\n' a b c
printf '%d %i %5d %-5d| %05d\n' 42 -7 3 4 5
printf '%x %X %o %#x %#o\n' 255 255 8 255 8
printf '%.2f %8.3f %e\n' 3.14159 2.5 12345.678
printf '%c%c%c\n' A B C
printf '%b\n' 'escaped\ttab' 'line\\nbreak'
printf '%s=%s\n' one 1 two 2 three
printf '%%d literal percent\n'
printf '%s\n' "$(printf '%03d' 7)"
