# expr: arithmetic, comparisons, string operations, exit status.
expr 3 + 4
expr 10 - 2 \* 3
expr \( 10 - 2 \) \* 3
expr 17 / 5
expr 17 % 5
expr -5 + 2
expr 5 \> 3
expr 5 \< 3
expr abc = abc
expr abc != abd
expr length "hello world"
expr substr "hello world" 7 5
expr index "hello" l
expr match "version-1.35" 'version-\([0-9]*\)'
expr "abc123" : '[a-z]*'
expr "" \| fallback
expr 0 \& 1
echo "status of zero result: $?"
expr 1 / 0 2>/dev/null
echo "division by zero status: $?"
i=0
while [ "$(expr $i \< 5)" = 1 ]; do i=$(expr $i + 1); done
echo "counted to $i"
