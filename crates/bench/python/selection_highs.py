"""HiGHS on a Convene selection instance, for `convene-bench selection`.

Usage: selection_highs.py INSTANCE.json

The same 0/1 model as `convene_domain::selection`: maximise the sum of score * x subject to
the sum of cost * x at most the budget, the sum of x at most the places, for each
at-most-in-region rule the region's sum of x at most its limit, for each at-least-in-theme
rule the theme's sum of x at least its minimum; x binary. Solved to proven optimality
(mip_rel_gap 0) on one thread with output off. Building the model is not timed; solve_s is
the wall time around run() (run_time_s is HiGHS's own getRunTime(), for comparison).
Prints one JSON line: {"solve_s", "run_time_s", "status", "objective", "chosen"}, where
objective is HiGHS's objective rounded to an integer and chosen the indices with x = 1.
"""

import json
import sys
import time

import highspy
import numpy as np


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def rows(inst):
    """Each limit as (lower, upper, member indices, coefficients)."""
    cands = inst["candidates"]
    everyone = list(range(len(cands)))
    out = [
        (-highspy.kHighsInf, float(inst["budget"]), everyone, [float(c["cost"]) for c in cands]),
        (-highspy.kHighsInf, float(inst["places"]), everyone, [1.0] * len(cands)),
    ]
    for rule in inst["rules"]:
        if "at_most_in_region" in rule:
            r = rule["at_most_in_region"]
            members = [i for i, c in enumerate(cands) if c["region"] == r["region"]]
            out.append((-highspy.kHighsInf, float(r["most"]), members, [1.0] * len(members)))
        else:
            r = rule["at_least_in_theme"]
            members = [i for i, c in enumerate(cands) if c["theme"] == r["theme"]]
            out.append((float(r["least"]), highspy.kHighsInf, members, [1.0] * len(members)))
    return out


def build(inst):
    n = len(inst["candidates"])
    limits = rows(inst)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(limits)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.col_cost_ = np.array([float(c["score"]) for c in inst["candidates"]])
    lp.col_lower_ = np.zeros(n)
    lp.col_upper_ = np.ones(n)
    lp.row_lower_ = np.array([lo for lo, _, _, _ in limits])
    lp.row_upper_ = np.array([hi for _, hi, _, _ in limits])
    starts, index, value = [0], [], []
    for _, _, members, coefficients in limits:
        index.extend(members)
        value.extend(coefficients)
        starts.append(len(index))
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = len(limits)
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * n
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.passModel(lp)
    return h


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: selection_highs.py INSTANCE.json")
    h = build(load(sys.argv[1]))
    started = time.perf_counter()
    h.run()
    solve_s = time.perf_counter() - started
    status = h.getModelStatus()
    optimal = status == highspy.HighsModelStatus.kOptimal
    chosen = [i for i, x in enumerate(h.getSolution().col_value) if x > 0.5] if optimal else []
    print(json.dumps({
        "solve_s": solve_s,
        "run_time_s": h.getRunTime(),
        "status": h.modelStatusToString(status),
        "objective": round(h.getInfo().objective_function_value) if optimal else None,
        "chosen": chosen,
    }))


if __name__ == "__main__":
    main()
