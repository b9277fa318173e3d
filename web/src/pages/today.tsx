// Today: follow-ups due and open escalations (GET /api/v1/due; escalations in red), today's appointments
// (GET /api/v1/appointments, the server's today), and — for the roles that handle rollers — recalled lots whose
// rollers are not yet disposed of (GET /api/v1/recalls) and rollers expired or expiring soon (GET /api/v1/rollers);
// for the roles that may retry them, messages the mail relay refused or that ran out of attempts (GET
// /api/v1/outbox?state=failed), each with a Retry button (POST /api/v1/outbox/{id}/retry; docs/mail.md).
import { useState } from 'preact/hooks';
import { api, call, type Outcome } from '../api/client';
import type { Problem } from '../api/problem';
import { routeRoles } from '../api/route-roles.gen';
import { useMe } from '../auth';
import { ProblemNote } from '../forms/form';
import { LoadProblem, timeOfDay, useLoad, when } from '../load';
import { mayCall } from '../menu';
import { failedMessages, recallsToAct, rollersToWatch } from './today-logic';

function clientLink(id: string) {
  return <a href={`/clients/${encodeURIComponent(id)}`}>{id}</a>;
}

export function TodayPage() {
  const me = useMe();
  const due = useLoad(() => call(api.GET('/api/v1/due')), []);
  const appts = useLoad(() => call(api.GET('/api/v1/appointments', { params: { query: { limit: 500 } } })), []);
  const seesRollers = mayCall(routeRoles, me.role, 'GET /api/v1/rollers');
  const retriesMessages = mayCall(routeRoles, me.role, 'POST /api/v1/outbox/{id}/retry');
  return (
    <section class="page">
      <h1>Today</h1>
      <div class="columns">
        <section aria-labelledby="due-title" class="panel">
          <h2 id="due-title">Follow-ups and escalations</h2>
          {due.state.kind === 'loading' ? <p aria-busy="true">Loading…</p> : null}
          {due.state.kind === 'failed' ? <LoadProblem problem={due.state.problem} retry={due.reload} /> : null}
          {due.state.kind === 'ok' ? (
            due.state.data.items.length === 0 ? (
              <p>Nothing due.</p>
            ) : (
              <ul class="items">
                {due.state.data.items.map((item) => (
                  <li
                    key={`${item.kind}-${item.session_id}-${item.escalation_id ?? ''}`}
                    class={item.kind === 'escalation' ? 'item escalation' : 'item'}
                  >
                    <strong>{item.kind === 'escalation' ? 'Open escalation' : 'Follow-up due'}</strong>{' '}
                    {item.overdue ? <span class="badge warn">overdue</span> : null} — {clientLink(item.client_id)},
                    session {item.session_id}, {when(item.due_at)}
                    <div class="sub">{item.text}</div>
                  </li>
                ))}
              </ul>
            )
          ) : null}
        </section>
        <section aria-labelledby="appt-title" class="panel">
          <h2 id="appt-title">Appointments</h2>
          {appts.state.kind === 'loading' ? <p aria-busy="true">Loading…</p> : null}
          {appts.state.kind === 'failed' ? <LoadProblem problem={appts.state.problem} retry={appts.reload} /> : null}
          {appts.state.kind === 'ok' ? (
            appts.state.data.items.length === 0 ? (
              <p>No appointments today.</p>
            ) : (
              <ul class="items">
                {appts.state.data.items.map((a) => (
                  <li key={a.id} class={a.state === 'cancelled' ? 'item cancelled' : 'item'}>
                    <strong>{timeOfDay(a.at)}</strong> {clientLink(a.client_id)} — {a.area}, {a.needle_length_mm} mm
                    {a.state !== 'booked' ? <span class="badge"> {a.state}</span> : null}
                  </li>
                ))}
              </ul>
            )
          ) : null}
        </section>
        {retriesMessages ? <FailedMessagesPanel /> : null}
        {seesRollers ? <RollersPanel /> : null}
      </div>
    </section>
  );
}

function RollersPanel() {
  const rollers = useLoad(() => call(api.GET('/api/v1/rollers', { params: { query: { limit: 500 } } })), []);
  const recalls = useLoad(() => call(api.GET('/api/v1/recalls', { params: { query: { limit: 500 } } })), []);
  const today = new Date().toISOString().slice(0, 10);
  return (
    <>
    <section aria-labelledby="recalls-title" class="panel">
      <h2 id="recalls-title">Recalled lots still in stock</h2>
      {recalls.state.kind === 'loading' || rollers.state.kind === 'loading' ? <p aria-busy="true">Loading…</p> : null}
      {recalls.state.kind === 'failed' ? <LoadProblem problem={recalls.state.problem} retry={recalls.reload} /> : null}
      {recalls.state.kind === 'ok' && rollers.state.kind === 'ok'
        ? (() => {
            const act = recallsToAct(recalls.state.data.items, rollers.state.data.items);
            if (act.length === 0) return <p>None.</p>;
            return (
              <ul class="items" aria-label="Recalled lots still in stock">
                {act.map(({ recall, inStock }) => (
                  <li key={recall.lot} class="item escalation">
                    <a class="row-link" href={`/rollers/recall?lot=${encodeURIComponent(recall.lot)}`}>
                      <strong>Lot {recall.lot} recalled</strong> {when(recall.recalled_at)} — {inStock.length} roller
                      {inStock.length === 1 ? '' : 's'} not yet disposed of
                    </a>
                    <div class="sub">
                      {recall.reason}
                      {inStock.some((r) => r.client_id) ? (
                        <>
                          {' '}
                          · held for{' '}
                          {[...new Set(inStock.flatMap((r) => (r.client_id ? [r.client_id] : [])))].map((c, i) => (
                            <span key={c}>
                              {i > 0 ? ', ' : ''}
                              {clientLink(c)}
                            </span>
                          ))}
                        </>
                      ) : null}
                    </div>
                  </li>
                ))}
              </ul>
            );
          })()
        : null}
    </section>
    <section aria-labelledby="rollers-title" class="panel">
      <h2 id="rollers-title">Rollers expired or expiring within 30 days</h2>
      {rollers.state.kind === 'loading' ? <p aria-busy="true">Loading…</p> : null}
      {rollers.state.kind === 'failed' ? <LoadProblem problem={rollers.state.problem} retry={rollers.reload} /> : null}
      {rollers.state.kind === 'ok'
        ? (() => {
            const watch = rollersToWatch(rollers.state.data.items, today);
            if (watch.length === 0) return <p>None.</p>;
            return (
              <ul class="items">
                {watch.map(({ roller, days }) => (
                  <li key={roller.id} class={days < 0 ? 'item escalation' : 'item'}>
                    <strong>
                      {roller.device} lot {roller.lot} #{roller.serial}
                    </strong>{' '}
                    {days < 0 ? `expired ${roller.expiry}` : `expires ${roller.expiry} (in ${days} days)`}
                    {roller.client_id ? <> — {clientLink(roller.client_id)}</> : null}
                  </li>
                ))}
              </ul>
            );
          })()
        : null}
    </section>
    </>
  );
}

function FailedMessagesPanel() {
  const failed = useLoad(
    () => call(api.GET('/api/v1/outbox', { params: { query: { state: 'failed', limit: 500 } } })),
    [],
  );
  return (
    <section aria-labelledby="failed-mail-title" class="panel">
      <h2 id="failed-mail-title">Messages not delivered</h2>
      {failed.state.kind === 'loading' ? <p aria-busy="true">Loading…</p> : null}
      {failed.state.kind === 'failed' ? <LoadProblem problem={failed.state.problem} retry={failed.reload} /> : null}
      {failed.state.kind === 'ok'
        ? (() => {
            const list = failedMessages(failed.state.data.items);
            if (list.length === 0) return <p>None.</p>;
            return (
              <ul class="items" aria-label="Messages not delivered">
                {list.map((f) => (
                  <FailedMessage key={f.message.id} failed={f} onRetried={failed.reload} />
                ))}
              </ul>
            );
          })()
        : null}
    </section>
  );
}

function FailedMessage({
  failed,
  onRetried,
}: {
  failed: ReturnType<typeof failedMessages>[number];
  onRetried: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const retry = async () => {
    setBusy(true);
    setProblem(null);
    const out: Outcome<unknown> = await call(
      api.POST('/api/v1/outbox/{id}/retry', { params: { path: { id: String(failed.message.id) } } }),
    );
    setBusy(false);
    if (out.ok) onRetried();
    else setProblem(out.problem);
  };
  return (
    <li class="item escalation">
      <strong>{failed.message.subject}</strong> — to {failed.to}
      <div class="sub">
        {failed.attempts} attempt{failed.attempts === 1 ? '' : 's'}; the relay's last answer: {failed.answer}
      </div>
      <button
        type="button"
        class="secondary"
        disabled={busy}
        aria-label={`Retry message ${failed.message.id} to ${failed.to}`}
        onClick={() => void retry()}
      >
        Retry
      </button>
      <ProblemNote problem={problem} />
    </li>
  );
}
