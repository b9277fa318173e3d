// Clients: search by id or name (GET /api/v1/clients?q=), open a record, register a client
// (POST /api/v1/clients) — the form keeps what was typed when the server refuses, and says why by the field.
import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, call } from '../api/client';
import { routeRoles } from '../api/route-roles.gen';
import { useMe } from '../auth';
import { Field, FormActions, useForm } from '../forms/form';
import { ShowMore, usePaged } from '../forms/paged';
import { mayCall } from '../menu';
import { ClientDetailFields } from './client-fields';

export function ClientsPage() {
  const me = useMe();
  const { query, route } = useLocation();
  const q = query['q'] ?? '';
  const [text, setText] = useState(q);
  // The API pages by cursor (docs/server.md); "Show more" appends the next page (forms/paged.tsx).
  const found = usePaged(
    (cursor) => call(api.GET('/api/v1/clients', { params: { query: { ...(q ? { q } : {}), limit: 100, ...(cursor ? { cursor } : {}) } } })),
    [q],
    (c) => c.id,
  );
  const mayAdd = mayCall(routeRoles, me.role, 'POST /api/v1/clients');
  const [adding, setAdding] = useState(false);
  return (
    <section class="page">
      <div class="page-head">
        <h1>Clients</h1>
        {mayAdd && !adding ? (
          <button type="button" class="primary" onClick={() => setAdding(true)}>
            Add a client
          </button>
        ) : null}
      </div>
      {adding ? (
        <NewClientForm
          onCancel={() => setAdding(false)}
          onAdded={(id) => route(`/clients/${encodeURIComponent(id)}`)}
        />
      ) : null}
      <form
        role="search"
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          route(text ? `/clients?q=${encodeURIComponent(text)}` : '/clients');
        }}
      >
        <label for="client-search">Find a client by id or name</label>
        <div class="inline">
          <input id="client-search" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
          <button type="submit" class="secondary">
            Search
          </button>
        </div>
      </form>
      {!found.state.started && found.state.loading ? <p aria-busy="true">Loading…</p> : null}
      {found.state.started ? (
        found.state.items.length === 0 ? (
          <p>{q ? `No client matches “${q}”.` : 'No clients yet.'}</p>
        ) : (
          <ul class="items clients" aria-label="Clients found">
            {found.state.items.map((c) => (
              <li key={c.id} class="item">
                <a href={`/clients/${encodeURIComponent(c.id)}`} class="row-link">
                  <strong>{c.name}</strong> <span class="sub">{c.id}</span>
                  {c.date_of_birth ? <span class="sub"> · born {c.date_of_birth}</span> : null}
                </a>
              </li>
            ))}
          </ul>
        )
      ) : null}
      <ShowMore paged={found}>Show more clients</ShowMore>
    </section>
  );
}

function NewClientForm({ onCancel, onAdded }: { onCancel: () => void; onAdded: (id: string) => void }) {
  const form = useForm({
    initial: { id: '', name: '', date_of_birth: '', email: '', phone: '' },
    required: ['id', 'name'],
    submit: (v) =>
      call(
        api.POST('/api/v1/clients', {
          body: {
            id: v.id.trim(),
            name: v.name.trim(),
            ...(v.date_of_birth ? { date_of_birth: v.date_of_birth } : {}),
            ...(v.email.trim() ? { email: v.email.trim() } : {}),
            ...(v.phone.trim() ? { phone: v.phone.trim() } : {}),
          },
        }),
      ),
    onSuccess: (c) => onAdded(c.id),
  });
  return (
    <form class="card" onSubmit={form.onSubmit} noValidate aria-labelledby="new-client-title">
      <h2 id="new-client-title">Add a client</h2>
      <div class="grid2">
        <Field form={form} name="id" label="Client id" required hint="The clinic's own id, e.g. C-2026-014." autoFocus />
        <ClientDetailFields form={form} />
      </div>
      <FormActions state={form.state} onCancel={onCancel}>
        Add client
      </FormActions>
    </form>
  );
}
