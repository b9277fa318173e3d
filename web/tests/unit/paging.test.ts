import { describe, expect, it } from 'vitest';
import { appendPage, emptyPaging, failPage, hasMore, nextCursor, startLoading } from '../../src/api/paging';
import { networkProblem } from '../../src/api/problem';

type Row = { id: number };
const rows = (...ids: number[]): Row[] => ids.map((id) => ({ id }));

describe('cursor paging', () => {
  it('asks for the first page without a cursor, follows next_cursor, stops at the last page', () => {
    let s = emptyPaging<Row>();
    expect(hasMore(s)).toBe(true);
    expect(nextCursor(s)).toBeNull();
    s = appendPage(startLoading(s), { items: rows(1, 2), next_cursor: 'c2' });
    expect(s.items).toEqual(rows(1, 2));
    expect(nextCursor(s)).toBe('c2');
    s = appendPage(startLoading(s), { items: rows(3), next_cursor: null });
    expect(s.items).toEqual(rows(1, 2, 3));
    expect(hasMore(s)).toBe(false);
    expect(nextCursor(s)).toBeUndefined();
  });

  it('does not ask twice while a page is on its way', () => {
    const s = startLoading(appendPage(emptyPaging<Row>(), { items: rows(1), next_cursor: 'c2' }));
    expect(s.loading).toBe(true);
    expect(nextCursor(s)).toBeUndefined();
  });

  it('keeps what was loaded when a page fails, and asks for the same page again', () => {
    let s = appendPage(startLoading(emptyPaging<Row>()), { items: rows(1, 2), next_cursor: 'c2' });
    s = failPage(startLoading(s), networkProblem());
    expect(s.items).toEqual(rows(1, 2));
    expect(s.problem?.code).toBe('network');
    expect(s.loading).toBe(false);
    expect(nextCursor(s)).toBe('c2');
    s = startLoading(s);
    expect(s.problem).toBeNull();
  });

  it('a first page that fails is asked for again from the start', () => {
    const s = failPage(startLoading(emptyPaging<Row>()), networkProblem());
    expect(s.started).toBe(false);
    expect(nextCursor(s)).toBeNull();
  });

  it('with a key, an item already held is not repeated', () => {
    let s = appendPage(emptyPaging<Row>(), { items: rows(1, 2), next_cursor: '2' }, (r) => r.id);
    s = appendPage(s, { items: rows(2, 3, 3), next_cursor: null }, (r) => r.id);
    expect(s.items.map((r) => r.id)).toEqual([1, 2, 3]);
    // Without one, the pages are taken as they come.
    expect(appendPage(s, { items: rows(3) }).items.map((r) => r.id)).toEqual([1, 2, 3, 3]);
  });
});
