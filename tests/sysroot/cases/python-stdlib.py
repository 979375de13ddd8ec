# json, re, hashlib, struct, math and decimal: pure computation whose
# results are the same on every architecture.
import json, re, hashlib, struct, math, decimal
d = {"b": [1, 2.5, None, True], "a": "x\u00e9"}
s = json.dumps(d, sort_keys=True)
print(s)
print(json.loads(s) == d)
print(re.findall(r"(\w+)=(\d+)", "a=1 bb=22 c=x ddd=333"))
print(re.sub(r"(?i)HELLO", "bye", "hello Hello HELLO"))
print(hashlib.sha256(b"kestrel").hexdigest())
print(hashlib.md5(b"kestrel").hexdigest())
print(hashlib.sha1(b"").hexdigest())
print(struct.pack("<IhQd", 1, -2, 2**63, 1.5).hex())
print(struct.unpack(">iH", b"\xff\xff\xff\xfe\x01\x02"))
print(math.sqrt(2), math.pi, math.exp(1), math.log(10), math.sin(1.0))
print(math.factorial(30), math.gcd(12345678, 87654321))
print(math.fsum([0.1] * 10), math.floor(-2.5), math.ceil(2.1), math.hypot(3, 4))
decimal.getcontext().prec = 40
print(decimal.Decimal(1) / decimal.Decimal(7))
print(decimal.Decimal("1.1") + decimal.Decimal("2.2"))
print(decimal.Decimal(2).sqrt())
print(sorted({3: 1, 1: 2, 2: 3}.items()), 2**100, 10 / 3, -7 // 2, 1e300 * 1e10)
print("%.17g %r %s" % (0.1 + 0.2, 1 / 3, float("nan")))
