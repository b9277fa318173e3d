// A client's record: who they are, and the timeline of everything recorded (GET /api/v1/clients/{id}/history).
import { api, call } from '../api/client';
import { routeRoles } from '../api/route-roles.gen';
import { useMe } from '../auth';
import { mayCall } from '../menu';
import { LoadProblem, useLoad, when } from '../load';
import { timeline } from './timeline';

export function ClientRecordPage({ id }: { id: string }) {
  const me = useMe();
  const history = useLoad(
    () => call(api.GET('/api/v1/clients/{id}/history', { params: { path: { id } } })),
    [id],
  );
  if (history.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Client {id}</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (history.state.kind === 'failed') {
    return (
      <section class="page">
        <h1>Client {id}</h1>
        <LoadProblem problem={history.state.problem} retry={history.reload} />
        <p>
          <a href="/clients">Back to clients</a>
        </p>
      </section>
    );
  }
  const h = history.state.data;
  const entries = timeline(h);
  return (
    <section class="page">
      <p class="crumbs">
        <a href="/clients">Clients</a> › {h.client.id}
      </p>
      <div class="page-head">
        <h1>{h.client.name}</h1>
        <div class="actions">
        {mayCall(routeRoles, me.role, 'POST /api/v1/intakes') ? (
          <a class="button primary" href={`/clients/${encodeURIComponent(h.client.id)}/intake`}>
            New intake and screening
          </a>
        ) : null}
        {mayCall(routeRoles, me.role, 'POST /api/v1/clients/{id}/courses') ? (
          <a class="button secondary" href={`/clients/${encodeURIComponent(h.client.id)}/plan`}>
            Plan a course
          </a>
        ) : null}
        {mayCall(routeRoles, me.role, 'POST /api/v1/sessions') ? (
          <a class="button secondary" href={`/clients/${encodeURIComponent(h.client.id)}/session`}>
            Start a session
          </a>
        ) : null}
        {mayCall(routeRoles, me.role, 'POST /api/v1/clients/{id}/photos') ? (
          <a class="button secondary" href={`/clients/${encodeURIComponent(h.client.id)}/photos`}>
            Photos
          </a>
        ) : null}
        </div>
      </div>
      <dl class="facts">
        <dt>Client id</dt>
        <dd>{h.client.id}</dd>
        <dt>Date of birth</dt>
        <dd>{h.client.date_of_birth ?? 'not recorded'}</dd>
        <dt>Registered</dt>
        <dd>{when(h.client.created_at)}</dd>
      </dl>
      <h2>Timeline</h2>
      {entries.length === 0 ? (
        <p>Nothing recorded yet: no intake, consent, course, appointment, session, follow-up or photo.</p>
      ) : (
        <ol class="timeline" aria-label="Timeline, newest first">
          {entries.map((e, i) => (
            <li key={i} class={`item kind-${e.kind}${e.alarm ? ' escalation' : ''}`}>
              <span class="when">{when(e.at)}</span>
              <strong>{e.title}</strong>
              <div class="sub">{e.detail}</div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
