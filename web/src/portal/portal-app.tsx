// The client portal (docs/portal.md): everything under /portal. A client signs in with a single-use link sent by
// email (the sign-in page asks for one; the link's landing page exchanges its token for a portal session) and
// then sees only their own records: sessions with aftercare sheets, the 24-hour self-check, upcoming visits
// with a calendar subscription, consents signed, and their home roller (home maintenance). Its own shell: no
// staff menu, no staff page. A new portal page is a route below (and a route in src/server/routes_portal.cpp
// or, for home maintenance, routes_home.cpp).
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { api, call, onProblem } from '../api/client';
import type { Problem } from '../api/problem';
import { Field, FormProblem, ProblemNote, SubmitButton, useForm } from '../forms/form';
import { PortalMeContext, tokenFromHash, type PortalMe } from './portal-api';
import { PortalHome } from './portal-home';
import { PortalAftercarePage } from './portal-aftercare';
import { SelfCheckPage } from './self-check';
import { PortalHomeCarePage } from './portal-home-care';

type PortalAuth = { kind: 'loading' } | { kind: 'anonymous'; notice?: string } | { kind: 'in'; me: PortalMe };

export function PortalApp() {
  const [auth, setAuth] = useState<PortalAuth>({ kind: 'loading' });
  const refresh = async () => {
    const out = await call(api.GET('/api/v1/portal/me'));
    setAuth(out.ok ? { kind: 'in', me: out.data } : { kind: 'anonymous' });
  };
  useEffect(() => {
    const landing = window.location.pathname === '/portal/sign-in' && tokenFromHash(window.location.hash);
    if (!landing) void refresh();
    return onProblem((p) => {
      if (p.status === 401 && p.code === 'unauthorized') {
        setAuth((a) =>
          a.kind === 'in' ? { kind: 'anonymous', notice: 'Your session ended. Ask for a new sign-in link to go on.' } : a,
        );
      }
    });
  }, []);

  const token = window.location.pathname === '/portal/sign-in' ? tokenFromHash(window.location.hash) : null;
  if (token && auth.kind !== 'in') {
    return (
      <LinkLanding
        token={token}
        onSignedIn={() => {
          // The token is used up: it leaves the address bar (and the history) before anything else happens.
          window.history.replaceState(null, '', '/portal');
          void refresh();
        }}
      />
    );
  }
  if (auth.kind === 'loading') {
    return (
      <main class="centre" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (auth.kind === 'anonymous') return <RequestLinkPage notice={auth.notice} />;
  return (
    <PortalMeContext.Provider value={auth.me}>
      <LocationProvider>
        <PortalShell me={auth.me} onSignedOut={() => setAuth({ kind: 'anonymous', notice: 'You are signed out.' })} />
      </LocationProvider>
    </PortalMeContext.Provider>
  );
}

function PortalShell({ me, onSignedOut }: { me: PortalMe; onSignedOut: () => void }) {
  const { path } = useLocation();
  const [busy, setBusy] = useState(false);
  const signOut = async () => {
    setBusy(true);
    await call(api.POST('/api/v1/portal/logout'));
    window.history.replaceState(null, '', '/portal');
    onSignedOut();
  };
  return (
    <div class="shell portal">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/portal" aria-current={path === '/portal' ? 'page' : undefined}>
          Your treatment
        </a>
        <div class="who">
          <span>{me.client.name}</span>
          <button type="button" class="secondary" onClick={() => void signOut()} disabled={busy}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Router>
          <Route path="/portal" component={PortalHome} />
          <Route path="/portal/sign-in" component={PortalHome} />
          <Route path="/portal/sessions/:id/aftercare" component={PortalAftercarePage} />
          <Route path="/portal/sessions/:id/self-check" component={SelfCheckPage} />
          <Route path="/portal/home-care" component={PortalHomeCarePage} />
          <Route default component={PortalNotFound} />
        </Router>
      </main>
    </div>
  );
}

function PortalNotFound() {
  return (
    <section class="page">
      <h1>Not found</h1>
      <p>
        There is no such page in your portal. <a href="/portal">Back to your treatment</a>.
      </p>
    </section>
  );
}

/** The sign-in page: an email address, and a link on its way if the clinic knows it (the same answer either
 * way: the server never tells whether an address is known). */
export function RequestLinkPage({ notice, problem }: { notice?: string | undefined; problem?: Problem | null }) {
  const [sent, setSent] = useState<string | null>(null);
  const form = useForm({
    initial: { email: '' },
    required: ['email'],
    submit: (v) => call(api.POST('/api/v1/portal/link', { body: { email: v.email } })),
    onSuccess: (data) => setSent(data.message),
  });
  return (
    <main class="centre" id="main">
      <form class="card narrow" onSubmit={form.onSubmit} noValidate aria-labelledby="portal-title">
        <h1 id="portal-title">Sign in to your treatment</h1>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        <ProblemNote problem={problem} />
        <p class="sub">We send you a link to sign in with: it works once, for 15 minutes.</p>
        <Field form={form} name="email" label="Your email address" type="email" autoComplete="email" required />
        <FormProblem state={form.state} />
        {sent ? (
          <p class="notice" role="status">
            {sent}
          </p>
        ) : null}
        <SubmitButton state={form.state}>{sent ? 'Send another link' : 'Send me a link'}</SubmitButton>
      </form>
    </main>
  );
}

/** Where a sign-in link lands: its token is posted once; a used or expired link says so and offers a new one. */
function LinkLanding({ token, onSignedIn }: { token: string; onSignedIn: () => void }) {
  const [problem, setProblem] = useState<Problem | null>(null);
  useEffect(() => {
    let live = true;
    void call(api.POST('/api/v1/portal/session', { body: { token } })).then((out) => {
      if (!live) return;
      if (out.ok) onSignedIn();
      else {
        window.history.replaceState(null, '', '/portal/sign-in');
        setProblem(out.problem);
      }
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token]);
  if (!problem) {
    return (
      <main class="centre" aria-busy="true">
        <p>Signing you in…</p>
      </main>
    );
  }
  return <RequestLinkPage problem={problem} />;
}
