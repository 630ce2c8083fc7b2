"""Python 3 sockets send bytes, not str: the seeds' Python 2 line fails."""
import socket

a, b = socket.socketpair()
try:
    a.send("HTTP/1.1 200 OK\r\n\r\n")
except TypeError as error:
    print("send(str):  ", error)
a.send("HTTP/1.1 200 OK\r\n\r\n".encode("ascii"))
print("send(bytes):", b.recv(100))
