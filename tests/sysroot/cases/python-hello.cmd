# The smallest python run.
/usr/bin/python3 -c 'print(1+1)'
