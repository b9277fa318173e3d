// Scaling for the charts of the session runner: the depth-by-layer shares as bars (each share of 1 as a
// percentage of the bar's full width) and the numbers written beside them.

export interface LayerShares {
  epidermis: number;
  papillary_dermis: number;
  reticular_dermis: number;
  beyond_dermis: number;
}

export interface Bar {
  key: keyof LayerShares;
  label: string;
  /** The share, 0–1 (a value outside is clamped: a rounding of the report, not a layer beyond all). */
  share: number;
  /** Width of the bar in % of the chart. */
  widthPercent: number;
  /** As written beside the bar ("62.5 %", "< 0.1 %" for a share above 0 that rounds to 0). */
  text: string;
}

const layers: { key: keyof LayerShares; label: string }[] = [
  { key: 'epidermis', label: 'Epidermis' },
  { key: 'papillary_dermis', label: 'Papillary dermis' },
  { key: 'reticular_dermis', label: 'Reticular dermis' },
  { key: 'beyond_dermis', label: 'Beyond the dermis' },
];

export function percentText(share: number): string {
  if (!Number.isFinite(share) || share <= 0) return '0 %';
  if (share < 0.0005) return '< 0.1 %';
  return `${(Math.min(1, share) * 100).toFixed(1)} %`;
}

/** The bars of the layer shares, skin surface first. */
export function layerBars(shares: LayerShares): Bar[] {
  return layers.map(({ key, label }) => {
    const raw = shares[key];
    const share = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 0;
    return { key, label, share, widthPercent: share * 100, text: percentText(share) };
  });
}

/**
 * Where a density sits on the heatmap's colour scale (0 at the bottom, 1 at the top): the scale runs from 0 to
 * `scaleMax` per cm² (the server's heatmap_max), so a mean of half the maximum is 0.5.
 */
export function scalePosition(perCm2: number, scaleMax: number): number {
  if (!(scaleMax > 0) || !Number.isFinite(perCm2)) return 0;
  return Math.min(1, Math.max(0, perCm2 / scaleMax));
}

/** The ticks written on a colour scale of 0–max: `count` + 1 values, rounded to whole punctures per cm². */
export function scaleTicks(scaleMax: number, count = 4): number[] {
  if (!(scaleMax > 0) || count < 1) return [0];
  return Array.from({ length: count + 1 }, (_, i) => Math.round((scaleMax * i) / count));
}

/**
 * One colour scale for the heatmaps of every zone charted in a session, so the zones compare at a glance: 0 to
 * twice the highest stored mean density, rounded up to a whole 10 /cm² (a display choice, no clinical figure).
 * Without a positive density, 10.
 */
export function zonesScaleMax(densitiesPerCm2: readonly number[]): number {
  const top = Math.max(0, ...densitiesPerCm2.filter((d) => Number.isFinite(d)));
  return top > 0 ? Math.ceil((2 * top) / 10) * 10 : 10;
}
