// Change my password (POST /api/v1/auth/password): forced after a one-time password (the server answers
// 403 password_change_required to everything else until then), or chosen from the menu. The server's policy
// decides (at least 12 characters, not the name, not a common password): its refusal shows next to the field.
import { useContext, useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { LogoutContext, useMe, type Me } from '../auth';
import { Field, FormProblem, SubmitButton, useForm } from '../forms/form';

export function PasswordPage(p: { me: Me; firstLogin: boolean; onChanged: () => void; onLogout: () => void }) {
  const [done, setDone] = useState(false);
  const form = useForm({
    initial: { current_password: '', new_password: '', confirm: '' },
    required: ['current_password', 'new_password', 'confirm'],
    validate: (v) => (v.confirm !== v.new_password ? { confirm: 'The two new passwords differ.' } : {}),
    submit: (v) =>
      call(
        api.POST('/api/v1/auth/password', {
          body: { current_password: v.current_password, new_password: v.new_password },
        }),
      ),
    onSuccess: () => {
      setDone(true);
      p.onChanged();
    },
  });
  const logout = async () => {
    await call(api.POST('/api/v1/auth/logout'));
    p.onLogout();
  };
  const body = (
    <form class="card narrow" onSubmit={form.onSubmit} noValidate aria-labelledby="password-title">
      <h1 id="password-title">{p.firstLogin ? 'Choose your password' : 'Change your password'}</h1>
      {p.firstLogin ? (
        <p>
          {p.me.name}, you logged in with a one-time password. Choose your own to go on: at least 12 characters,
          not your name, not a common password.
        </p>
      ) : null}
      {done ? (
        <p class="notice" role="status">
          Your password is changed.
        </p>
      ) : null}
      <Field form={form} name="current_password" label="Current password" type="password" autoComplete="current-password" required autoFocus={p.firstLogin} />
      <Field form={form} name="new_password" label="New password" type="password" autoComplete="new-password" required hint="At least 12 characters." />
      <Field form={form} name="confirm" label="New password again" type="password" autoComplete="new-password" required />
      <FormProblem state={form.state} />
      <div class="actions">
        <SubmitButton state={form.state}>Change password</SubmitButton>
        {p.firstLogin ? (
          <button type="button" class="secondary" onClick={() => void logout()}>
            Log out
          </button>
        ) : null}
      </div>
    </form>
  );
  return p.firstLogin ? (
    <main class="centre" id="main">
      {body}
    </main>
  ) : (
    <section class="page">{body}</section>
  );
}

/** The page under the shell's menu. */
export function PasswordRoute() {
  const me = useMe();
  const onLogout = useContext(LogoutContext);
  return <PasswordPage me={me} firstLogin={false} onChanged={() => undefined} onLogout={onLogout} />;
}

