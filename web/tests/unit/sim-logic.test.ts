import { describe, expect, it } from 'vitest';
import { colourAt, layerBars, openCurve, pathOf, scaleTicks, sharedScaleMax, simulateDocument } from '../../src/simulator/sim-logic';

describe('colour scale', () => {
  it('maps the ends and the stops to the server heatmap’s viridis colours', () => {
    expect(colourAt(0)).toEqual([68, 1, 84]);
    expect(colourAt(0.5)).toEqual([33, 145, 140]);
    expect(colourAt(1)).toEqual([253, 231, 37]);
  });
  it('mixes between stops and clamps outside 0–1', () => {
    expect(colourAt(0.125)).toEqual([64, 42, 112]);
    expect(colourAt(-3)).toEqual([68, 1, 84]);
    expect(colourAt(7)).toEqual([253, 231, 37]);
    expect(colourAt(Number.NaN)).toEqual([68, 1, 84]);
  });
  it('shares one scale between devices: twice the highest target', () => {
    expect(sharedScaleMax([250, 300])).toBe(600);
    expect(sharedScaleMax([])).toBe(1);
  });
  it('labels five ticks from 0 to the top', () => {
    expect(scaleTicks(600)).toEqual([0, 150, 300, 450, 600]);
    expect(scaleTicks(1)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(scaleTicks(0)).toEqual([0]);
  });
});

describe('layers and resealing', () => {
  it('gives the layers from the surface down with their percent', () => {
    const bars = layerBars({ epidermis: 0.1, papillary_dermis: 0.6234, reticular_dermis: 0.2766 });
    expect(bars.map((b) => b.key)).toEqual(['epidermis', 'papillary_dermis', 'reticular_dermis', 'beyond_dermis']);
    expect(bars.map((b) => b.percent)).toEqual([10, 62.3, 27.7, 0]);
  });
  it('draws the answer’s curve: all open at 0, 1/e open at λ', () => {
    const c = openCurve(10, 1.5, 20, 4);
    expect(c).toHaveLength(5);
    expect(c[0]).toEqual({ h: 0, open: 1 });
    expect(c[2]!.h).toBe(10);
    expect(c[2]!.open).toBeCloseTo(Math.exp(-1), 12);
    expect(openCurve(0, 1, 10)).toEqual([]);
    expect(pathOf([{ h: 0, open: 1 }, { h: 10, open: 0 }], 10, 100, 50)).toBe('M0.0 0.0 L100.0 50.0');
  });
  it('leaves empty form fields out of the document, so the server’s defaults apply', () => {
    expect(simulateDocument({ device: 'roller-192', region: '', needle_length_mm: ' ', directions: [], passes_per_direction: '', seed: '' })).toEqual({
      device: 'roller-192',
    });
    expect(
      simulateDocument({ device: 'd', region: 'cheek', needle_length_mm: '1.5', directions: ['vertical'], passes_per_direction: '4', seed: '7' }),
    ).toEqual({ device: 'd', region: 'cheek', needle_length_mm: 1.5, plan: { directions: ['vertical'], passes_per_direction: 4 }, seed: 7 });
  });
});
