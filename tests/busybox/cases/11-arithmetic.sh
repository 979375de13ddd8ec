# Arithmetic expansion: operators, precedence, bases, assignments.
echo $((1 + 2 * 3)) $(((1 + 2) * 3)) $((7 / 2)) $((7 % 3)) $((-7 / 2)) $((-7 % 3))
echo $((2 << 4)) $((256 >> 3)) $((6 & 3)) $((6 | 3)) $((6 ^ 3)) $((~0))
echo $((3 > 2)) $((3 < 2)) $((3 == 3)) $((3 != 3)) $((!0)) $((1 && 0)) $((1 || 0))
echo $((0x1f)) $((010)) $((2#1011)) $((36#zz))
echo $((5 > 3 ? 10 : 20))
a=5
echo $((a += 3)) $((a -= 1)) $((a *= 2)) $((a /= 7)) $((a %= 2))
i=0
echo $((i++)) $((i++)) $((++i)) $((i--)) $i
b=3 c=4
echo "hypot^2: $((b * b + c * c))"
echo "64-bit: $((1 << 62)) $((9223372036854775807 + 1))"
echo "nested: $(( $((2 + 3)) * $(echo 4) ))"
n=10 total=0
while [ $n -gt 0 ]; do total=$((total + n * n)); n=$((n - 1)); done
echo "sum of squares: $total"
echo "unset is zero: $((unset_var + 1))"
