import { describe, expect, it } from 'vitest';
import { areaForRegion, intakeDocument, intakeSection, toggle, type VocabArea } from '../../src/intake/map-logic';
import { timeline } from '../../src/pages/timeline';

// The seed pack's areas (GET /api/v1/vocabulary), and a pack that adds an area nested under one of them.
const seed: VocabArea[] = [
  { id: 'face', label: 'Face', parent: '', skin_regions: ['forehead', 'glabella', 'temple', 'nose', 'cheek', 'submandibular'] },
  { id: 'periorbital', label: 'Around the eyes', parent: 'face', skin_regions: ['periorbital'] },
  { id: 'neck', label: 'Neck', parent: '', skin_regions: ['neck'] },
  { id: 'body', label: 'Body', parent: '', skin_regions: ['back', 'waist', 'thigh', 'upper_arm'] },
];

describe('areaForRegion (map hit-testing)', () => {
  it('maps a tapped skin region to the area holding it', () => {
    expect(areaForRegion(seed, 'cheek')?.id).toBe('face');
    expect(areaForRegion(seed, 'thigh')?.id).toBe('body');
  });
  it('prefers the most specific area when a child area also holds the region', () => {
    const pack = [...seed, { id: 'forehead_lines', label: 'Forehead lines', parent: 'face', skin_regions: ['forehead'] }];
    expect(areaForRegion(pack, 'forehead')?.id).toBe('forehead_lines');
    expect(areaForRegion(pack, 'cheek')?.id).toBe('face');
  });
  it('gives no area for a region the pack does not treat', () => {
    expect(areaForRegion(seed, 'scalp')).toBeNull();
  });
  it('survives a parent cycle in a broken vocabulary', () => {
    const loop: VocabArea[] = [
      { id: 'a', label: 'A', parent: 'b', skin_regions: ['x'] },
      { id: 'b', label: 'B', parent: 'a', skin_regions: ['x'] },
    ];
    expect(areaForRegion(loop, 'x')).not.toBeNull();
  });
});

describe('intakeDocument', () => {
  const conditions = [
    { id: 'nevi', label: 'Moles', scope: 'local', dated: false },
    { id: 'pregnancy', label: 'Pregnant', scope: 'systemic', dated: false },
    { id: 'recent_procedure', label: 'Recent procedure', scope: 'systemic', dated: true },
  ];
  it('builds the Intake document, leaving out empty parts', () => {
    const doc = intakeDocument(
      {
        date: '2026-12-07',
        client: { id: 'C-1', name: 'Ana', date_of_birth: null },
        areas: [{ area: 'face', concerns: ['smoothing'] }, { area: 'neck', concerns: [] }],
        conditions: [
          { id: 'nevi', areas: ['face'], since: '2026-01-01' },
          { id: 'pregnancy', areas: ['face'], since: '' },
          { id: 'recent_procedure', areas: [], since: '2026-11-30' },
        ],
        clearance: { by: '  ', date: '' },
      },
      conditions,
    );
    expect(doc).toEqual({
      date: '2026-12-07',
      client: { id: 'C-1', name: 'Ana' },
      areas: [{ area: 'face', concerns: ['smoothing'] }, { area: 'neck' }],
      conditions: [{ id: 'nevi', areas: ['face'] }, { id: 'pregnancy' }, { id: 'recent_procedure', since: '2026-11-30' }],
    });
  });
  it('sends a clearance that is half filled in, so the server names what is missing', () => {
    const doc = intakeDocument(
      { date: '2026-12-07', client: { id: 'C-1', name: 'Ana', date_of_birth: '1990-01-01' }, areas: [], conditions: [], clearance: { by: 'Dr Roe', date: '' } },
      conditions,
    );
    expect(doc['dermatologist_clearance']).toEqual({ by: 'Dr Roe', date: '' });
    expect(doc['client']).toEqual({ id: 'C-1', name: 'Ana', date_of_birth: '1990-01-01' });
  });
  it('maps an API error path to the form section', () => {
    expect(intakeSection('areas[1].concerns')).toBe('areas');
    expect(intakeSection('dermatologist_clearance.date')).toBe('dermatologist_clearance');
    expect(intakeSection(null)).toBeNull();
  });
  it('toggles keeping the tap order', () => {
    expect(toggle(['a', 'b'], 'c')).toEqual(['a', 'b', 'c']);
    expect(toggle(['a', 'b', 'c'], 'b')).toEqual(['a', 'c']);
  });
});

describe('timeline', () => {
  it('puts every kind of record in one list, newest first, alarms flagged', () => {
    const h = {
      client: { id: 'C-1', name: 'Ana', date_of_birth: null, created_at: '2026-11-01T09:00:00Z' },
      intakes: [{ id: 1, client_id: 'C-1', intake_date: '2026-11-02', decision: 'refer', areas: [{ area: 'face', decision: 'refer' }], pack: 'seed', recorded_at: '2026-11-02T10:00:00Z' }],
      consents: [{ id: 1, client_id: 'C-1', text_sha256: '', signer: 'Ana', signed_at: '2026-11-03T10:00:00Z', withdrawn_at: null, withdrawn_by: '' }],
      courses: [],
      appointments: [{ id: 1, client_id: 'C-1', course_id: null, area: 'face', needle_length_mm: 0.5, at: '2026-11-10T10:00:00Z', state: 'booked' }],
      sessions: [],
      followups: [],
      escalations: [{ id: 1, session_id: 1, followup_id: 1, client_id: 'C-1', opened_at: '2026-11-05T10:00:00Z', reason: 'swelling', closed_at: null, closed_by: '', close_note: '', open: true }],
      photos: [],
    } as unknown as Parameters<typeof timeline>[0];
    const t = timeline(h);
    expect(t.map((e) => e.kind)).toEqual(['appointment', 'escalation', 'consent', 'intake']);
    expect(t.filter((e) => e.alarm).map((e) => e.kind)).toEqual(['escalation', 'intake']);
  });
});
