// Log in with a name and password (POST /api/v1/auth/login). The answer sets the session and CSRF cookies;
// a one-time password leads to the password change (the shell asks /auth/me again).
import { api, call } from '../api/client';
import { Field, FormProblem, SubmitButton, useForm } from '../forms/form';

export function LoginPage({ notice, onLoggedIn }: { notice?: string | undefined; onLoggedIn: () => void }) {
  const form = useForm({
    initial: { name: '', password: '' },
    required: ['name', 'password'],
    submit: (v) => call(api.POST('/api/v1/auth/login', { body: { name: v.name, password: v.password } })),
    onSuccess: () => onLoggedIn(),
  });
  return (
    <main class="centre" id="main">
      <form class="card narrow" onSubmit={form.onSubmit} noValidate aria-labelledby="login-title">
        <h1 id="login-title">Needlework — log in</h1>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        <Field form={form} name="name" label="User name" autoComplete="username" required autoFocus />
        <Field form={form} name="password" label="Password" type="password" autoComplete="current-password" required />
        <FormProblem state={form.state} />
        <SubmitButton state={form.state}>Log in</SubmitButton>
      </form>
    </main>
  );
}
