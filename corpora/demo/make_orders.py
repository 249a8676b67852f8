"""Generate the demo purchase history ``orders.csv`` (seeded; reproduces the committed file byte for byte).

    python corpora/demo/make_orders.py            # rewrites corpora/demo/orders.csv

It reads ``tickets.csv`` next to it for the ticket customers and their first ticket date, and adds ~300
customers who never wrote a ticket. Only the standard library is used (``random.Random``) so the output does
not depend on numpy's generator versions. The story the demo tells: customers who complained repeatedly are
more likely to have stopped buying around the time of their complaints — more likely, not always.
"""

from __future__ import annotations

import csv
import math
import random
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261031
START = datetime(2025, 5, 1)
END = datetime(2026, 10, 31, 23, 59, 59)
N_ORDER_ONLY = 300

# Ticket customers who never ordered (their tickets are pre-sales enquiries).
PROSPECTS = {
    "C10535", "C11296", "C11768", "C12598", "C12993", "C13745", "C13750", "C13927", "C14433", "C15893",
    "C16194", "C17784", "C19229", "C19393", "C19615",
}
# Ticket customers whose tickets are mostly complaints (>= 2 complaints, complaints outnumber the rest),
# read off the hand-written texts when the corpus was made. Not written into the CSV on purpose: the toolkit
# has to find them from the texts.
UNHAPPY = {
    "C10576", "C10670", "C10688", "C10840", "C11188", "C11193", "C11233", "C11380", "C11738", "C11897",
    "C11917", "C11963", "C12172", "C12501", "C13042", "C13200", "C13283", "C13420", "C13609", "C13624",
    "C13913", "C13964", "C14049", "C14075", "C14125", "C14710", "C14845", "C15010", "C15166", "C15433",
    "C15833", "C15958", "C16027", "C16119", "C16155", "C16181", "C16350", "C16467", "C16662", "C16799",
    "C16938", "C17108", "C17455", "C17797", "C18017", "C18226", "C18398", "C18406", "C18797", "C19006",
    "C19056", "C19063",
}

# Buying rhythms: (name, weight, mean days between orders or None for one purchase).
RHYTHMS = [("once", 0.38, None), ("quarterly", 0.25, 90.0), ("monthly", 0.20, 30.0), ("fortnightly", 0.10, 14.0),
           ("new", 0.07, 10.0)]


def _tickets() -> dict[str, datetime]:
    """First ticket time per ticket customer."""
    first: dict[str, datetime] = {}
    with open(HERE / "tickets.csv", encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            t = datetime.strptime(row["创建时间"], "%Y-%m-%d %H:%M:%S")
            c = row["客户ID"]
            first[c] = min(first.get(c, t), t)
    return first


def _uniform_time(rng: random.Random, lo: datetime, hi: datetime) -> datetime:
    t = lo + timedelta(seconds=rng.random() * max((hi - lo).total_seconds(), 0.0))
    # shopping peaks in the evening
    hour = rng.choices(range(24), [1, 1, 0.5, 0.3, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4, 4, 4.5, 4, 4, 4, 4, 4.5, 5,
                                   6, 7, 7.5, 6, 3])[0]
    return t.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))


def _orders_for(rng: random.Random, cust: str, first_ticket: datetime | None) -> list[tuple[datetime, float, bool]]:
    unhappy = cust in UNHAPPY
    name, _, interval = rng.choices(RHYTHMS, [w for _, w, _ in RHYTHMS])[0]
    if name == "new" and first_ticket is None:
        begin = _uniform_time(rng, END - timedelta(days=30), END - timedelta(days=1))
    else:
        if name == "new":  # a ticket customer cannot be brand new after writing months ago
            interval = 30.0
        begin = _uniform_time(rng, START, END - timedelta(days=20))
    if first_ticket is not None and begin >= first_ticket:
        # a customer writing about an order has bought before writing
        begin = _uniform_time(rng, max(START, first_ticket - timedelta(days=120)), first_ticket - timedelta(days=2))

    # When (if ever) the customer stops buying.
    stop = END
    if unhappy and first_ticket is not None and rng.random() < 0.65:
        stop = first_ticket + timedelta(days=rng.uniform(-10, 30))
    elif rng.random() < (0.22 if first_ticket is not None else 0.28):
        stop = _uniform_time(rng, begin, END)

    level = math.exp(rng.gauss(math.log(170.0), 0.75))  # the customer's typical basket
    refund_p = 0.12 if unhappy else 0.035
    out = []
    t = begin
    while t <= min(stop, END) or not out:
        amount = min(max(level * math.exp(rng.gauss(0.0, 0.45)), 20.0), 3000.0)
        out.append((t, round(amount, 2), rng.random() < refund_p))
        if interval is None:
            break
        t = t + timedelta(days=max(1.0, rng.gammavariate(2.0, interval / 2.0)), seconds=rng.randrange(-36000, 36000))
    return out


def main() -> Path:
    rng = random.Random(SEED)
    first = _tickets()
    ticket_customers = sorted(first)
    taken = set(ticket_customers)
    pool = [f"C{i}" for i in range(10001, 20000) if f"C{i}" not in taken]
    order_only = sorted(rng.sample(pool, N_ORDER_ONLY))

    orders = []
    for cust in ticket_customers + order_only:
        if cust in PROSPECTS:
            continue
        for t, amount, refunded in _orders_for(rng, cust, first.get(cust)):
            orders.append((t, cust, amount, refunded))
    orders.sort(key=lambda o: (o[0], o[1]))

    per_day: Counter[str] = Counter()
    path = HERE / "orders.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["订单号", "客户ID", "下单时间", "实付金额", "是否退款"])
        for t, cust, amount, refunded in orders:
            day = t.strftime("%Y%m%d")
            per_day[day] += 1
            w.writerow([f"DD{day}{per_day[day]:04d}", cust, t.strftime("%Y-%m-%d %H:%M:%S"), f"{amount:.2f}",
                        "是" if refunded else "否"])
    return path


if __name__ == "__main__":
    print(main())
