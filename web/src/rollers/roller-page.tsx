// One roller (GET /api/v1/rollers/{id}): its record, the sessions it was used in, and what can be done with it —
// assign it to its one client, sterilise it after use, dispose of it. Every refusal is the server's, with its rule.
import { useState } from 'preact/hooks';
import { api, call, type Outcome, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { Field, FormProblem, ProblemNote, SubmitButton, useForm } from '../forms/form';
import { LoadProblem, useLoad, when } from '../load';
import { rollerShown, shownLabel, todayUtc } from './roller-logic';

type Roller = Schemas['Roller'];

export function RollerPage({ id }: { id: string }) {
  const detail = useLoad(() => call(api.GET('/api/v1/rollers/{id}', { params: { path: { id } } })), [id]);
  const [done, setDone] = useState<string | null>(null);
  const after = (what: string) => {
    setDone(what);
    detail.reload();
  };
  if (detail.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Roller {id}</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (detail.state.kind === 'failed') {
    return (
      <section class="page">
        <h1>Roller {id}</h1>
        <LoadProblem problem={detail.state.problem} retry={detail.reload} />
        <p>
          <a href="/rollers">Back to the rollers</a>
        </p>
      </section>
    );
  }
  const { roller: r, sessions } = detail.state.data;
  const shown = rollerShown(r, todayUtc());
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/rollers">Rollers</a> › #{r.id}
      </p>
      <h1>
        Roller #{r.id} — {r.device}, {r.needle_count} needles, {r.needle_length_mm} mm
      </h1>
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <span class={`status status-${shown}`}>{shownLabel[shown]}</span>
          {r.disposal_reason ? <span class="sub"> — {r.disposal_reason}</span> : null}
        </dd>
        <dt>Lot</dt>
        <dd>
          <a href={`/rollers/recall?lot=${encodeURIComponent(r.lot)}`}>{r.lot}</a>
        </dd>
        <dt>Serial</dt>
        <dd>{r.serial || '—'}</dd>
        <dt>UDI</dt>
        <dd>{r.udi || '—'}</dd>
        <dt>Client</dt>
        <dd>{r.client_id ? <a href={`/clients/${encodeURIComponent(r.client_id)}`}>{r.client_id}</a> : 'not assigned'}</dd>
        <dt>Expiry</dt>
        <dd>{r.expiry}</dd>
        <dt>Uses</dt>
        <dd>{r.uses}</dd>
        <dt>Registered</dt>
        <dd>{when(r.registered_at)}</dd>
      </dl>
      <h2>Sessions</h2>
      {sessions.length === 0 ? (
        <p>Not used in any session yet.</p>
      ) : (
        <ul class="items" aria-label="Sessions with this roller">
          {sessions.map((s) => (
            <li key={s.id} class="item">
              Session {s.id} — <a href={`/clients/${encodeURIComponent(s.client_id)}`}>{s.client_id}</a>, {s.area},{' '}
              {when(s.started_at)}
            </li>
          ))}
        </ul>
      )}
      <h2>Actions</h2>
      <div class="columns">
        <AssignForm roller={r} onDone={(x) => after(`Assigned to ${x.client_id}.`)} />
        <ActionButton
          title="Sterilise"
          explain="After a session, for the same client only (if the pack allows it)."
          label="Sterilise this roller"
          run={() => call(api.POST('/api/v1/rollers/{id}/sterilise', { params: { path: { id: String(r.id) } } }))}
          onDone={() => after('Sterilised: ready for the same client again.')}
        />
        <DisposeForm roller={r} onDone={() => after('Disposed.')} />
      </div>
    </section>
  );
}

function AssignForm({ roller, onDone }: { roller: Roller; onDone: (r: Roller) => void }) {
  const form = useForm({
    initial: { client_id: roller.client_id ?? '' },
    required: ['client_id'],
    aliases: { roller: 'client_id', client: 'client_id' },
    submit: (v) =>
      call(api.POST('/api/v1/rollers/{id}/assign', { params: { path: { id: String(roller.id) } }, body: { client_id: v.client_id.trim() } })),
    onSuccess: onDone,
  });
  return (
    <form class="panel" onSubmit={form.onSubmit} noValidate aria-labelledby="assign-title">
      <h3 id="assign-title">Assign to a client</h3>
      <Field form={form} name="client_id" label="Client id" required />
      <FormProblem state={form.state} />
      <SubmitButton state={form.state}>Assign</SubmitButton>
    </form>
  );
}

function DisposeForm({ roller, onDone }: { roller: Roller; onDone: () => void }) {
  const form = useForm({
    initial: { reason: '' },
    required: ['reason'],
    submit: (v) =>
      call(api.POST('/api/v1/rollers/{id}/dispose', { params: { path: { id: String(roller.id) } }, body: { reason: v.reason.trim() } })),
    onSuccess: onDone,
  });
  return (
    <form class="panel" onSubmit={form.onSubmit} noValidate aria-labelledby="dispose-title">
      <h3 id="dispose-title">Dispose</h3>
      <Field form={form} name="reason" label="Reason" required hint="single use, dropped, expired, recall…" />
      <FormProblem state={form.state} />
      <SubmitButton state={form.state}>Dispose of it</SubmitButton>
    </form>
  );
}

function ActionButton<T>(p: {
  title: string;
  explain: string;
  label: string;
  run: () => Promise<Outcome<T>>;
  onDone: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const go = async () => {
    setBusy(true);
    setProblem(null);
    const out = await p.run();
    setBusy(false);
    if (out.ok) p.onDone();
    else setProblem(out.problem);
  };
  return (
    <div class="panel">
      <h3>{p.title}</h3>
      <p class="sub">{p.explain}</p>
      <ProblemNote problem={problem} />
      <button type="button" class="primary" disabled={busy} aria-busy={busy} onClick={() => void go()}>
        {busy ? 'Working…' : problem ? 'Try again' : p.label}
      </button>
    </div>
  );
}
