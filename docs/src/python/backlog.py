"""Does listen(1) refuse the second client? Ten clients connect to a server
that listens with a backlog of 1 and never calls accept()."""
import socket

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)  # the seeds pass 5, 3 or 1 here
port = server.getsockname()[1]

clients = []
for n in range(1, 11):
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    client.settimeout(2)
    try:
        client.connect(("127.0.0.1", port))
        print(f"client {n}: connected")
    except socket.timeout:
        print(f"client {n}: no answer after 2 s (not refused: still waiting)")
    except ConnectionRefusedError:
        print(f"client {n}: refused")
    clients.append(client)
