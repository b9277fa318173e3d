// Loading a page's data: the state of one GET (loading, its data, or the problem shown with a retry button).
import { useEffect, useState } from 'preact/hooks';
import type { Outcome } from './api/client';
import { describeProblem, type Problem } from './api/problem';

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
    <div class="problem" role="alert">
      <p>{describeProblem(problem)}</p>
      <button type="button" class="secondary" onClick={retry}>
        Try again
      </button>
    </div>
  );
}

/** UTC "YYYY-MM-DDTHH:MM:SSZ" as the tablet's local date and time. */
export function when(utc: string | null | undefined): string {
  if (!utc) return '';
  const d = new Date(utc);
  if (Number.isNaN(d.getTime())) return utc;
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** UTC time as the local time of day ("14:30"). */
export function timeOfDay(utc: string): string {
  const d = new Date(utc);
  return Number.isNaN(d.getTime()) ? utc : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}
