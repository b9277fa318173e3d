// Recall a lot: everything the lot touched (GET /api/v1/recalls/{lot}) — its rollers, every session they were
// used in and every client — and taking the lot out of use: each roller not yet disposed is disposed with the
// recall as its reason (POST /api/v1/rollers/{id}/dispose), after which the server refuses any session with it.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, call, type Schemas } from '../api/client';
import { describeProblem, type Problem } from '../api/problem';
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
  if (recall.state.kind === 'failed') return <LoadProblem problem={recall.state.problem} retry={recall.reload} />;
  const r = recall.state.data;
  const today = todayUtc();
  return (
    <div>
      <h2>
        Lot {r.lot}: {r.rollers.length} roller{r.rollers.length === 1 ? '' : 's'}, {r.sessions.length} session
        {r.sessions.length === 1 ? '' : 's'}, {r.clients.length} client{r.clients.length === 1 ? '' : 's'}
      </h2>
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
        <div key={f.id} class="problem" role="alert">
          Roller #{f.id}: {describeProblem(f.problem)}
        </div>
      ))}
      <Withdraw recall={r} onDone={(failed) => { setFailures(failed); recall.reload(); }} />
    </div>
  );
}

type Failure = { id: number; problem: Problem };

function Withdraw({ recall, onDone }: { recall: Schemas['Recall']; onDone: (failed: Failure[]) => void }) {
  const left = toWithdraw(recall.rollers);
  const [reason, setReason] = useState(`Recall of lot ${recall.lot}`);
  const [busy, setBusy] = useState(false);
  if (left.length === 0) {
    return (
      <p class="notice" role="status">
        Every roller of lot {recall.lot} is disposed: no session can use it.
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
      <h3 id="withdraw-title">Take the lot out of use</h3>
      <p>
        {left.length} roller{left.length === 1 ? ' is' : 's are'} still in use. Disposing of them stops every session with
        them.
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
