import { describe, expect, it } from 'vitest';
import { problemFrom } from '../../src/api/problem';
import { failSubmit, initialForm } from '../../src/forms/form-state';
import {
  homeDevices,
  homeSessionBody,
  homeUrl,
  labelOf,
  loggedBy,
  rollerLife,
  usableRollers,
  type HomeRollerLife,
  type HomeSessionField,
} from '../../src/home/home-logic';

const roller = (over: Partial<HomeRollerLife>): HomeRollerLife => ({
  id: 1,
  device: 'home_roller',
  lot: 'H-1',
  registered_on: '2026-11-24',
  retired_at: null,
  retired_reason: '',
  days_in_use: 10,
  uses: 3,
  last_used: '2026-12-01',
  ...over,
});

describe('homeUrl', () => {
  it('hangs the home routes from any base path, staff or portal', () => {
    expect(homeUrl('/api/v1/clients/C-1', 'home-sessions')).toBe('/api/v1/clients/C-1/home-sessions');
    expect(homeUrl('/api/v1/portal/', 'home-rollers')).toBe('/api/v1/portal/home-rollers');
  });
});

describe('homeSessionBody', () => {
  it('sends the roller as a number and the note only when given', () => {
    expect(homeSessionBody({ home_roller_id: '7', area: 'face', performed_on: '2026-12-03', note: '  ' })).toEqual({
      home_roller_id: 7,
      area: 'face',
      performed_on: '2026-12-03',
    });
    expect(homeSessionBody({ home_roller_id: '7', area: 'neck', performed_on: '2026-12-03', note: ' ok ' }).note).toBe(
      'ok',
    );
  });
});

describe('rollers', () => {
  it('offers only rollers in use, newest first', () => {
    const list = [roller({ id: 1 }), roller({ id: 2, retired_at: '2026-12-02T09:00:00Z', retired_reason: 'lost' }), roller({ id: 3 })];
    expect(usableRollers(list).map((r) => r.id)).toEqual([3, 1]);
  });
  it("reads a roller's life: days in use, uses, last use, retirement", () => {
    expect(rollerLife(roller({}))).toBe('Lot H-1, since 2026-11-24: 10 days in use, 3 uses, last 2026-12-01');
    expect(rollerLife(roller({ days_in_use: 1, uses: 1, last_used: null, retired_at: '2026-11-24T18:00:00Z', retired_reason: 'dropped' }))).toBe(
      'Lot H-1, since 2026-11-24: 1 day in use, 1 use — retired 2026-11-24 (dropped)',
    );
  });
  it('registers only home devices', () => {
    expect(
      homeDevices([
        { id: 'dermaroller', label: 'Professional dermaroller', setting: 'clinic' },
        { id: 'home_roller', label: 'Home dermaroller', setting: 'home' },
      ]),
    ).toEqual([{ id: 'home_roller', label: 'Home dermaroller' }]);
  });
});

describe('a refused home session', () => {
  it('is shown next to the date with its rule', () => {
    const fields: HomeSessionField[] = ['home_roller_id', 'area', 'performed_on', 'note'];
    const s = initialForm<HomeSessionField>({ home_roller_id: '1', area: 'face', performed_on: '2026-12-03', note: '' });
    const problem = problemFrom(409, {
      error: {
        code: 'refused',
        message: '2026-12-03 is 2 days from the home session on 2026-12-01; HOME.maintenance allows home sessions at least 7 days apart (S2). The earliest allowed date is 2026-12-08.',
        field: 'performed_on',
        rule: 'HOME.maintenance',
      },
    });
    const after = failSubmit(s, problem, fields);
    expect(after.problem).toBeNull();
    expect(after.errors.performed_on).toMatch(/^Refused by rule HOME\.maintenance: .*earliest allowed date is 2026-12-08/);
    expect(after.values.performed_on).toBe('2026-12-03');
  });
});

describe('labels', () => {
  it("names a pack's id by its label, and keeps an id the list does not hold", () => {
    const areas = [{ id: 'face', label: 'Face' }];
    expect(labelOf(areas, 'face')).toBe('Face');
    expect(labelOf(areas, 'scalp')).toBe('scalp');
  });
  it('names a session the client logged in the portal for who reads it', () => {
    expect(loggedBy('client:C-P-001', 'client')).toBe('you');
    expect(loggedBy('client:C-P-001', 'staff')).toBe('the client');
    expect(loggedBy('ana', 'staff')).toBe('ana');
  });
});
