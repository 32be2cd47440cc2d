"""Raw TTFT probe: one keep-alive connection, one streamed request at a time, stamped around the socket calls."""
import json, socket, statistics, sys, time
port, count, gap = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
body = json.dumps({"model": "sim", "prompt": list(range(64)), "max_tokens": 8, "stream": True}).encode()
head = (f"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n").encode()
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
ttfts = []
for i in range(count):
    buf = b""
    t0 = time.perf_counter_ns()
    s.sendall(head + body)
    first = None
    while not buf.endswith(b"0\r\n\r\n"):
        data = s.recv(65536)
        if not data: sys.exit("closed")
        if first is None and b"data:" in data:
            first = time.perf_counter_ns()
        buf += data
    ttfts.append((first - t0) / 1e6)
    time.sleep(gap)
import os
if os.environ.get("PROBE_ALL"): print(" ".join(f"{x:.1f}" for x in ttfts))
ttfts.sort()
print(f"probe: {len(ttfts)} requests, TTFT median {statistics.median(ttfts):.3f} ms, p10 {ttfts[len(ttfts)//10]:.3f}, p90 {ttfts[len(ttfts)*9//10]:.3f}")
