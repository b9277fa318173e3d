// The aftercare sheet of a session: readable on screen, one clean A4 page in print (styles.css: @page A4 and
// the print rules under .aftercare-sheet), and the message the finish queued to the outbox, as the API has it.
import { api, call, type Schemas } from '../api/client';
import { localiseTimes, when } from '../api/time';
import { LoadProblem, useLoad } from '../load';
import { sessionDocument } from '../session/session-document';
import { sourceGroups } from './sheet-logic';

type Sheet = Schemas['AftercareSheet'];
type Session = Schemas['Session'];
type Outbox = Schemas['OutboxMessage'];

const phaseTitle: Record<Sheet['phases'][number]['phase'], string> = {
  first_day: 'The first day',
  while_healing: 'While the skin heals',
  always: 'Always',
};

async function loadSheet(id: string) {
  const detail = await call(api.GET('/api/v1/sessions/{id}', { params: { path: { id } } }));
  if (!detail.ok) return detail;
  const s = detail.data.session;
  const sheet = await call(
    api.POST('/api/v1/aftercare', {
      body: {
        session: sessionDocument(s),
        ...(s.finished_at ? { end: s.finished_at } : {}),
      },
    }),
  );
  if (!sheet.ok) return sheet;
  // The message the finish queued: the outbox holds it until it is marked sent (all=true finds it after).
  const outbox = await call(api.GET('/api/v1/outbox', { params: { query: { all: true, limit: 500 } } }));
  const queued: Outbox[] = outbox.ok ? outbox.data.items.filter((m) => m.session_id === s.id) : [];
  return { ok: true as const, data: { session: s, sheet: sheet.data, queued, outboxProblem: outbox.ok ? null : outbox.problem } };
}

export function AftercarePage({ id }: { id: string }) {
  const loaded = useLoad(() => loadSheet(id), [id]);
  if (loaded.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Aftercare</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (loaded.state.kind === 'failed') {
    return (
      <section class="page">
        <h1>Aftercare</h1>
        <LoadProblem problem={loaded.state.problem} retry={loaded.reload} />
      </section>
    );
  }
  const { session, sheet, queued, outboxProblem } = loaded.state.data;
  return (
    <section class="page">
      <div class="no-print">
        <p class="crumbs">
          <a href={`/clients/${encodeURIComponent(session.client_id)}`}>{session.client_id}</a> ›{' '}
          <a href={`/sessions/${session.id}`}>Session {session.id}</a> › Aftercare
        </p>
        <Queued session={session} queued={queued} problem={outboxProblem ? outboxProblem.message : null} />
        <p class="actions">
          <button type="button" class="primary" onClick={() => window.print()}>
            Print
          </button>
          <a class="button secondary" href={`/sessions/${session.id}/followup`}>
            Follow-up
          </a>
        </p>
      </div>
      <SheetView sheet={sheet} />
    </section>
  );
}

function Queued({ session, queued, problem }: { session: Session; queued: Outbox[]; problem: string | null }) {
  if (problem) return <p class="problem">The outbox could not be read: {problem}</p>;
  if (queued.length === 0) {
    return (
      <p class="notice" role="status">
        {session.finished_at ? 'No message of this session is in the outbox.' : 'The sheet is queued when the session finishes.'}
      </p>
    );
  }
  return (
    <div role="status">
      <ul class="notice outbox-status" aria-label="Outbox">
        {queued.map((m) => (
          <li key={m.id}>
            Queued to the outbox: message {m.id}, “{m.subject}”, {when(m.created_at)} —{' '}
            {m.sent_at ? `sent ${when(m.sent_at)} by ${m.sent_by}` : 'not sent yet'}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The sheet as the person takes it home. Every text of the server goes through localiseTimes: its sentences
 * quote times in UTC ("from 2026-12-08T03:21:38Z"), the sheet shows them in the clinic's locale and zone. */
export function SheetView({ sheet }: { sheet: Sheet }) {
  return (
    <article class="aftercare-sheet" aria-labelledby="sheet-title">
      <h1 id="sheet-title">Aftercare after micro-needling</h1>
      <p class="sheet-meta">
        Client {sheet.client_id} · {sheet.area} · needle {sheet.needle_length_mm} mm · session ended{' '}
        {when(sheet.session_end)}
      </p>
      {sheet.phases.map((ph) => (
        <section key={ph.phase} class="phase">
          <h2>
            {phaseTitle[ph.phase]} <span class="until">({localiseTimes(ph.until_text)})</span>
          </h2>
          {ph.instructions.length ? (
            <ul>
              {ph.instructions.map((t) => (
                <li key={t}>{localiseTimes(t)}</li>
              ))}
            </ul>
          ) : null}
          {ph.avoid.length ? <p><strong>Avoid:</strong> {localiseTimes(ph.avoid.join('; '))}.</p> : null}
          {ph.allow.length ? <p><strong>Allowed:</strong> {localiseTimes(ph.allow.join('; '))}.</p> : null}
          {ph.spf !== null ? <p><strong>Sunscreen:</strong> SPF {ph.spf} or more.</p> : null}
        </section>
      ))}
      {sheet.expected_reactions.length ? (
        <section class="phase">
          <h2>What to expect</h2>
          <ul>
            {sheet.expected_reactions.map((t) => (
              <li key={t}>{localiseTimes(t)}</li>
            ))}
          </ul>
        </section>
      ) : null}
      <section class="phase see-doctor">
        <h2>See a doctor if</h2>
        <ul>
          {sheet.see_doctor_if.map((t) => (
            <li key={t}>{localiseTimes(t)}</li>
          ))}
        </ul>
      </section>
      <p class="sources">Sources: {sourceGroups(sheet.sources).join('; ')}</p>
    </article>
  );
}
