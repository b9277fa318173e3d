// The portal's small pieces (web/src/portal/portal-api.ts, api/client.ts): the sign-in link's token read from
// the address fragment, a datetime-local value as the API's UTC time, and which CSRF cookie a write sends.
import { describe, expect, it } from 'vitest';
import { hoursBetween, toUtc, tokenFromHash } from '../../src/portal/portal-api';
import { csrfCookieFor } from '../../src/api/client';

describe('tokenFromHash', () => {
  it('reads the token of a sign-in link', () => {
    expect(tokenFromHash('#token=abc_DEF-123')).toBe('abc_DEF-123');
    expect(tokenFromHash('token=xyz')).toBe('xyz');
  });
  it('is null without one', () => {
    expect(tokenFromHash('')).toBeNull();
    expect(tokenFromHash('#token=')).toBeNull();
    expect(tokenFromHash('#other=1')).toBeNull();
  });
});

describe('toUtc', () => {
  it('gives the API form without milliseconds', () => {
    const utc = toUtc('2026-12-07T09:30');
    expect(utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00Z$/);
    expect(new Date(utc ?? '').getTime()).toBe(new Date('2026-12-07T09:30').getTime());
  });
  it('is null for nothing or nonsense (the server then takes now)', () => {
    expect(toUtc('')).toBeNull();
    expect(toUtc('not a time')).toBeNull();
  });
});

describe('hoursBetween', () => {
  it('counts whole hours', () => {
    expect(hoursBetween('2026-12-06T02:00:00Z', '2026-12-07T08:30:00Z')).toBe(30);
  });
});

describe('csrfCookieFor', () => {
  it('sends the portal token on portal routes and the staff one elsewhere', () => {
    expect(csrfCookieFor('http://localhost/api/v1/portal/logout')).toBe('nw_portal_csrf');
    expect(csrfCookieFor('/api/v1/portal/sessions/3/self-check')).toBe('nw_portal_csrf');
    expect(csrfCookieFor('http://localhost/api/v1/auth/logout')).toBe('nw_csrf');
    expect(csrfCookieFor('/api/v1/clients/C-1/portal-link')).toBe('nw_csrf');
  });
});
