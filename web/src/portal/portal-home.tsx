// The portal's home: the client's sessions (each with its aftercare sheet and, once it has ended, the 24-hour
// self-check), upcoming visits with "add to calendar" (a subscription URL, or the .ics file to download), and
// the consents they signed. Everything comes from the portal routes, which answer only the signed-in client.
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { ProblemNote } from '../forms/form';
import { LoadProblem, useLoad, when } from '../load';
import { usePortalMe } from './portal-api';

type Feed = Schemas['PortalCalendarFeed'];

async function loadHome() {
  const [sessions, visits, consents] = await Promise.all([
    call(api.GET('/api/v1/portal/sessions', { params: { query: { limit: 500 } } })),
    call(api.GET('/api/v1/portal/visits', { params: { query: { limit: 500 } } })),
    call(api.GET('/api/v1/portal/consents', { params: { query: { limit: 500 } } })),
  ]);
  if (!sessions.ok) return sessions;
  if (!visits.ok) return visits;
  if (!consents.ok) return consents;
  return {
    ok: true as const,
    data: { sessions: sessions.data.items, visits: visits.data.items, consents: consents.data.items },
  };
}

export function PortalHome() {
  const me = usePortalMe();
  const home = useLoad(loadHome, []);
  if (home.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Hello, {me.client.name}</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (home.state.kind === 'failed') {
    return (
      <section class="page">
        <h1>Hello, {me.client.name}</h1>
        <LoadProblem problem={home.state.problem} retry={home.reload} />
      </section>
    );
  }
  const { sessions, visits, consents } = home.state.data;
  const newestFirst = [...sessions].reverse();
  return (
    <section class="page">
      <h1>Hello, {me.client.name}</h1>
      <h2 id="sessions-title">Your sessions</h2>
      {newestFirst.length === 0 ? (
        <p>No session yet.</p>
      ) : (
        <ul class="list" aria-labelledby="sessions-title">
          {newestFirst.map((s) => (
            <li class="item" key={s.id}>
              <strong>
                {s.area_label} — {when(s.started_at)}
              </strong>
              <div class="sub">{s.finished ? `Ended ${when(s.finished_at)}` : 'In progress'}</div>
              {s.finished ? (
                <div class="actions">
                  <a class="button secondary" href={`/portal/sessions/${s.id}/aftercare`}>
                    Aftercare sheet
                  </a>
                  <a class="button primary" href={`/portal/sessions/${s.id}/self-check`}>
                    How is your skin? (self-check)
                  </a>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      <h2 id="home-care-title">Your home roller</h2>
      <p>
        Between visits, the home roller keeps up the effect of the treatment.{' '}
        <a class="button secondary" href="/portal/home-care">
          Home roller: log a session
        </a>
      </p>
      <h2 id="visits-title">Upcoming visits</h2>
      {visits.length === 0 ? (
        <p>No visit booked.</p>
      ) : (
        <ul class="list" aria-labelledby="visits-title">
          {visits.map((v) => (
            <li class="item" key={v.id}>
              <strong>{when(v.at)}</strong> <span class="sub">{v.area_label}</span>
            </li>
          ))}
        </ul>
      )}
      {visits.length > 0 ? <AddToCalendar /> : null}
      <h2 id="consents-title">Consents you signed</h2>
      {consents.length === 0 ? (
        <p>No consent on file.</p>
      ) : (
        <ul class="list" aria-labelledby="consents-title">
          {consents.map((c) => (
            <li class="item" key={c.id}>
              <strong>Signed {when(c.signed_at)}</strong> by {c.signer}
              <div class="sub">
                Version <code>{c.version.slice(0, 12)}</code>
                {c.withdrawn_at ? ` — withdrawn ${when(c.withdrawn_at)}` : ''}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A calendar subscription of the upcoming visits: the feed's URL to paste into a calendar app, and the same
 * feed as a file to open once. */
function AddToCalendar() {
  const [feed, setFeed] = useState<Feed | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const make = async () => {
    setBusy(true);
    setProblem(null);
    const out = await call(api.POST('/api/v1/portal/calendar'));
    setBusy(false);
    if (out.ok) setFeed(out.data);
    else setProblem(out.problem);
  };
  if (!feed) {
    return (
      <div class="actions">
        <button type="button" class="secondary" onClick={() => void make()} disabled={busy} aria-busy={busy}>
          Add to calendar
        </button>
        <ProblemNote problem={problem} />
      </div>
    );
  }
  return (
    <div class="card" role="status" aria-labelledby="calendar-title">
      <h3 id="calendar-title">Your visits in your calendar</h3>
      <p>Subscribe to this address in your calendar app; it stays up to date as visits are booked:</p>
      <p>
        <code class="feed-url">{feed.url}</code>
      </p>
      <a class="button secondary" href={feed.path} download="visits.ics">
        Download the visits (.ics)
      </a>
    </div>
  );
}
