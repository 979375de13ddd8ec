# cat: standard input and a file, with non-printing characters shown.
/usr/bin/cat -A -n - /usr/lib/python3.11/json/tool.py
