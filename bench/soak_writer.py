#!/usr/bin/env python3
"""The writes of bench/soak.sh: one signed-in user's approvals and decisions, at a
steady rate, for a fixed time, over one keep-alive connection.

Each cycle is one of, in turn:
  - approve: GET /orders?status=pending_review (a list), POST /orders/<id>/approve
    for the first order on it without a hold (a held order's approval is refused
    with 409; the minutely imports keep the queue filled);
  - hold: POST /orders/<id>/holds (kind=manual) on an order of the pool, GET the
    order page, POST the release of the hold just placed (the newest on the page:
    /orders/<id>/holds/<hold>/release).
Every request is logged as "epoch_seconds<TAB>name<TAB>status<TAB>latency_ms" to OUT.
A 303 is the expected answer of every POST (the redirect to the order page); 409 is a
decision refused (e.g. an order approved by someone else in between), counted apart.

usage: soak_writer.py URL TOKEN CSRF ORDER_IDS_FILE SECONDS RATE OUT
"""

import http.client
import random
import re
import sys
import time
import urllib.parse


def main():
    url, token, csrf, ids_file, seconds, rate, out_path = sys.argv[1:8]
    parsed = urllib.parse.urlsplit(url)
    pool = [int(line) for line in open(ids_file) if line.strip()]
    if not pool:
        sys.exit("soak_writer: no orders in the pool")
    interval = 1.0 / float(rate)
    deadline = time.time() + float(seconds)
    headers = {"Cookie": f"yy_session={token}", "Origin": url}
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    out = open(out_path, "w", buffering=1)

    def request(name, method, path, fields=None):
        nonlocal conn
        body = None
        h = dict(headers)
        if fields is not None:
            body = urllib.parse.urlencode([("csrf_token", csrf)] + fields)
            h["Content-Type"] = "application/x-www-form-urlencoded"
        t0 = time.time()
        try:
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            status, text = resp.status, resp.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as e:
            status, text = 0, str(e)
            conn.close()
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        out.write(f"{t0:.3f}\t{name}\t{status}\t{(time.time() - t0) * 1000:.2f}\n")
        return status, text

    def approve():
        status, page = request("list-pending", "GET", "/orders?status=pending_review")
        # The list's rows; a held order shows its holds as tags (tag-warn).
        rows = page.split("<tr")[1:] if status == 200 else []
        ids = [m.group(1) for row in rows if "tag-warn" not in row for m in [re.search(r'href="/orders/(\d+)"', row)] if m]
        if ids:
            request("approve", "POST", f"/orders/{ids[0]}/approve", [])

    def hold():
        order = random.choice(pool)
        status, _ = request("hold", "POST", f"/orders/{order}/holds", [("kind", "manual"), ("reason", "soak")])
        if status != 303:
            return
        status, page = request("order-page", "GET", f"/orders/{order}")
        holds = [int(h) for h in re.findall(rf"/orders/{order}/holds/(\d+)/release", page)]
        if holds:
            request("release", "POST", f"/orders/{order}/holds/{max(holds)}/release", [("note", "soak")])

    n = 0
    next_at = time.time()
    while time.time() < deadline:
        (approve if n % 2 == 0 else hold)()
        n += 1
        next_at += interval
        pause = next_at - time.time()
        if pause > 0:
            time.sleep(pause)
    out.close()


if __name__ == "__main__":
    main()
