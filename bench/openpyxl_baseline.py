"""The script a district IT officer would write in an afternoon: for each
workbook of a folder, read the inputs through the form's defined names, add
them up, and save a copy with a result sheet. chiso's per-workbook speed is
quoted against it. Run with Debian's python3-openpyxl:

    /usr/bin/python3 bench/openpyxl_baseline.py INBOX OUT [N_PROCESSES]
"""
import os
import sys
import time
from multiprocessing import Pool

import openpyxl


def one(args):
    src, dst = args
    try:
        wb = openpyxl.load_workbook(src)
    except Exception:
        return False
    total = 0.0
    for dn in wb.defined_names.definedName if hasattr(wb.defined_names, "definedName") else wb.defined_names.values():
        if not (dn.name.startswith("v_") or dn.name.startswith("tu_cham_")):
            continue
        for sheet, ref in dn.destinations:
            try:
                v = wb[sheet][ref.replace("$", "")].value
            except Exception:
                continue
            if isinstance(v, (int, float)):
                total += v
    ws = wb.create_sheet("Kết quả", 0)
    ws["A1"] = "Tổng"
    ws["B1"] = total
    wb.save(dst)
    return True


def main():
    src, out = sys.argv[1], sys.argv[2]
    procs = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    os.makedirs(out, exist_ok=True)
    jobs = [(os.path.join(src, n), os.path.join(out, n)) for n in sorted(os.listdir(src)) if n.endswith(".xlsx")]
    start = time.time()
    with Pool(procs) as p:
        ok = sum(p.map(one, jobs))
    took = time.time() - start
    print("openpyxl read+sum+save: %d workbooks in %.2f s (%.1f ms per workbook, %d processes)" % (ok, took, 1000 * took / max(ok, 1), procs))


if __name__ == "__main__":
    main()
