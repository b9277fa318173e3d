import { describe, expect, it } from 'vitest';
import { monthGrid, monthsOf, parseDay, utcInstant } from '../../src/plan/calendar';
import { layerBars, percentText, scalePosition, scaleTicks, zonesScaleMax } from '../../src/session/chart-scale';

describe('month calendar', () => {
  it('lays December 2026 out Monday first: it starts on a Tuesday and has five weeks', () => {
    const m = monthGrid(2026, 12);
    expect(m.weeks.length).toBe(5);
    expect(m.weeks[0]?.[0]).toMatchObject({ date: '2026-11-30', inMonth: false });
    expect(m.weeks[0]?.[1]).toMatchObject({ date: '2026-12-01', day: 1, inMonth: true });
    expect(m.weeks.every((w) => w.length === 7)).toBe(true);
    expect(m.weeks[4]?.[3]).toMatchObject({ date: '2026-12-31', inMonth: true });
  });

  it('puts each visit on its day and spans every month from the first visit to the last', () => {
    const visits = [
      { date: '2026-12-08', areas: ['face'] },
      { date: '2027-02-02', areas: ['face', 'neck'], review: true },
    ];
    const months = monthsOf(visits);
    expect(months.map((m) => m.key)).toEqual(['2026-12', '2027-01', '2027-02']);
    const day = months[0]?.weeks.flat().find((d) => d.date === '2026-12-08');
    expect(day?.visits.map((v) => v.areas)).toEqual([['face']]);
    expect(months[1]?.weeks.flat().some((d) => d.visits.length > 0 && d.inMonth)).toBe(false);
  });

  it('refuses a day that does not exist and makes the API instant of a local time', () => {
    expect(parseDay('2026-02-30')).toBeNull();
    expect(monthsOf([{ date: 'soon', areas: [] }])).toEqual([]);
    expect(utcInstant('2026-12-08', '25:00')).toBeNull();
    expect(utcInstant('2026-12-08', '10:30')).toMatch(/^2026-12-0[78]T\d{2}:\d{2}:00Z$/);
  });
});

describe('chart scaling', () => {
  it('draws each layer share as its percentage of the bar, clamped to 0–100', () => {
    const bars = layerBars({ epidermis: 0.25, papillary_dermis: 0.5, reticular_dermis: 1.2, beyond_dermis: -0.1 });
    expect(bars.map((b) => b.widthPercent)).toEqual([25, 50, 100, 0]);
    expect(bars.map((b) => b.key)).toEqual(['epidermis', 'papillary_dermis', 'reticular_dermis', 'beyond_dermis']);
  });

  it('writes a tiny share as below 0.1 % rather than 0', () => {
    expect(percentText(0.0001)).toBe('< 0.1 %');
    expect(percentText(0)).toBe('0 %');
    expect(percentText(0.625)).toBe('62.5 %');
  });

  it('places a density on the colour scale and labels its ticks', () => {
    expect(scalePosition(150, 300)).toBe(0.5);
    expect(scalePosition(900, 300)).toBe(1);
    expect(scalePosition(10, 0)).toBe(0);
    expect(scaleTicks(300)).toEqual([0, 75, 150, 225, 300]);
  });
});

describe('the zones colour scale', () => {
  it('is twice the highest zone density rounded up to 10 /cm², the same for every zone', () => {
    expect(zonesScaleMax([118.4, 231.2])).toBe(470);
    expect(zonesScaleMax([250])).toBe(500);
  });
  it('has a positive top without a density to scale by', () => {
    expect(zonesScaleMax([])).toBe(10);
    expect(zonesScaleMax([0, Number.NaN])).toBe(10);
  });
});
