// Loading a page's data: the state of one GET (loading, its data, or the problem shown with a retry button).
import { useEffect, useState } from 'preact/hooks';
import type { Outcome } from './api/client';
import type { Problem } from './api/problem';
import { ProblemNote } from './forms/form';

export type Loaded<T> = { kind: 'loading' } | { kind: 'ok'; data: T } | { kind: 'failed'; problem: Problem };

export function useLoad<T>(fetcher: () => Promise<Outcome<T>>, deps: readonly unknown[]) {
  const [state, setState] = useState<Loaded<T>>({ kind: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    void fetcher().then((out) => {
      if (!live) return;
      setState(out.ok ? { kind: 'ok', data: out.data } : { kind: 'failed', problem: out.problem });
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { state, reload: () => setTick((t) => t + 1) };
}

/** A failed load: the server's words, and a button to try again. */
export function LoadProblem({ problem, retry }: { problem: Problem; retry: () => void }) {
  return (
    <ProblemNote problem={problem}>
      <button type="button" class="secondary" onClick={retry}>
        Try again
      </button>
    </ProblemNote>
  );
}

// The time formatting lives in one place (api/time.ts); re-exported for the pages that import it from here.
export { timeOfDay, when } from './api/time';
