// The Simulator page's own logic (tests/unit/sim-logic.test.ts): the colour scale the heatmaps share, the
// depth-by-layer bars and the resealing curves, all drawn from what POST /api/v1/simulate answered. No physics
// is computed here: the curve is the answer's own Weibull (`scale_h`, `shape`; docs/physics.md, "Resealing").

/**
 * The viridis stops of the server's heatmap (src/physics/render.cpp, `colour`): the legend drawn here must read
 * the same colours as the PNG it explains.
 */
const stops: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** The colour of a share `t` (0–1, clamped) of the scale, as the server's PNG draws it. */
export function colourAt(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * 4;
  const i = Math.min(Math.floor(x), 3);
  const f = x - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + f * (b[c]! - a[c]!))) as [number, number, number];
}

/**
 * The top of the colour scale for heatmaps shown side by side: one scale for all, so the same colour means the
 * same density — twice the highest target (the server's own default for one heatmap: docs/physics.md).
 */
export function sharedScaleMax(targetsPerCm2: readonly number[]): number {
  const top = Math.max(0, ...targetsPerCm2.filter((t) => Number.isFinite(t)));
  return top > 0 ? 2 * top : 1;
}

/** `n` evenly spaced ticks of a scale from 0 to `max`, rounded for reading (whole numbers from 10 up). */
export function scaleTicks(max: number, n = 5): number[] {
  if (!(max > 0) || n < 2) return [0];
  return Array.from({ length: n }, (_, i) => {
    const v = (max * i) / (n - 1);
    return max >= 10 ? Math.round(v) : Math.round(v * 100) / 100;
  });
}

export interface LayerBar {
  key: 'epidermis' | 'papillary_dermis' | 'reticular_dermis' | 'beyond_dermis';
  label: string;
  share: number;
  /** Rounded percent, for the label. */
  percent: number;
}

const layerNames: readonly [LayerBar['key'], string][] = [
  ['epidermis', 'Epidermis'],
  ['papillary_dermis', 'Papillary dermis'],
  ['reticular_dermis', 'Reticular dermis'],
  ['beyond_dermis', 'Beyond the dermis'],
];

/** The depth-by-layer histogram: the share of punctures ending in each layer, from the skin surface down. */
export function layerBars(layers: Partial<Record<LayerBar['key'], number>>): LayerBar[] {
  return layerNames.map(([key, label]) => {
    const share = Math.min(1, Math.max(0, layers[key] ?? 0));
    return { key, label, share, percent: Math.round(share * 1000) / 10 };
  });
}

/** A curve of the share still open t hours after a session, open(t) = exp(−(t/λ)^k), as points to draw. */
export function openCurve(scaleH: number, shape: number, untilH: number, steps = 48): { h: number; open: number }[] {
  if (!(scaleH > 0) || !(shape > 0) || !(untilH > 0)) return [];
  return Array.from({ length: steps + 1 }, (_, i) => {
    const h = (untilH * i) / steps;
    return { h, open: Math.exp(-Math.pow(h / scaleH, shape)) };
  });
}

/** An SVG path ("M x y L …") of points scaled into a box of `w` × `h` (0 at the bottom). */
export function pathOf(points: readonly { h: number; open: number }[], untilH: number, w: number, h: number): string {
  return points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${((p.h / untilH) * w).toFixed(1)} ${((1 - p.open) * h).toFixed(1)}`)
    .join(' ');
}

/** The simulate document of the form (every field optional on the server; empty ones are left out). */
export function simulateDocument(v: {
  device: string;
  region: string;
  needle_length_mm: string;
  directions: readonly string[];
  passes_per_direction: string;
  seed: string;
}): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  if (v.device) doc['device'] = v.device;
  if (v.region) doc['region'] = v.region;
  if (v.needle_length_mm.trim() !== '') doc['needle_length_mm'] = Number(v.needle_length_mm);
  const plan: Record<string, unknown> = {};
  if (v.directions.length) plan['directions'] = [...v.directions];
  if (v.passes_per_direction.trim() !== '') plan['passes_per_direction'] = Number(v.passes_per_direction);
  if (Object.keys(plan).length) doc['plan'] = plan;
  if (v.seed.trim() !== '') doc['seed'] = Number(v.seed);
  return doc;
}
