# Sockets over loopback: socketpair, TCP listen/connect/accept on 127.0.0.1
# between a parent and a forked child, UDP datagrams.
import os, socket, sys

# Line by line, so a forked child does not inherit unwritten output.
sys.stdout.reconfigure(line_buffering=True)
a, b = socket.socketpair()
a.sendall(b"ping")
print(b.recv(10))
b.sendall(b"pong")
print(a.recv(10))
a.close(); b.close()
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]
pid = os.fork()
if pid == 0:
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"hello over tcp")
    print("child got", c.recv(100), flush=True)
    c.close()
    os._exit(0)
conn, addr = srv.accept()
print(addr[0], conn.recv(100))
conn.sendall(b"reply")
conn.close()
os.waitpid(pid, 0)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v.sendto(b"datagram", u.getsockname())
data, frm = u.recvfrom(100)
print(data, frm[0])
print(socket.gethostbyname("localhost"))
