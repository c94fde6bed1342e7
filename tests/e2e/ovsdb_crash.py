"""Streams transactions to an OVSDB server, one at a time, printing the
sequence number of each one the server acknowledged (flushed per line), until
the connection breaks. Each inserts a QoS row (a root table) tagged seq=N."""
import json
import socket
import sys

s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
buf = b""
dec = json.JSONDecoder()
for seq in range(int(sys.argv[2]), int(sys.argv[2]) + 1000000):
    req = {"method": "transact", "id": seq,
           "params": ["Open_vSwitch", {"op": "insert", "table": "QoS",
                                       "row": {"type": "linux-htb",
                                               "external_ids": ["map", [["seq", str(seq)]]]}}]}
    try:
        s.sendall(json.dumps(req).encode())
        while True:
            try:
                msg, end = dec.raw_decode(buf.decode())
                buf = buf[len(buf.decode()[:end].encode()):].lstrip()
                break
            except ValueError:
                chunk = s.recv(65536)
                if not chunk:
                    sys.exit(0)
                buf += chunk
    except OSError:
        sys.exit(0)
    if msg.get("id") == seq and msg.get("error") is None and "error" not in msg["result"][0]:
        print(seq, flush=True)
