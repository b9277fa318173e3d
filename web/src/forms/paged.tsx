// A list the API pages by cursor, held for a page (api/paging.ts has the steps): `usePaged` loads the first page
// when its inputs change and the next on `more()`; `ShowMore` is the button under the list, and the problem of
// a page that did not come with a button to try that page again. Clients, rollers, users and the audit log use it.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Outcome } from '../api/client';
import { appendPage, emptyPaging, failPage, nextCursor, startLoading, type Page, type Paging } from '../api/paging';
import { LoadProblem } from '../load';

export interface Paged<T> {
  state: Paging<T>;
  /** Ask for the next page (the first when none came, the same one again after a failure). */
  more: () => Promise<void>;
  /** Start again from the first page (after a change to the list). */
  reload: () => void;
}

/** `fetchPage(cursor)` asks the API for the page after `cursor` (null: the first); `deps` are what the list
 * depends on (a search text): when they change the list starts again, and an answer for the old ones is dropped. */
export function usePaged<T>(
  fetchPage: (cursor: string | null) => Promise<Outcome<Page<T>>>,
  deps: readonly unknown[],
  key?: (item: T) => string | number,
): Paged<T> {
  const [state, setState] = useState<Paging<T>>(emptyPaging);
  const latest = useRef(state);
  latest.current = state;
  // Bumped when the list starts again: an answer for an older list is dropped.
  const generation = useRef(0);
  const [tick, setTick] = useState(0);

  const load = async (from: Paging<T>, gen: number) => {
    const cursor = nextCursor(from);
    if (cursor === undefined) return;
    const asking = startLoading(from);
    latest.current = asking;
    setState(asking);
    const out = await fetchPage(cursor);
    if (gen !== generation.current) return;
    setState((s) => (out.ok ? appendPage(s, out.data, key) : failPage(s, out.problem)));
  };
  useEffect(() => {
    const gen = ++generation.current;
    void load(emptyPaging<T>(), gen);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return {
    state,
    more: () => load(latest.current, generation.current),
    reload: () => setTick((t) => t + 1),
  };
}

/** Under a paged list: the problem of the page that did not come (with "Try again"), else "Show more" while the
 * API has more. Nothing before the first page came (the page shows its own "Loading…"). */
export function ShowMore<T>({ paged, children }: { paged: Paged<T>; children: ComponentChildren }) {
  const { state } = paged;
  if (state.problem) return <LoadProblem problem={state.problem} retry={() => void paged.more()} />;
  if (!state.started || state.cursor === null) return null;
  return (
    <button type="button" class="secondary" disabled={state.loading} aria-busy={state.loading} onClick={() => void paged.more()}>
      {children}
    </button>
  );
}
