// The audit log (admin, auditor): pages of GET /api/v1/audit followed by the API's cursor, filtered on the
// server by actor, action, table, record id and days (the form sends the filters; the server answers the
// entries they select, a page at a time); and the chain checked (GET /api/v1/audit/verify), with the result as
// the server gives it — the first bad entry and every record that does not match.
import { useEffect, useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { hasMore } from '../api/paging';
import { FieldFrame, FormProblem, ProblemNote, SubmitButton, useForm } from '../forms/form';
import type { FormState } from '../forms/form-state';
import { ShowMore, usePaged } from '../forms/paged';
import { when } from '../load';
import { auditQuery, choices, filtering, noFilter, type AuditFilter } from './audit-logic';

type Entry = Schemas['AuditEntry'];

/** The record tables, suggested in the Table filter before the log shows them (the server checks the name). */
const knownTables = ['appointments', 'clients', 'consents', 'courses', 'escalations', 'followups', 'intakes', 'lot_recalls', 'outbox', 'photos', 'rollers', 'session_steps', 'session_zones', 'sessions', 'users'];

export function AuditPage() {
  /** The filters of the entries shown (what the last accepted search asked for). */
  const [applied, setApplied] = useState<AuditFilter>(noFilter);
  /** Every entry seen, for the suggestions: a filtered page alone would offer only what it selected. */
  const [seen, setSeen] = useState<Entry[]>([]);
  // The filters are checked by the server (a bad day or table is refused naming its input) with a one-entry
  // page; once accepted they become the list's filters.
  const form = useForm({
    initial: { ...noFilter },
    submit: (v) => call(api.GET('/api/v1/audit', { params: { query: auditQuery(v, null, 1) } })),
    onSuccess: (_data, values) => setApplied(values),
  });
  const clear = () => {
    form.setState((s) => ({ ...s, values: { ...noFilter }, errors: {}, problem: null }));
    setApplied(noFilter);
  };
  return (
    <section class="page">
      <h1>Audit</h1>
      <Verify />
      <h2>The log</h2>
      <form class="card filters" aria-label="Filter the log" onSubmit={form.onSubmit} noValidate>
        <div class="grid4">
          <FilterField form={form} name="actor" label="Who" suggest={choices(seen, 'actor')} />
          <FilterField form={form} name="action" label="Action" suggest={choices(seen, 'action', ['insert', 'update'])} />
          <FilterField form={form} name="table" label="Table" suggest={choices(seen, 'entity', knownTables)} />
          <FilterField form={form} name="record" label="Record id" hint="The whole id, e.g. C-2026-001 or 4." />
          <FilterField form={form} name="from" label="From" type="date" />
          <FilterField form={form} name="to" label="To" type="date" />
        </div>
        <FormProblem state={form.state} />
        <div class="actions">
          <SubmitButton state={form.state}>Show these entries</SubmitButton>
          {filtering(applied) || filtering(form.state.values) ? (
            <button type="button" class="secondary" onClick={clear}>
              Clear the filters
            </button>
          ) : null}
        </div>
      </form>
      {/* A new filter is a new list (the key): nothing of the list before shows while its first page comes. */}
      <AuditList
        key={JSON.stringify(applied)}
        filter={applied}
        onSeen={(items) => setSeen((s) => [...new Map([...s, ...items].map((e) => [e.seq, e])).values()].slice(-2000))}
      />
    </section>
  );
}

/** The pages of the entries `filter` selects (forms/paged.tsx), each entry once by its seq. */
function AuditList({ filter, onSeen }: { filter: AuditFilter; onSeen: (items: Entry[]) => void }) {
  const paged = usePaged<Entry>(
    (cursor) => call(api.GET('/api/v1/audit', { params: { query: auditQuery(filter, cursor) } })),
    [],
    (e) => e.seq,
  );
  const log = paged.state;
  useEffect(() => onSeen(log.items), [log.items.length]);
  if (!log.started) {
    return log.problem ? <ShowMore paged={paged}>Load more entries</ShowMore> : <p aria-busy="true">Loading…</p>;
  }
  return (
    <div>
      <p role="status">
        {log.items.length} {filtering(filter) ? 'matching ' : ''}entries loaded
        {hasMore(log) ? ' (more to load)' : filtering(filter) ? ' (every match)' : ' (the whole log)'}.
      </p>
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
            {log.items.map((e) => (
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
      <ShowMore paged={paged}>Load more entries</ShowMore>
    </div>
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
      <ProblemNote problem={problem} />
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

/** A filter input with suggestions (a datalist) and the server's error for it, in the form pattern. */
function FilterField(p: {
  form: { state: FormState<keyof AuditFilter>; set: (f: keyof AuditFilter, v: string) => void };
  name: keyof AuditFilter;
  label: string;
  type?: 'text' | 'date';
  hint?: string;
  suggest?: string[];
}) {
  const id = `f-${p.name}`;
  const error = p.form.state.errors[p.name];
  return (
    <FieldFrame id={id} label={p.label} hint={p.hint} error={error}>
      {(describedBy) => (
        <>
          <input
            id={id}
            name={p.name}
            type={p.type ?? 'text'}
            value={p.form.state.values[p.name]}
            list={p.suggest?.length ? `${id}-list` : undefined}
            onInput={(e) => p.form.set(p.name, (e.currentTarget as HTMLInputElement).value)}
            autoComplete="off"
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={describedBy}
          />
          {p.suggest?.length ? (
            <datalist id={`${id}-list`}>
              {p.suggest.map((v) => (
                <option key={v} value={v} />
              ))}
            </datalist>
          ) : null}
        </>
      )}
    </FieldFrame>
  );
}
