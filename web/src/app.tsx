// The shell: asks the server who is logged in, shows the login or the first-login password change until
// there is a session that may work, then the menu (only what the role may do) and the pages.
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Router, Route, useLocation } from 'preact-iso';
import { api, call, onProblem } from './api/client';
import { LogoutContext, MeContext, type AuthState, type Me } from './auth';
import { menuFor, type Role } from './menu';
import { routeRoles } from './api/route-roles.gen';
import { LoginPage } from './pages/login';
import { PasswordPage, PasswordRoute } from './pages/password';
import { TodayPage } from './pages/today';
import { ClientsPage } from './pages/clients';
import { ClientRecordPage } from './pages/client-record';
import { NotFoundPage } from './pages/not-found';
import { IntakePage } from './intake/intake-page';
// The clinical flow: plan, session runner, aftercare, follow-up.
import { PlanPage } from './plan/plan-page';
import { SessionStartPage } from './session/start-page';
import { SessionRunnerPage } from './session/runner-page';
import { AftercarePage } from './aftercare/aftercare-page';
import { FollowupPage } from './followup/followup-page';
// Inventory and admin pages (rollers, simulator, photos, audit, users).
import { RollersPage } from './rollers/rollers-page';
import { RollerPage } from './rollers/roller-page';
import { RecallPage } from './rollers/recall-page';
import { SimulatorPage } from './simulator/simulator-page';
import { PhotosPage } from './photos/photos-page';
import { AuditPage } from './admin/audit-page';
import { UsersPage } from './admin/users-page';
// The client portal: its own sign-in and shell (docs/portal.md).
import { PortalApp } from './portal/portal-app';
import { UnsubscribePage } from './pages/unsubscribe';

/** The portal's pages are under /portal; everything else is the staff app. */
const inPortal = () => window.location.pathname === '/portal' || window.location.pathname.startsWith('/portal/');

function toMe(u: { id: number; name: string; role: string }): Me {
  return { id: u.id, name: u.name, role: u.role as Role };
}

export function App() {
  // The unsubscribe link of a message works without any login (the token is the key).
  if (window.location.pathname === '/unsubscribe') return <UnsubscribePage />;
  return inPortal() ? <PortalApp /> : <StaffApp />;
}

function StaffApp() {
  const [auth, setAuth] = useState<AuthState>({ kind: 'loading' });

  const refresh = async () => {
    const out = await call(api.GET('/api/v1/auth/me'));
    if (!out.ok && out.problem.status === 403) {
      // A client's portal session, no staff login: a client only ever sees the portal.
      window.location.assign('/portal');
      return;
    }
    if (!out.ok) {
      setAuth({ kind: 'anonymous' });
      return;
    }
    const me = toMe(out.data.user);
    setAuth(out.data.must_change_password ? { kind: 'must_change', me } : { kind: 'in', me });
  };

  useEffect(() => {
    void refresh();
    // A session that ends (idle, expired, password changed elsewhere) or a one-time password sends the person
    // to the form that lets them go on; the page's own form keeps what they typed meanwhile.
    return onProblem((p) => {
      if (p.status === 401 && p.code === 'unauthorized') {
        setAuth((a) =>
          a.kind === 'in' || a.kind === 'must_change'
            ? { kind: 'anonymous', notice: 'Your session ended. Log in again to go on.' }
            : a,
        );
      } else if (p.code === 'password_change_required') {
        setAuth((a) => (a.kind === 'in' ? { kind: 'must_change', me: a.me } : a));
      }
    });
  }, []);

  if (auth.kind === 'loading') {
    return (
      <main class="centre" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (auth.kind === 'anonymous') {
    return <LoginPage notice={auth.notice} onLoggedIn={() => void refresh()} />;
  }
  if (auth.kind === 'must_change') {
    return <PasswordPage me={auth.me} firstLogin onChanged={() => void refresh()} onLogout={() => setAuth({ kind: 'anonymous' })} />;
  }
  return (
    <MeContext.Provider value={auth.me}>
      <LogoutContext.Provider value={() => setAuth({ kind: 'anonymous', notice: 'You are logged out.' })}>
        <LocationProvider>
          <Shell me={auth.me} onLogout={() => setAuth({ kind: 'anonymous', notice: 'You are logged out.' })} />
        </LocationProvider>
      </LogoutContext.Provider>
    </MeContext.Provider>
  );
}

function Shell({ me, onLogout }: { me: Me; onLogout: () => void }) {
  const { path } = useLocation();
  const entries = menuFor(routeRoles, me.role);
  const [loggingOut, setLoggingOut] = useState(false);
  const logout = async () => {
    setLoggingOut(true);
    await call(api.POST('/api/v1/auth/logout'));
    // Whatever the answer, this page forgets the session; the server ends it (or it had already ended).
    onLogout();
  };
  const current = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(href + '/'));
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Needlework</span>
        <nav aria-label="Main">
          <ul class="menu">
            {entries.map((e) => (
              <li key={e.href}>
                <a href={e.href} aria-current={current(e.href) ? 'page' : undefined}>
                  {e.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>
            {me.name} <span class="role">({me.role})</span>
          </span>
          <a href="/password" class="button secondary">
            Password
          </a>
          <button type="button" class="secondary" onClick={() => void logout()} disabled={loggingOut}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Router>
          <Route path="/" component={TodayPage} />
          <Route path="/clients" component={ClientsPage} />
          <Route path="/clients/:id" component={ClientRecordPage} />
          <Route path="/clients/:id/intake" component={IntakePage} />
          <Route path="/clients/:id/plan" component={PlanPage} />
          <Route path="/clients/:id/session" component={SessionStartPage} />
          <Route path="/sessions/:id" component={SessionRunnerPage} />
          <Route path="/sessions/:id/aftercare" component={AftercarePage} />
          <Route path="/sessions/:id/followup" component={FollowupPage} />
          <Route path="/password" component={PasswordRoute} />
          {/* Inventory and admin pages. */}
          <Route path="/rollers" component={RollersPage} />
          <Route path="/rollers/recall" component={RecallPage} />
          <Route path="/rollers/:id" component={RollerPage} />
          <Route path="/simulator" component={SimulatorPage} />
          <Route path="/clients/:id/photos" component={PhotosPage} />
          <Route path="/audit" component={AuditPage} />
          <Route path="/users" component={UsersPage} />
          <Route default component={NotFoundPage} />
        </Router>
      </main>
    </div>
  );
}
