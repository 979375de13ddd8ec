# tr: ranges, classes, deletion, squeezing, complements.
echo "Hello, World" | tr a-z A-Z
echo "Hello, World" | tr '[:upper:]' '[:lower:]'
echo "Hello, World" | tr -d 'lo'
echo "aaabbbccc   dd" | tr -s 'a-c '
echo "keep only digits: 4a5b6" | tr -cd '0-9\n'
echo "a-b-c" | tr - ' '
echo "rot13 Uryyb" | tr 'A-Za-z' 'N-ZA-Mn-za-m'
printf 'one\ntwo\nthree\n' | tr '\n' ','
echo
echo "tabs	and spaces" | tr '[:space:]' '_'
echo
echo "abc" | tr abc x
printf '\001\002AB' | tr '\001\002' '12'
echo
