#!/usr/bin/python3
"""NumPy reference of the physics engine's Monte-Carlo ensemble kernel (src/physics/ensemble.cpp).

The same model, written plainly: a roller (needle slots on a drum) covers a convex zone with lanes, pass after
pass; every lane has a random lateral offset (per pass), hand jitter and drum phase; a needle touches down every
drum revolution; each puncture gets a depth from the triangular η distribution (depth.hpp), is classified by
layer, and is binned on a square grid. Statistics per member: mean density over the zone's cells, coefficient of
variation, layer shares.

Fair opponent: all punctures of a pass (every lane × revolution × needle) are computed as arrays at once;
Python loops run only over members and passes. Float32 positions and one uint32 random word per puncture, like
the C++ kernel. Random streams differ from the C++ ones, so results agree statistically, not bit for bit.

Run with Debian's python3-numpy: /usr/bin/python3 bench/reference/ensemble_reference.py --members 64
"""

import argparse
import json
import math
import time

import numpy as np

TWO_PI = 2.0 * math.pi
ETA_FLOOR, ETA_CEILING, ETA_HALF = 0.20, 0.77, 0.10  # FACTS §5 bracket; depth.hpp


def depth_threshold(eta_mean, length_mm, boundary_mm):
    """s = lo16 + hi16 of the random word; the puncture is deeper than the boundary when s > threshold."""
    t = boundary_mm / length_mm
    if t < ETA_FLOOR:
        return -1
    if t >= ETA_CEILING:
        return 131070
    return int(min(max(math.floor(65536.0 * ((t - eta_mean) / ETA_HALF + 1.0)), -1), 131070))


def strip_extents(poly_u, poly_v, v_lo, v_hi):
    """u-extent of a convex polygon inside each strip v in [v_lo[k], v_hi[k]], vectorised over strips.

    Candidates: polygon vertices inside the strip, and crossings of each edge with the two strip lines.
    Returns (u_min, u_max, ok) arrays; ok is False where the strip misses the polygon.
    """
    a_u, a_v = poly_u, poly_v
    b_u, b_v = np.roll(poly_u, -1), np.roll(poly_v, -1)
    lo, hi = v_lo[:, None], v_hi[:, None]
    cand = [np.where((a_v >= lo) & (a_v <= hi), a_u, np.nan)]
    dv = b_v - a_v
    with np.errstate(divide="ignore", invalid="ignore"):
        for line in (lo, hi):
            t = (line - a_v) / dv
            hit = (t >= 0.0) & (t <= 1.0) & (dv != 0.0)
            cand.append(np.where(hit, a_u + t * (b_u - a_u), np.nan))
    c = np.concatenate(cand, axis=1)
    ok = np.isfinite(c).any(axis=1)
    u_min = np.where(ok, np.nanmin(np.where(ok[:, None], c, 0.0), axis=1), 0.0)
    u_max = np.where(ok, np.nanmax(np.where(ok[:, None], c, 0.0), axis=1), 0.0)
    ok &= u_max > u_min
    return u_min, u_max, ok


def run_member(rng, cfg, counts):
    """One session; adds into counts (flat grid + 1 dummy cell); returns (punctures, deeper-than counts)."""
    theta, axial = cfg["theta"], cfg["axial"]
    r, w, step = cfg["radius"], cfg["width"], cfg["step"]
    nx, ny, inv_cell = cfg["nx"], cfg["ny"], cfg["inv_cell"]
    x0, y0 = cfg["x0"], cfg["y0"]
    te, tp, td = cfg["thresholds"]
    deeper = np.zeros(3, dtype=np.int64)
    punctures = 0
    for alpha in cfg["directions"]:
        cu, su = math.cos(alpha), math.sin(alpha)
        pu = cfg["zone_x"] * cu + cfg["zone_y"] * su
        pv = -cfg["zone_x"] * su + cfg["zone_y"] * cu
        v_min, v_max = pv.min(), pv.max()
        for _ in range(cfg["passes"]):
            offset = rng.random() * step
            n_lanes = int(math.ceil((v_max + w / 2 - (v_min - w / 2 + offset)) / step))
            v_c = v_min - w / 2 + offset + step * np.arange(n_lanes)
            v_c = v_c[v_c - w / 2 < v_max]
            v_c = v_c + cfg["jitter"] * (rng.random((v_c.size, 4)).sum(axis=1) - 2.0) * math.sqrt(3.0)
            u0, u1, ok = strip_extents(pu, pv, v_c - w / 2, v_c + w / 2)
            v_c, u0, u1 = v_c[ok], u0[ok], u1[ok]
            phase = rng.random(v_c.size) * TWO_PI
            lane_psi = ((u1 - u0) / r).astype(np.float32)
            n_rev = int(math.ceil(lane_psi.max() / TWO_PI))
            # (lane, revolution, needle): every puncture of the pass at once.
            psi0 = np.mod(theta[None, :] - phase[:, None].astype(np.float32), np.float32(TWO_PI))
            psi = psi0[:, None, :] + (TWO_PI * np.arange(n_rev, dtype=np.float32))[None, :, None]
            valid = psi < lane_psi[:, None, None]
            u = u0[:, None, None].astype(np.float32) + np.float32(r) * psi
            v = (v_c[:, None].astype(np.float32) + axial[None, :])[:, None, :]
            fx = (u * np.float32(cu) - v * np.float32(su) - np.float32(x0)) * np.float32(inv_cell)
            fy = (u * np.float32(su) + v * np.float32(cu) - np.float32(y0)) * np.float32(inv_cell)
            inside = valid & (fx >= 0) & (fy >= 0) & (fx < nx) & (fy < ny)
            idx = np.where(inside, fy.astype(np.int32) * nx + fx.astype(np.int32), nx * ny)
            counts += np.bincount(idx.ravel(), minlength=nx * ny + 1).astype(counts.dtype)
            word = rng.integers(0, 2**32, size=psi.shape, dtype=np.uint32)
            s = (word & 0xFFFF).astype(np.int32) + (word >> 16).astype(np.int32)
            punctures += int(np.count_nonzero(valid))
            deeper = deeper + np.array([np.count_nonzero(valid & (s > te)), np.count_nonzero(valid & (s > tp)),
                                        np.count_nonzero(valid & (s > td))], dtype=np.int64)
    return punctures, deeper


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=64)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--zone-mm", default="150x200", help="rectangle WxH in mm (a full face: 150x200 = 300 cm²)")
    ap.add_argument("--passes", type=int, default=5, help="passes per direction (horizontal, vertical, diagonal)")
    ap.add_argument("--overlap", type=float, default=1.0 - 229.18 / 250.0)
    ap.add_argument("--jitter-mm", type=float, default=0.5)
    ap.add_argument("--length-mm", type=float, default=0.5)
    ap.add_argument("--pressure", type=float, default=0.5)
    ap.add_argument("--cell-mm", type=float, default=2.0)
    args = ap.parse_args()

    # The standard roller (data/devices/roller-192.toml) and the cheek (data/skin/regions.toml).
    rings, per_ring, radius, width = 8, 24, 10.0, 20.0
    ring_pitch = width / rings
    theta = np.tile(TWO_PI * np.arange(per_ring) / per_ring, rings).astype(np.float32)
    axial = np.repeat(-width / 2 + (np.arange(rings) + 0.5) * ring_pitch, per_ring).astype(np.float32)
    epi, dermis, papillary_fraction = 0.100, 0.87, 0.2
    eta_mean = 0.20 + 0.40 * args.pressure
    zw, zh = (float(t) for t in args.zone_mm.lower().split("x"))
    nx, ny = int(math.ceil(zw / args.cell_mm)), int(math.ceil(zh / args.cell_mm))
    cfg = {
        "theta": theta, "axial": axial, "radius": radius, "width": width,
        "step": width * (1.0 - args.overlap), "jitter": args.jitter_mm, "passes": args.passes,
        "directions": [0.0, math.pi / 2, math.pi / 4],
        "zone_x": np.array([0.0, zw, zw, 0.0]), "zone_y": np.array([0.0, 0.0, zh, zh]),
        "nx": nx, "ny": ny, "inv_cell": 1.0 / args.cell_mm, "x0": 0.0, "y0": 0.0,
        "thresholds": (depth_threshold(eta_mean, args.length_mm, epi),
                       depth_threshold(eta_mean, args.length_mm, epi + papillary_fraction * dermis),
                       depth_threshold(eta_mean, args.length_mm, epi + dermis)),
    }
    rng = np.random.default_rng(args.seed)
    counts = np.zeros(nx * ny + 1, dtype=np.int64)
    cell_area_cm2 = args.cell_mm ** 2 / 100.0
    means, cvs = [], []
    total, deeper_total = 0, np.zeros(3, dtype=np.int64)
    start = time.perf_counter()
    for _ in range(args.members):
        counts[:] = 0
        n, deeper = run_member(rng, cfg, counts)
        total += n
        deeper_total += deeper
        grid = counts[: nx * ny]  # every cell centre of a rectangle zone lies inside it
        means.append(grid.mean() / cell_area_cm2)
        cvs.append(grid.std() / grid.mean())
    elapsed = time.perf_counter() - start
    e, p, d = (int(x) for x in deeper_total)
    print(json.dumps({
        "members": args.members,
        "punctures": total,
        "seconds": elapsed,
        "punctures_per_second": total / elapsed,
        "mean_per_cm2": float(np.mean(means)),
        "coefficient_of_variation": float(np.mean(cvs)),
        "layers": {"epidermis": (total - e) / total, "papillary_dermis": (e - p) / total,
                   "reticular_dermis": (p - d) / total, "beyond_dermis": d / total},
    }, indent=2))


if __name__ == "__main__":
    main()
