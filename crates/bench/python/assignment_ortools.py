"""OR-Tools' min-cost flow on a Convene assignment instance, for `convene-bench assignment`.

Usage: assignment_ortools.py INSTANCE.json

Builds the whole network (every unconflicted member-application pair is an arc; building
is not timed), times only the solve, and prints one JSON line:
{"solve_s", "cost", "flow", "arcs", "status"}.
"""

import json
import sys
import time

import numpy as np
from ortools.graph.python import min_cost_flow

# Members per block when building the pair arcs: bounds the temporary arrays (~10 MB each).
BLOCK = 128


def load(path):
    with open(path, encoding="utf-8") as f:
        inst = json.load(f)
    members, apps = inst["members"], inst["applications"]
    m, n = len(members), len(apps)
    net = {
        "k": int(inst["reviews_per_application"]),
        "m_themes": np.array([x["themes"] for x in members], dtype=np.uint64),
        "m_region": np.array([-1 if x["region"] is None else x["region"] for x in members], dtype=np.int16),
        "cap": np.array([x["load_cap"] for x in members], dtype=np.int64),
        "a_themes": np.array([x["themes"] for x in apps], dtype=np.uint64),
        "a_region": np.array([-1 if x["region"] is None else x["region"] for x in apps], dtype=np.int16),
        # Dense member x application tables: 20 MB each at 2,000 x 10,000.
        "bids": np.zeros((m, n), dtype=np.int64),
        "conflicted": np.zeros((m, n), dtype=bool),
    }
    for b in inst["bids"]:
        i, j = b["member"], b["application"]
        net["bids"][i, j] = max(net["bids"][i, j], b["value"])
    for c in inst["conflicts"]:
        net["conflicted"][c["member"], c["application"]] = True
    return net


def pair_arcs(net):
    """Tails, heads and costs (-affinity) of every unconflicted member -> application arc."""
    m, n = net["bids"].shape
    a_region = net["a_region"][None, :]
    tails, heads, costs = [], [], []
    for lo in range(0, m, BLOCK):
        hi = min(lo + BLOCK, m)
        shared = np.bitwise_count(net["m_themes"][lo:hi, None] & net["a_themes"][None, :])
        m_region = net["m_region"][lo:hi, None]
        same_region = (m_region == a_region) & (m_region >= 0)
        affinity = 10 * shared.astype(np.int64) + 5 * same_region + net["bids"][lo:hi]
        rows, cols = np.nonzero(~net["conflicted"][lo:hi])
        # Nodes: 0 source, 1..m members, m+1..m+n applications, m+n+1 sink.
        tails.append((rows + lo + 1).astype(np.int32))
        heads.append((cols + m + 1).astype(np.int32))
        costs.append(-affinity[rows, cols])
    return np.concatenate(tails), np.concatenate(heads), np.concatenate(costs)


def build(net):
    m, n = net["bids"].shape
    k, source, sink = net["k"], 0, m + n + 1
    p_tails, p_heads, p_costs = pair_arcs(net)
    members = np.arange(1, m + 1, dtype=np.int32)
    apps = np.arange(m + 1, m + n + 1, dtype=np.int32)
    tails = np.concatenate([np.full(m, source, dtype=np.int32), p_tails, apps])
    heads = np.concatenate([members, p_heads, np.full(n, sink, dtype=np.int32)])
    caps = np.concatenate([net["cap"], np.ones(len(p_tails), dtype=np.int64), np.full(n, k, dtype=np.int64)])
    costs = np.concatenate([np.zeros(m, dtype=np.int64), p_costs, np.zeros(n, dtype=np.int64)])
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_nodes_supplies(np.array([source, sink], dtype=np.int32), np.array([k * n, -k * n], dtype=np.int64))
    return smcf, m


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: assignment_ortools.py INSTANCE.json")
    smcf, m = build(load(sys.argv[1]))
    started = time.perf_counter()
    status = smcf.solve()
    solve_s = time.perf_counter() - started
    if status == smcf.INFEASIBLE:
        started = time.perf_counter()
        status = smcf.solve_max_flow_with_min_cost()
        solve_s = time.perf_counter() - started
    # The flow leaving the source: the first m arcs.
    flow = int(smcf.flows(np.arange(m, dtype=np.int32)).sum()) if status == smcf.OPTIMAL else 0
    print(json.dumps({
        "solve_s": solve_s,
        "cost": int(smcf.optimal_cost()) if status == smcf.OPTIMAL else None,
        "flow": flow,
        "arcs": int(smcf.num_arcs()),
        "status": str(status).split(".")[-1],
    }))


if __name__ == "__main__":
    main()
