// Recall a lot: everything the lot touched (GET /api/v1/recalls/{lot}) — its rollers, every session they were
// used in and every client — and recording the recall (POST /api/v1/recalls), after which the server refuses
// every use of the lot's rollers (RECORD.lot_recalled). A recall can be recorded before any roller of the lot is
// registered (the server then refuses registering one). Once recorded, the rollers still in stock can be
// disposed of with the recall as their reason (POST /api/v1/rollers/{id}/dispose).
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, call, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { Field, FormProblem, ProblemNote, SubmitButton, useForm } from '../forms/form';
import { LoadProblem, useLoad, when } from '../load';
import { rollerShown, shownLabel, todayUtc, toWithdraw } from './roller-logic';

export function RecallPage() {
  const { query, route } = useLocation();
  const lot = query['lot'] ?? '';
  const [text, setText] = useState(lot);
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/rollers">Rollers</a> › Recall
      </p>
      <h1>Recall a lot</h1>
      <form
        role="search"
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) route(`/rollers/recall?lot=${encodeURIComponent(text.trim())}`);
        }}
      >
        <label for="recall-lot">Lot number (type or scan)</label>
        <div class="inline">
          <input id="recall-lot" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} autoComplete="off" />
          <button type="submit" class="primary">
            Show what it touched
          </button>
        </div>
      </form>
      {lot ? <RecallResult key={lot} lot={lot} /> : null}
    </section>
  );
}

function RecallResult({ lot }: { lot: string }) {
  const recall = useLoad(() => call(api.GET('/api/v1/recalls/{lot}', { params: { path: { lot } } })), [lot]);
  // Kept here, not in the form: the list reloads after the disposals, and a refusal must stay on screen.
  const [failures, setFailures] = useState<{ id: number; problem: Problem }[]>([]);
  if (recall.state.kind === 'loading') return <p aria-busy="true">Loading…</p>;
  if (recall.state.kind === 'failed') {
    // A lot the clinic has no roller of can still be recalled: the notice may come before the delivery.
    if (recall.state.problem.status === 404) {
      return (
        <div>
          <p role="status">No roller of lot {lot} is registered, and it is not recalled.</p>
          <RecordRecall lot={lot} onDone={recall.reload} />
        </div>
      );
    }
    return <LoadProblem problem={recall.state.problem} retry={recall.reload} />;
  }
  const r = recall.state.data;
  const today = todayUtc();
  return (
    <div>
      <h2>
        Lot {r.lot}: {r.rollers.length} roller{r.rollers.length === 1 ? '' : 's'}, {r.sessions.length} session
        {r.sessions.length === 1 ? '' : 's'}, {r.clients.length} client{r.clients.length === 1 ? '' : 's'}
      </h2>
      {r.recall ? (
        <p class="problem" role="status">
          <strong>Recalled</strong> {when(r.recall.recalled_at)} by {r.recall.recorded_by}: {r.recall.reason}. Every use of
          its rollers is refused (rule RECORD.lot_recalled).
        </p>
      ) : (
        <RecordRecall lot={r.lot} onDone={recall.reload} />
      )}
      <div class="columns">
        <section class="panel" aria-labelledby="recall-clients">
          <h3 id="recall-clients">Clients to contact</h3>
          {r.clients.length === 0 ? (
            <p>No client was touched.</p>
          ) : (
            <ul class="items" aria-label="Clients touched">
              {r.clients.map((c) => (
                <li key={c} class="item">
                  <a class="row-link" href={`/clients/${encodeURIComponent(c)}`}>
                    {c}
                  </a>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section class="panel" aria-labelledby="recall-sessions">
          <h3 id="recall-sessions">Sessions</h3>
          {r.sessions.length === 0 ? (
            <p>No session used this lot.</p>
          ) : (
            <ul class="items" aria-label="Sessions touched">
              {r.sessions.map((s) => (
                <li key={s.id} class="item">
                  Session {s.id} — {s.client_id}, {s.area}, roller #{s.roller_id}, {when(s.started_at)}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <h3>Rollers of the lot</h3>
      <ul class="items" aria-label="Rollers of the lot">
        {r.rollers.map((x) => {
          const shown = rollerShown(x, today);
          return (
            <li key={x.id} class="item">
              <a class="row-link" href={`/rollers/${x.id}`}>
                #{x.id} {x.device} {x.serial ? `serial ${x.serial}` : ''} — <span class={`status status-${shown}`}>{shownLabel[shown]}</span>
                {x.client_id ? <span class="sub"> · {x.client_id}</span> : null}
              </a>
            </li>
          );
        })}
      </ul>
      {failures.map((f) => (
        <ProblemNote key={f.id} problem={f.problem} prefix={`Roller #${f.id}: `} />
      ))}
      {r.recall ? <Withdraw recall={r} onDone={(failed) => { setFailures(failed); recall.reload(); }} /> : null}
    </div>
  );
}

type Failure = { id: number; problem: Problem };

function Withdraw({ recall, onDone }: { recall: Schemas['Recall']; onDone: (failed: Failure[]) => void }) {
  const left = toWithdraw(recall.rollers);
  const [reason, setReason] = useState(`Recall of lot ${recall.lot}: ${recall.recall?.reason ?? ''}`);
  const [busy, setBusy] = useState(false);
  if (left.length === 0) {
    return (
      <p class="notice" role="status">
        Every roller of lot {recall.lot} is disposed of.
      </p>
    );
  }
  const go = async () => {
    setBusy(true);
    const failed: { id: number; problem: Problem }[] = [];
    for (const x of left) {
      const out = await call(api.POST('/api/v1/rollers/{id}/dispose', { params: { path: { id: String(x.id) } }, body: { reason } }));
      if (!out.ok) failed.push({ id: x.id, problem: out.problem });
    }
    setBusy(false);
    onDone(failed);
  };
  return (
    <form
      class="card"
      aria-labelledby="withdraw-title"
      onSubmit={(e) => {
        e.preventDefault();
        void go();
      }}
    >
      <h3 id="withdraw-title">Dispose of the lot's rollers</h3>
      <p>
        {left.length} roller{left.length === 1 ? ' is' : 's are'} not yet disposed of. The server already refuses every use
        of them; find them and record their disposal.
      </p>
      <div class="field">
        <label for="withdraw-reason">Reason recorded with each disposal</label>
        <input id="withdraw-reason" type="text" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </div>
      <button type="submit" class="primary" disabled={busy || reason.trim() === ''} aria-busy={busy}>
        {busy ? 'Working…' : `Dispose of ${left.length} roller${left.length === 1 ? '' : 's'}`}
      </button>
    </form>
  );
}

/** Records the recall of a lot: the manufacturer's notice as the reason. A refusal stays on screen with what was
 * typed (the form pattern). */
function RecordRecall({ lot, onDone }: { lot: string; onDone: () => void }) {
  const form = useForm({
    initial: { reason: '' },
    required: ['reason'],
    submit: (v) => call(api.POST('/api/v1/recalls', { body: { lot, reason: v.reason.trim() } })),
    onSuccess: () => onDone(),
  });
  return (
    <form class="card" onSubmit={form.onSubmit} noValidate aria-labelledby="record-recall-title">
      <h3 id="record-recall-title">Record the recall of lot {lot}</h3>
      <p>From then on the server refuses every registration, assignment, sterilisation and session with its rollers.</p>
      <Field form={form} name="reason" label="Reason (the manufacturer's notice)" required />
      <FormProblem state={form.state} />
      <SubmitButton state={form.state}>Record the recall of lot {lot}</SubmitButton>
    </form>
  );
}
