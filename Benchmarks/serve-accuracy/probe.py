"""Raw TTFT probe for the simulator's fixed timing, from outside Parity's client.

One keep-alive connection to 127.0.0.1:PORT, one streamed completion at a time (64 token IDs, 8 tokens), timed
around its own socket calls: from just before `sendall` to the first `recv` that holds a `data:` line. Run it
alone for its baseline, then alongside a `bench serve` run to see what the server side adds under that load
(docs/serving.md, "Where the excess at 1,000 streams comes from").

    python3 probe.py PORT COUNT GAP_SECONDS      (PROBE_ALL=1 also prints every TTFT in order)
"""
import json
import os
import socket
import statistics
import sys
import time

port, count, gap = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
body = json.dumps({"model": "sim", "prompt": list(range(64)), "max_tokens": 8, "stream": True}).encode()
head = (
    "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    f"Content-Length: {len(body)}\r\n\r\n"
).encode()
connection = socket.create_connection(("127.0.0.1", port))
connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
ttfts = []
for _ in range(count):
    received = b""
    sent = time.perf_counter_ns()
    connection.sendall(head + body)
    first = None
    # The simulator's fixed-timing streams are chunked; the last chunk ends the response.
    while not received.endswith(b"0\r\n\r\n"):
        data = connection.recv(65536)
        if not data:
            sys.exit("the server closed the connection")
        if first is None and b"data:" in data:
            first = time.perf_counter_ns()
        received += data
    ttfts.append((first - sent) / 1e6)
    time.sleep(gap)
if os.environ.get("PROBE_ALL"):
    print(" ".join(f"{x:.1f}" for x in ttfts))
ttfts.sort()
print(
    f"probe: {len(ttfts)} requests, TTFT median {statistics.median(ttfts):.3f} ms, "
    f"p10 {ttfts[len(ttfts) // 10]:.3f}, p90 {ttfts[len(ttfts) * 9 // 10]:.3f}"
)
