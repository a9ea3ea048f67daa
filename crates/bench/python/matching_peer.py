"""The `matching` package (PyPI matching 1.4.3) on a Convene matching instance, for
`convene-bench matching`.

Usage: matching_peer.py INSTANCE.json

Places are the residents and enablers the hospitals: HospitalResident built with
create_from_dictionaries(resident_prefs, hospital_prefs, capacities), names the indices,
then solve(optimal="resident"). The package needs every hospital to rank exactly the
residents that ranked it, so the instance must give each enabler a complete list of the
places that chose them and no conflicts (Convene's rule for the rest of an enabler's order
and for conflicts has no counterpart there); the script refuses any other instance.

The package's deep copy of the players and its recursive solve need a high recursion
limit and a large stack at 10,000 places, so the game is built and solved in a thread with
a 512 MB stack. Only solve() is timed. Prints one JSON line:
{"solve_s", "enabler_of"}, where enabler_of[place] is the enabler's index or null.
"""

import json
import sys
import threading
import time

from matching.games import HospitalResident


def preferences(inst):
    """The package's three dictionaries, after checking the instance fits the package."""
    places, enablers = inst["places"], inst["enablers"]
    chose = [[] for _ in enablers]
    for p, place in enumerate(places):
        for e in place["ranks"]:
            chose[e].append(p)
    for e, enabler in enumerate(enablers):
        if enabler.get("conflicts") or sorted(enabler["ranks"]) != chose[e]:
            raise ValueError(
                f"enabler {e} must rank every place that chose them, and have no conflicts"
            )
    resident_prefs = {p: place["ranks"] for p, place in enumerate(places)}
    hospital_prefs = {e: enabler["ranks"] for e, enabler in enumerate(enablers)}
    capacities = {e: enabler["capacity"] for e, enabler in enumerate(enablers)}
    return resident_prefs, hospital_prefs, capacities


def work(path, out):
    """Builds the game untimed, times solve(), and reads each place's enabler."""
    try:
        with open(path, encoding="utf-8") as f:
            inst = json.load(f)
        game = HospitalResident.create_from_dictionaries(*preferences(inst))
        started = time.perf_counter()
        matching = game.solve(optimal="resident")
        out["solve_s"] = time.perf_counter() - started
        enabler_of = [None] * len(inst["places"])
        for hospital, residents in matching.items():
            for resident in residents:
                enabler_of[resident.name] = hospital.name
        out["enabler_of"] = enabler_of
    except Exception as e:  # reported by the main thread
        out["error"] = f"{type(e).__name__}: {e}"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: matching_peer.py INSTANCE.json")
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(512 * 1024 * 1024)
    out = {}
    thread = threading.Thread(target=work, args=(sys.argv[1], out))
    thread.start()
    thread.join()
    if "error" in out:
        sys.exit(out["error"])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
