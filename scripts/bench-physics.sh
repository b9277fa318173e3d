#!/usr/bin/env bash
# Side-by-side benchmark of the physics engine: Google Benchmark kernels (C++, Release) and the NumPy reference
# (bench/reference/ensemble_reference.py) on the same inputs: the standard 192-needle roller, 0.5 mm, on a full
# face (150 × 200 mm = 300 cm²), 15 passes with 8.4 % lane overlap (250 punctures/cm²), 0.5 mm hand jitter,
# 2 mm grid, 64 ensemble members. Prints the figures docs/performance.md records.
#
# Usage: scripts/bench-physics.sh [build-dir]   (default build/phys-rel; configured here if missing)
# Env:   MIN_TIME (Google Benchmark seconds per benchmark, default 2), REPS (repetitions, default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/phys-rel}
min_time=${MIN_TIME:-2}
reps=${REPS:-3}
py=/usr/bin/python3  # Debian's python3-numpy; the python3 first on PATH may lack numpy

if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE="-O3 -DNDEBUG -march=x86-64-v2" -DNEEDLEWORK_PHYSICS_ONLY=ON >/dev/null
fi
cmake --build "$build" -j2 --target physics_bench physics_session_timing >/dev/null

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load: $(cut -d' ' -f1-3 /proc/loadavg)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$build/bench/physics_bench" --benchmark_min_time="$min_time" --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$out" 2>/dev/null
# The session again with one thread (no pipelined re-hit search), for comparison.
seq=$(mktemp)
trap 'rm -f "$out" "$seq"' EXIT
OMP_NUM_THREADS=1 "$build/bench/physics_bench" --benchmark_filter=BM_FullFaceSession --benchmark_min_time="$min_time" \
  --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true --benchmark_format=json >"$seq" 2>/dev/null
ref=$("$py" bench/reference/ensemble_reference.py --members 64)
# The session as a distribution over 400 runs (minimum = the code with the cores to itself).
dist2=$("$build/bench/physics_session_timing" 400)
dist1=$(OMP_NUM_THREADS=1 "$build/bench/physics_session_timing" 400)

"$py" - "$out" "$ref" "$seq" "$dist2" "$dist1" <<'PY'
import json, sys
bench = json.load(open(sys.argv[1]))
ref = json.loads(sys.argv[2])
dist2, dist1 = json.loads(sys.argv[4]), json.loads(sys.argv[5])
seq_rows = json.load(open(sys.argv[3]))["benchmarks"]
seq_face = next(b for b in seq_rows if b.get("aggregate_name", "median") == "median")["real_time"]
seq_min = min(b["real_time"] for b in seq_rows if b.get("run_type") == "iteration") if any(b.get("run_type") == "iteration" for b in seq_rows) else next((b["real_time"] for b in seq_rows if b.get("aggregate_name") == "min"), seq_face)
face_min = next((b["real_time"] for b in bench["benchmarks"] if b["run_name"] == "BM_FullFaceSession" and b.get("aggregate_name") == "min"), None)
# Median of the repetitions.
rows = {b["run_name"]: b for b in bench["benchmarks"] if b.get("aggregate_name") == "median"}
if not rows:  # a single repetition has no aggregates
    rows = {b["run_name"]: b for b in bench["benchmarks"]}
def rate(name): return rows[name]["items_per_second"] / 1e6
def ms(name): return rows[name]["real_time"] if rows[name]["time_unit"] == "ms" else rows[name]["real_time"] / 1e6
e1, e2 = rate("BM_Ensemble/threads:1/real_time"), rate("BM_Ensemble/threads:2/real_time")
b1, b2 = rate("BM_BareBinning/threads:1/real_time"), rate("BM_BareBinning/threads:2/real_time")
face = ms("BM_FullFaceSession")
strokes, rehits = ms("BM_FullFaceStrokesOnly"), ms("BM_FullFaceRehitsOnly")
npy = ref["punctures_per_second"] / 1e6
print(f"{'figure':<52}{'measured':>14}  goal")
print(f"{'ensemble, 2 threads (M punctures/s)':<52}{e2:>14.0f}  >= 200")
print(f"{'ensemble, 1 thread (M punctures/s)':<52}{e1:>14.0f}")
print(f"{'bare binning, 2 threads (M punctures/s)':<52}{b2:>14.0f}")
print(f"{'bare binning, 1 thread (M punctures/s)':<52}{b1:>14.0f}")
print(f"{'ensemble / bare binning, 2 threads':<52}{e2 / b2:>13.0%}  >= 50 %")
print(f"{'ensemble / bare binning, 1 thread':<52}{e1 / b1:>13.0%}")
print(f"{'full-face session, simulated + summarised (ms)':<52}{face:>14.2f}  < 2")
if face_min is not None:
    print(f"{'  best repetition (ms)':<52}{face_min:>14.2f}")
print(f"{'  the same with OMP_NUM_THREADS=1 (ms)':<52}{seq_face:>14.2f}")
print(f"{'    best repetition (ms)':<52}{seq_min:>14.2f}")
print(f"{'  400 sessions, 2 threads: min / p10 / median (ms)':<52}{dist2['min_ms']:>8.2f} / {dist2['p10_ms']:.2f} / {dist2['median_ms']:.2f}")
print(f"{'  400 sessions, 1 thread:  min / p10 / median (ms)':<52}{dist1['min_ms']:>8.2f} / {dist1['p10_ms']:.2f} / {dist1['median_ms']:.2f}")
print(f"{'  strokes alone (ms) / re-hit search alone (ms)':<52}{strokes:>8.2f} / {rehits:.2f}")
print(f"{'NumPy reference, 1 thread (M punctures/s)':<52}{npy:>14.1f}")
print(f"{'C++ ensemble (2 threads) / NumPy':<52}{e2 / npy:>13.0f}x  >= 10x")
print(f"{'C++ ensemble (1 thread) / NumPy':<52}{e1 / npy:>13.0f}x")
print(f"NumPy reference check: mean {ref['mean_per_cm2']:.1f} /cm² (model: 250), CV {ref['coefficient_of_variation']:.3f}")
PY
