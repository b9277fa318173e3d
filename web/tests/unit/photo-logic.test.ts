import { describe, expect, it } from 'vitest';
import { groupPhotos, uploadQuery } from '../../src/photos/photo-logic';

const photo = (id: number, session_id: number | null, kind: string, taken_at: string) => ({ id, session_id, kind, taken_at });

describe('groupPhotos', () => {
  it('pairs before and after per session (area and date), newest first', () => {
    const sessions = [
      { id: 1, area: 'face', started_at: '2026-11-01T10:00:00Z' },
      { id: 2, area: 'neck', started_at: '2026-12-01T10:00:00Z' },
    ];
    const groups = groupPhotos(
      [
        photo(3, 1, 'after', '2026-11-01T11:00:00Z'),
        photo(1, 1, 'before', '2026-11-01T09:50:00Z'),
        photo(4, 2, 'before', '2026-12-01T09:55:00Z'),
        photo(5, null, 'other', '2026-10-05T08:00:00Z'),
        photo(6, 1, 'followup', '2026-11-02T11:00:00Z'),
      ],
      sessions,
    );
    expect(groups.map((g) => [g.area, g.date])).toEqual([
      ['neck', '2026-12-01'],
      ['face', '2026-11-01'],
      ['', '2026-10-05'],
    ]);
    expect(groups[1]!.before.map((p) => p.id)).toEqual([1]);
    expect(groups[1]!.after.map((p) => p.id)).toEqual([3]);
    expect(groups[1]!.other.map((p) => p.id)).toEqual([6]);
  });
  it('takes a photo\'s own area before its session\'s: a baseline photo at intake has one', () => {
    const sessions = [{ id: 1, area: 'face', started_at: '2026-11-01T10:00:00Z' }];
    const groups = groupPhotos(
      [
        { ...photo(1, null, 'before', '2026-10-05T08:00:00Z'), area: 'scalp' },
        photo(2, null, 'before', '2026-10-05T08:05:00Z'),
        { ...photo(3, 1, 'after', '2026-11-01T11:00:00Z'), area: 'periorbital' },
        photo(4, 1, 'before', '2026-11-01T09:50:00Z'),
      ],
      sessions,
    );
    expect(groups.map((g) => [g.area, g.date, g.session_id])).toEqual([
      ['face', '2026-11-01', 1],
      ['periorbital', '2026-11-01', 1],
      ['', '2026-10-05', null],
      ['scalp', '2026-10-05', null],
    ]);
    expect(groups[3]!.before.map((p) => p.id)).toEqual([1]);
    expect(uploadQuery({ kind: 'before', session_id: '', note: '', name: '', area: 'scalp' })).toEqual({ kind: 'before', area: 'scalp' });
  });
  it('groups photos without a session by their day', () => {
    const g = groupPhotos([photo(1, null, 'before', '2026-10-05T08:00:00Z'), photo(2, null, 'after', '2026-10-05T17:00:00Z')], []);
    expect(g).toHaveLength(1);
    expect(g[0]!.before[0]!.id).toBe(1);
    expect(g[0]!.after[0]!.id).toBe(2);
  });
});

describe('uploadQuery', () => {
  it('sends the kind always and the rest only when given', () => {
    expect(uploadQuery({ kind: '', session_id: '', note: '  ', name: '' })).toEqual({ kind: 'other' });
    expect(uploadQuery({ kind: 'before', session_id: '3', note: ' left cheek ', name: 'a.jpg' })).toEqual({
      kind: 'before',
      session_id: 3,
      note: 'left cheek',
      name: 'a.jpg',
    });
  });
});
