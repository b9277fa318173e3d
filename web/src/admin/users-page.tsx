// Staff users (admin): add one with a role (the server makes a one-time password, shown once here), change a
// role, disable or enable a login, reset a password (a new one-time one); and API keys: make one for a user
// (the key shown once), revoke one. Every refusal is the server's, next to the field it names.
import { useState } from 'preact/hooks';
import { api, call, type Outcome, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { useMe } from '../auth';
import { Field, FormActions, FormProblem, ProblemNote, SubmitButton, useForm } from '../forms/form';
import { ShowMore, usePaged } from '../forms/paged';
import { LoadProblem, useLoad, when } from '../load';
import { SelectField } from '../rollers/select-field';

const roles = ['admin', 'practitioner', 'reception', 'auditor'] as const;
type Role = (typeof roles)[number];
type UserRow = Schemas['UserPage']['items'][number];

/** A secret the server shows once (a one-time password, an API key): on screen until dismissed. */
interface Secret {
  what: string;
  value: string;
}

export function UsersPage() {
  // The staff list's pages (forms/paged.tsx): "Show more" appends the next.
  const users = usePaged(
    (cursor) => call(api.GET('/api/v1/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } })),
    [],
    (u) => u.id,
  );
  const keys = useLoad(() => call(api.GET('/api/v1/api-keys', { params: { query: { limit: 500 } } })), []);
  const [secret, setSecret] = useState<Secret | null>(null);
  const [adding, setAdding] = useState(false);
  const loading = (!users.state.started && users.state.loading) || keys.state.kind === 'loading';
  const userList = users.state.items;
  return (
    <section class="page" aria-busy={loading ? 'true' : undefined}>
      <div class="page-head">
        <h1>Users</h1>
        {!adding ? (
          <button type="button" class="primary" onClick={() => setAdding(true)}>
            Add a user
          </button>
        ) : null}
      </div>
      {secret ? (
        <div class="card secret" role="status" aria-labelledby="secret-title">
          <h2 id="secret-title">{secret.what}</h2>
          <p>Shown only now: give it to the person, it cannot be seen again.</p>
          <p>
            <code class="secret-value">{secret.value}</code>
          </p>
          <button type="button" class="secondary" onClick={() => setSecret(null)}>
            Done
          </button>
        </div>
      ) : null}
      {adding ? (
        <NewUserForm
          onCancel={() => setAdding(false)}
          onAdded={(r) => {
            setAdding(false);
            if (r.one_time_password) setSecret({ what: `One-time password for ${r.user.name}`, value: r.one_time_password });
            users.reload();
          }}
        />
      ) : null}
      {users.state.started ? (
        <ul class="items users" aria-label="Staff users">
          {userList.map((u) => (
            <UserItem
              key={u.id}
              user={u}
              onChanged={users.reload}
              onSecret={(s) => {
                setSecret(s);
                users.reload();
              }}
            />
          ))}
        </ul>
      ) : null}
      <ShowMore paged={users}>Show more users</ShowMore>
      <h2>API keys</h2>
      {keys.state.kind === 'failed' ? <LoadProblem problem={keys.state.problem} retry={keys.reload} /> : null}
      {keys.state.kind === 'ok' ? (
        <ApiKeys
          keys={keys.state.data.items}
          users={userList}
          onChanged={keys.reload}
          onSecret={(s) => {
            setSecret(s);
            keys.reload();
          }}
        />
      ) : null}
    </section>
  );
}

const roleOptions = roles.map((r) => ({ value: r, label: r }));

function NewUserForm({ onCancel, onAdded }: { onCancel: () => void; onAdded: (r: Schemas['NewUserResult']) => void }) {
  const form = useForm({
    initial: { name: '', role: 'practitioner' },
    required: ['name', 'role'],
    submit: (v) => call(api.POST('/api/v1/users', { body: { name: v.name.trim(), role: v.role as Role } })),
    onSuccess: onAdded,
  });
  return (
    <form class="card" onSubmit={form.onSubmit} noValidate aria-labelledby="new-user-title">
      <h2 id="new-user-title">Add a user</h2>
      <p class="sub">The server makes a one-time password; the person chooses their own at first login.</p>
      <div class="grid2">
        <Field form={form} name="name" label="User name" required autoComplete="off" autoFocus />
        <SelectField form={form} name="role" label="Role" required options={roleOptions} />
      </div>
      <FormActions state={form.state} onCancel={onCancel}>
        Add user
      </FormActions>
    </form>
  );
}

/** One button's request: busy while it runs, its refusal shown beside it. */
function useAction() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const run = async <T,>(request: () => Promise<Outcome<T>>, onOk: (data: T) => void) => {
    setBusy(true);
    setProblem(null);
    const out = await request();
    setBusy(false);
    if (out.ok) onOk(out.data);
    else setProblem(out.problem);
  };
  return { busy, problem, run };
}

function UserItem({ user, onChanged, onSecret }: { user: UserRow; onChanged: () => void; onSecret: (s: Secret) => void }) {
  const me = useMe();
  const [role, setRole] = useState<string>(user.role);
  const action = useAction();
  const enabled = user.login?.enabled ?? false;
  const self = user.id === me.id;
  const roleId = `role-${user.id}`;
  return (
    <li class="item user">
      <div class="user-head">
        <strong>{user.name}</strong> <span class="sub">({user.role})</span>
        <span class={enabled ? 'status status-new' : 'status status-disposed'}>
          {user.login ? (enabled ? 'login enabled' : 'login disabled') : 'no login'}
        </span>
        {user.login?.must_change_password ? <span class="badge">must change password</span> : null}
        <span class="sub"> · since {when(user.created_at)}</span>
      </div>
      <div class="inline user-actions">
        <label for={roleId} class="sr-only">
          Role of {user.name}
        </label>
        <select id={roleId} value={role} onChange={(e) => setRole(e.currentTarget.value)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <button
          type="button"
          class="secondary"
          disabled={action.busy || role === user.role}
          aria-label={`Change role of ${user.name}`}
          onClick={() =>
            void action.run(
              () => call(api.PATCH('/api/v1/users/{id}', { params: { path: { id: String(user.id) } }, body: { role: role as Role } })),
              onChanged,
            )
          }
        >
          Change role
        </button>
        {user.login ? (
          <button
            type="button"
            class="secondary"
            disabled={action.busy || self}
            aria-label={`${enabled ? 'Disable' : 'Enable'} the login of ${user.name}`}
            onClick={() =>
              void action.run(
                () => call(api.PATCH('/api/v1/users/{id}', { params: { path: { id: String(user.id) } }, body: { disabled: enabled } })),
                onChanged,
              )
            }
          >
            {enabled ? 'Disable' : 'Enable'}
          </button>
        ) : null}
        <button
          type="button"
          class="secondary"
          disabled={action.busy || self}
          aria-label={`Reset password of ${user.name}`}
          onClick={() =>
            void action.run(
              () => call(api.POST('/api/v1/users/{id}/reset-password', { params: { path: { id: String(user.id) } } })),
              (r) => {
                if (r.one_time_password) onSecret({ what: `New one-time password for ${user.name}`, value: r.one_time_password });
                else onChanged();
              },
            )
          }
        >
          Reset password
        </button>
      </div>
      <ProblemNote problem={action.problem} />
    </li>
  );
}

function ApiKeys({
  keys,
  users,
  onChanged,
  onSecret,
}: {
  keys: Schemas['ApiKey'][];
  users: UserRow[];
  onChanged: () => void;
  onSecret: (s: Secret) => void;
}) {
  const me = useMe();
  const nameOf = (id: number) => users.find((u) => u.id === id)?.name ?? `user ${id}`;
  const form = useForm({
    initial: { label: '', user_id: String(me.id) },
    required: ['label'],
    submit: (v) => call(api.POST('/api/v1/api-keys', { body: { label: v.label.trim(), user_id: Number(v.user_id) } })),
    onSuccess: (k) => onSecret({ what: `API key “${k.label}” for ${nameOf(k.user_id)}`, value: k.key }),
  });
  const revoke = useAction();
  return (
    <div>
      {keys.length === 0 ? <p>No API key yet.</p> : null}
      <ul class="items" aria-label="API keys">
        {keys.map((k) => (
          <li key={k.id} class="item inline api-key">
            <span>
              <strong>{k.label}</strong> <span class="sub">for {nameOf(k.user_id)}, made {when(k.created_at)} by {k.created_by}</span>
              {k.revoked_at ? <span class="status status-disposed"> revoked {when(k.revoked_at)}</span> : null}
            </span>
            {!k.revoked_at ? (
              <button
                type="button"
                class="secondary"
                disabled={revoke.busy}
                aria-label={`Revoke the key ${k.label}`}
                onClick={() => void revoke.run(() => call(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: String(k.id) } } })), onChanged)}
              >
                Revoke
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <ProblemNote problem={revoke.problem} />
      <form class="card" onSubmit={form.onSubmit} noValidate aria-labelledby="new-key-title">
        <h3 id="new-key-title">Make an API key</h3>
        <div class="grid2">
          <Field form={form} name="label" label="Label" required hint="What it is for, e.g. the booking system." />
          <SelectField form={form} name="user_id" label="Acts as" options={users.map((u) => ({ value: String(u.id), label: `${u.name} (${u.role})` }))} />
        </div>
        <FormProblem state={form.state} />
        <SubmitButton state={form.state}>Make the key</SubmitButton>
      </form>
    </div>
  );
}
