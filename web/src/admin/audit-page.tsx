// The audit log (admin, auditor): pages of GET /api/v1/audit followed by the API's cursor, filtered by actor,
// action, table, record id and day among what is loaded; and the chain checked (GET /api/v1/audit/verify),
// with the result as the server gives it — the first bad entry and every record that does not match.
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import { describeProblem, type Problem } from '../api/problem';
import { when } from '../load';
import { hasMore } from '../api/paging';
import { usePaged } from '../forms/paged';
import { choices, filterAudit, filtering, noFilter, type AuditFilter } from './audit-logic';

type Entry = Schemas['AuditEntry'];

export function AuditPage() {
  const [filter, setFilter] = useState<AuditFilter>(noFilter);
  // The log's pages (forms/paged.tsx), each entry once by its seq.
  const paged = usePaged<Entry>(
    (cursor) => call(api.GET('/api/v1/audit', { params: { query: cursor ? { limit: 200, cursor } : { limit: 200 } } })),
    [],
    (e) => e.seq,
  );
  const { state: log, more: loadPage } = paged;
  const { loading, problem } = log;

  const shown = filterAudit(log.items, filter);
  const set = (k: keyof AuditFilter) => (e: Event) => setFilter({ ...filter, [k]: (e.currentTarget as HTMLInputElement).value });
  const select = (k: 'actor' | 'action' | 'entity', label: string) => (
    <div class="field">
      <label for={`audit-${k}`}>{label}</label>
      <select id={`audit-${k}`} value={filter[k]} onChange={set(k)}>
        <option value="">Any</option>
        {choices(log.items, k).map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <section class="page" aria-busy={loading && !log.started ? 'true' : undefined}>
      <h1>Audit</h1>
      <Verify />
      <h2>The log</h2>
      <form class="card filters" aria-label="Filter the log" onSubmit={(e) => e.preventDefault()}>
        <div class="grid4">
          {select('actor', 'Who')}
          {select('action', 'Action')}
          {select('entity', 'Table')}
          <div class="field">
            <label for="audit-id">Record id</label>
            <input id="audit-id" type="search" value={filter.entityId} onInput={set('entityId')} />
          </div>
          <div class="field">
            <label for="audit-from">From</label>
            <input id="audit-from" type="date" value={filter.from} onInput={set('from')} />
          </div>
          <div class="field">
            <label for="audit-to">To</label>
            <input id="audit-to" type="date" value={filter.to} onInput={set('to')} />
          </div>
        </div>
        {filtering(filter) ? (
          <button type="button" class="secondary" onClick={() => setFilter(noFilter)}>
            Clear the filters
          </button>
        ) : null}
      </form>
      <p role="status">
        {shown.length} of {log.items.length} entries loaded{hasMore(log) ? ' (more to load)' : ' (the whole log)'}.
      </p>
      {problem ? (
        <div class="problem" role="alert">
          <p>{describeProblem(problem)}</p>
        </div>
      ) : null}
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Audit log, scrolls sideways">
        <table class="table" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Record</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{when(e.at)}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>
                  {e.entity} {e.entity_id}
                </td>
                <td>
                  <code title={e.hash}>{e.hash.slice(0, 12)}…</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {hasMore(log) && log.started ? (
        <button type="button" class="secondary" disabled={loading} aria-busy={loading} onClick={() => void loadPage()}>
          {problem ? 'Try again' : 'Load more entries'}
        </button>
      ) : null}
    </section>
  );
}

function Verify() {
  const [busy, setBusy] = useState(false);
  const [check, setCheck] = useState<Schemas['AuditCheck'] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = async () => {
    setBusy(true);
    setProblem(null);
    const out = await call(api.GET('/api/v1/audit/verify'));
    setBusy(false);
    if (out.ok) setCheck(out.data);
    else setProblem(out.problem);
  };
  return (
    <section class="card" aria-labelledby="verify-title">
      <h2 id="verify-title">Check the chain</h2>
      <p class="sub">Recomputes every entry’s hash and compares every record with its last audit entry.</p>
      <button type="button" class="primary" disabled={busy} aria-busy={busy} onClick={() => void run()}>
        {busy ? 'Checking…' : 'Verify the audit chain'}
      </button>
      {problem ? (
        <div class="problem" role="alert">
          {describeProblem(problem)}
        </div>
      ) : null}
      {check ? (
        check.ok ? (
          <p class="verified" role="status">
            The chain is intact: {check.entries} entries, {check.records} records checked.
          </p>
        ) : (
          <div class="problem" role="alert">
            <p>
              The chain is broken{check.first_bad_seq !== undefined ? ` at entry ${check.first_bad_seq}` : ''}: {check.problem}
            </p>
            {check.record_problems?.length ? (
              <ul>
                {check.record_problems.map((p, i) => (
                  <li key={i}>
                    {p.table} {p.id}: {p.kind} — {p.detail}
                  </li>
                ))}
              </ul>
            ) : null}
          </div>
        )
      ) : null}
    </section>
  );
}
