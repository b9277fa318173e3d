// A client's record: who they are (edited in place: PATCH /api/v1/clients/{id}, the form keeping what was typed
// and showing the server's refusal next to the field it names), and the timeline of everything recorded
// (GET /api/v1/clients/{id}/history), and home maintenance (home/home-section.tsx).
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { FormActions, ProblemNote, useForm } from '../forms/form';
import { routeRoles } from '../api/route-roles.gen';
import { useMe } from '../auth';
import { mayCall } from '../menu';
import { LoadProblem, useLoad, when } from '../load';
import { ClientDetailFields } from './client-fields';
import { timeline } from './timeline';
import { MessageConsent } from './message-consent';
import { StaffHomeMaintenance } from '../home/home-section';

export function ClientRecordPage({ id }: { id: string }) {
  const me = useMe();
  const [editing, setEditing] = useState(false);
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
  const mayEdit = mayCall(routeRoles, me.role, 'PATCH /api/v1/clients/{id}');
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
      {editing ? (
        <EditClientForm
          client={h.client}
          onCancel={() => setEditing(false)}
          onSaved={() => {
            setEditing(false);
            history.reload();
          }}
        />
      ) : (
        <>
          <dl class="facts" aria-label="Client details">
            <dt>Client id</dt>
            <dd>{h.client.id}</dd>
            <dt>Date of birth</dt>
            <dd>{h.client.date_of_birth ?? 'not recorded'}</dd>
            <dt>Email</dt>
            <dd>{h.client.email ?? 'not recorded'}</dd>
            <dt>Phone</dt>
            <dd>{h.client.phone ?? 'not recorded'}</dd>
            <dt>Registered</dt>
            <dd>{when(h.client.created_at)}</dd>
          </dl>
          {mayEdit ? (
            <button type="button" class="secondary" onClick={() => setEditing(true)}>
              Edit details
            </button>
          ) : null}
          {mayCall(routeRoles, me.role, 'POST /api/v1/clients/{id}/portal-link') ? (
            <SendPortalLink clientId={h.client.id} hasEmail={Boolean(h.client.email)} />
          ) : null}
          {mayCall(routeRoles, me.role, 'POST /api/v1/clients/{id}/portal-access/end') ? (
            <EndPortalAccess clientId={h.client.id} />
          ) : null}
        </>
      )}
      <MessageConsent
        clientId={h.client.id}
        consents={h.message_consents}
        mayRecord={mayCall(routeRoles, me.role, 'POST /api/v1/clients/{id}/message-consent')}
        onChanged={history.reload}
      />
      {mayCall(routeRoles, me.role, 'GET /api/v1/clients/{id}/home-rollers') ? (
        <StaffHomeMaintenance
          base={`/api/v1/clients/${encodeURIComponent(h.client.id)}`}
          courses={h.courses}
          mayWrite={mayCall(routeRoles, me.role, 'POST /api/v1/clients/{id}/home-sessions')}
        />
      ) : null}
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

/** The client's details as a form: only what changed is sent; an emptied email or phone is removed (null). */
function EditClientForm({ client, onCancel, onSaved }: { client: Schemas['Client']; onCancel: () => void; onSaved: () => void }) {
  const initial = {
    name: client.name,
    date_of_birth: client.date_of_birth ?? '',
    email: client.email ?? '',
    phone: client.phone ?? '',
  };
  const form = useForm({
    initial,
    required: ['name'],
    submit: (v) => {
      const body: Schemas['ClientChanges'] = {};
      if (v.name.trim() !== initial.name) body.name = v.name.trim();
      if (v.date_of_birth && v.date_of_birth !== initial.date_of_birth) body.date_of_birth = v.date_of_birth;
      if (v.email.trim() !== initial.email) body.email = v.email.trim() || null;
      if (v.phone.trim() !== initial.phone) body.phone = v.phone.trim() || null;
      return call(api.PATCH('/api/v1/clients/{id}', { params: { path: { id: client.id } }, body }));
    },
    onSuccess: () => onSaved(),
  });
  return (
    <form class="card" onSubmit={form.onSubmit} noValidate aria-labelledby="edit-client-title">
      <h2 id="edit-client-title">Edit details</h2>
      <div class="grid2">
        <ClientDetailFields form={form} editing autoFocus />
      </div>
      <FormActions state={form.state} onCancel={onCancel}>
        Save details
      </FormActions>
    </form>
  );
}

/** "Send portal link": a single-use sign-in link queued to the client's email (docs/portal.md). */
function SendPortalLink({ clientId, hasEmail }: { clientId: string; hasEmail: boolean }) {
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const send = async () => {
    setBusy(true);
    setProblem(null);
    const out = await call(api.POST('/api/v1/clients/{id}/portal-link', { params: { path: { id: clientId } } }));
    setBusy(false);
    if (out.ok) setSent(out.data.expires_at);
    else setProblem(out.problem);
  };
  return (
    <div class="portal-link">
      <button type="button" class="secondary" onClick={() => void send()} disabled={busy || !hasEmail} aria-busy={busy}>
        Send portal link
      </button>
      {!hasEmail ? <p class="sub">Add an email address to send a portal link.</p> : null}
      {sent ? (
        <p class="notice" role="status">
          A sign-in link is queued for the client's email; it works once, until {when(sent)}.
        </p>
      ) : null}
      <ProblemNote problem={problem} />
    </div>
  );
}

/** Ends the client's portal access (a lost phone, a client who leaves): every portal session signed out and the
 * calendar subscription stopped, after the user confirms. A new sign-in link opens it again. */
function EndPortalAccess({ clientId }: { clientId: string }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Schemas['PortalAccessEnded'] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const end = async () => {
    setBusy(true);
    setProblem(null);
    const out = await call(api.POST('/api/v1/clients/{id}/portal-access/end', { params: { path: { id: clientId } } }));
    setBusy(false);
    setAsking(false);
    if (out.ok) setDone(out.data);
    else setProblem(out.problem);
  };
  return (
    <div class="portal-link">
      {asking ? (
        <div class="card" role="group" aria-labelledby="end-access-title">
          <p id="end-access-title">
            Sign the client out of the portal on every device and stop their calendar subscription? A new sign-in
            link opens the portal again.
          </p>
          <div class="actions">
            <button type="button" class="danger" onClick={() => void end()} disabled={busy} aria-busy={busy}>
              End portal access
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="secondary" onClick={() => setAsking(true)}>
          End portal access…
        </button>
      )}
      {done ? (
        <p class="notice" role="status">
          Portal access ended: {done.sessions_ended} session{done.sessions_ended === 1 ? '' : 's'} signed out,{' '}
          {done.feeds_revoked} calendar subscription{done.feeds_revoked === 1 ? '' : 's'} stopped.
        </p>
      ) : null}
      <ProblemNote problem={problem} />
    </div>
  );
}
