// The follow-up of a session (at 24 hours): the observations the pack knows (GET /api/v1/vocabulary), recorded
// with POST /api/v1/sessions/{id}/followups; the server triages each with its rule. "See a doctor" opens an
// escalation, which Today shows in red.
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { localiseTimes } from '../api/time';
import { ProblemNote } from '../forms/form';
import { LoadProblem, useLoad } from '../load';

type Recorded = Schemas['RecordedFollowup'];

export function FollowupPage({ id }: { id: string }) {
  const detail = useLoad(() => call(api.GET('/api/v1/sessions/{id}', { params: { path: { id } } })), [id]);
  const vocab = useLoad(() => call(api.GET('/api/v1/vocabulary')), []);
  const [chosen, setChosen] = useState<string[]>([]);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [recorded, setRecorded] = useState<Recorded | null>(null);

  if (detail.state.kind === 'loading' || vocab.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Follow-up</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (detail.state.kind === 'failed' || vocab.state.kind === 'failed') {
    const p = detail.state.kind === 'failed' ? detail.state.problem : vocab.state.kind === 'failed' ? vocab.state.problem : null;
    return (
      <section class="page">
        <h1>Follow-up</h1>
        {p ? <LoadProblem problem={p} retry={() => (detail.reload(), vocab.reload())} /> : null}
      </section>
    );
  }
  const s = detail.state.data.session;
  const observations = vocab.state.data.observations ?? [];
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const out = await call(
      api.POST('/api/v1/sessions/{id}/followups', { params: { path: { id } }, body: { observations: chosen } }),
    );
    setBusy(false);
    if (out.ok) setRecorded(out.data);
    else setProblem(out.problem);
  };
  const hours = (Date.now() - new Date(s.started_at).getTime()) / 3_600_000;
  return (
    <section class="page">
      <p class="crumbs">
        <a href={`/clients/${encodeURIComponent(s.client_id)}`}>{s.client_id}</a> ›{' '}
        <a href={`/sessions/${s.id}`}>Session {s.id}</a> › Follow-up
      </p>
      <h1>
        Follow-up — session {s.id}, {s.area}
      </h1>
      <p class="sub">{Math.max(0, Math.round(hours))} hours since the session started.</p>
      <form class="card" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset class={problem?.field?.startsWith('observations') ? 'field-invalid' : undefined}>
          <legend>What the client reports or you see</legend>
          <div class="chips">
            {observations.map((o) => (
              <label class="choice" key={o.id}>
                <input
                  type="checkbox"
                  checked={chosen.includes(o.id)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setChosen((l) => (on ? [...l, o.id] : l.filter((x) => x !== o.id)));
                  }}
                />
                {o.label}
              </label>
            ))}
          </div>
        </fieldset>
        <ProblemNote problem={problem} />
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {problem ? 'Try again' : 'Record the follow-up'}
        </button>
      </form>
      {recorded ? <Result r={recorded} /> : null}
    </section>
  );
}

function Result({ r }: { r: Recorded }) {
  const doctor = r.result.triage === 'see_doctor';
  return (
    <div class={doctor ? 'card triage see-doctor' : 'card triage'}>
      <h2>
        <span role="status">{doctor ? 'See a doctor' : 'Normal healing'}</span>
      </h2>
      <ul>
        {r.result.observations.map((o) => (
          <li key={o.rule}>
            {localiseTimes(o.message)} <code>{o.rule}</code> ({o.source})
          </li>
        ))}
      </ul>
      {r.result.recheck.length ? <p>Check again: {localiseTimes(r.result.recheck.join('; '))}</p> : null}
      {r.escalation ? (
        <p class="escalation-opened">
          Escalation {r.escalation.id} opened: {localiseTimes(r.escalation.reason)}. It is on <a href="/">Today</a> until it is closed.
        </p>
      ) : null}
    </div>
  );
}
