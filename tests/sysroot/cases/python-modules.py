# Extension modules and the shared libraries behind them, loaded by ld.so
# from the sysroot: ctypes/libffi (callbacks into python), sqlite3, zlib,
# lzma, bz2, pyexpat, _ssl's hashes; mmap of a file; select, poll, epoll;
# tzdata, passwd and mime.types read through the sysroot.
import bz2, ctypes, ctypes.util, datetime, lzma, mimetypes, mmap, os, platform, pwd
import select, sqlite3, ssl, sys, tempfile, uuid, xml.dom.minidom, zlib, zoneinfo

libc = ctypes.CDLL(None)
print("strlen", libc.strlen(b"kestrel"))
cmp = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int))
arr = (ctypes.c_int * 6)(5, 1, 4, 2, 3, 0)
libc.qsort(arr, len(arr), ctypes.sizeof(ctypes.c_int), cmp(lambda a, b: a[0] - b[0]))
print("qsort", list(arr))
print(ctypes.util.find_library("c"), ctypes.sizeof(ctypes.c_long), ctypes.sizeof(ctypes.c_longdouble))

db = sqlite3.connect(":memory:")
db.execute("create table t(x integer, y text)")
db.executemany("insert into t values (?, ?)", [(i, str(i * i)) for i in range(10)])
print(db.execute("select sum(x), group_concat(y) from t").fetchone())

data = b"kestrel " * 1000
print(len(zlib.compress(data)), zlib.crc32(data), lzma.decompress(lzma.compress(data)) == data,
      bz2.decompress(bz2.compress(data)) == data)
print(xml.dom.minidom.parseString("<a><b k='v'>text</b></a>").getElementsByTagName("b")[0].toxml())
print(ssl.OPENSSL_VERSION.split()[0])

with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, "f")
    with open(p, "wb") as f:
        f.write(b"x" * 10000)
    with open(p, "r+b") as f:
        m = mmap.mmap(f.fileno(), 0)
        m[0:5] = b"hello"
        m.flush()
        m.close()
    with open(p, "rb") as f:
        print(f.read(6), os.path.getsize(p))

r, w = os.pipe()
os.write(w, b"x")
poll = select.poll()
poll.register(r, select.POLLIN)
print(poll.poll(100) == [(r, select.POLLIN)])
ep = select.epoll()
ep.register(r, select.EPOLLIN)
print(ep.poll(1) == [(r, select.EPOLLIN)])
print(select.select([r], [], [], 0)[0] == [r])

print(datetime.datetime(2020, 6, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Paris")).utcoffset())
print(pwd.getpwuid(0).pw_name, pwd.getpwnam("nobody").pw_uid)
print(mimetypes.guess_type("x.json")[0])
print(uuid.UUID(bytes=b"\x12" * 16), uuid.uuid4().version)
print(platform.machine(), sys.byteorder, sys.maxsize, sys.implementation._multiarch)
