// Cursor paging of the API's lists (docs/server.md: `limit`, `cursor`, and `next_cursor` in each page) as pure
// state steps (tests/unit/paging.test.ts); forms/paged.tsx holds it in a hook with its "Show more" button. Used
// by every list that pages: clients, rollers, users, the audit log.
import type { Problem } from './problem';

/** One page as the API answers it. */
export interface Page<T> {
  items: readonly T[];
  next_cursor?: string | null;
}

/** The list as loaded so far. */
export interface Paging<T> {
  /** Every item of the pages in, in order, each once. */
  items: T[];
  /** The cursor of the next page; null when the last page is in (or none came yet: see `started`). */
  cursor: string | null;
  /** True once a page came back: before that, `cursor` null does not mean the end. */
  started: boolean;
  /** A page is being asked for. */
  loading: boolean;
  /** Why the last page asked for did not come; what was loaded stays. */
  problem: Problem | null;
}

export function emptyPaging<T>(): Paging<T> {
  return { items: [], cursor: null, started: false, loading: false, problem: null };
}

/** Whether another page can be asked for (the first always can). */
export function hasMore<T>(s: Paging<T>): boolean {
  return !s.started || s.cursor !== null;
}

/** A page is asked for: the cursor to send (null for the first page), or undefined when there is none to ask
 * for (the last page is in, or one is already on its way). */
export function nextCursor<T>(s: Paging<T>): string | null | undefined {
  if (s.loading || !hasMore(s)) return undefined;
  return s.started ? s.cursor : null;
}

export function startLoading<T>(s: Paging<T>): Paging<T> {
  return { ...s, loading: true, problem: null };
}

/** A page appended. With `key`, an item already held (a page asked twice, a row that moved between pages while
 * paging) is not repeated. */
export function appendPage<T>(s: Paging<T>, page: Page<T>, key?: (item: T) => string | number): Paging<T> {
  let fresh = [...page.items];
  if (key) {
    const seen = new Set(s.items.map(key));
    fresh = fresh.filter((e) => {
      const k = key(e);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  return { items: [...s.items, ...fresh], cursor: page.next_cursor ?? null, started: true, loading: false, problem: null };
}

/** A page that did not come: the items and the cursor stay, so "Try again" asks for the same page. */
export function failPage<T>(s: Paging<T>, problem: Problem): Paging<T> {
  return { ...s, loading: false, problem };
}
