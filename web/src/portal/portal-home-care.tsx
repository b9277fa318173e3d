// The portal's home maintenance page (S2, the article's home roller): the client's own plan, the next day the
// pack's rule allows a home session, their home rollers, the sessions they logged and the log form — the
// section the staff record shows (home/home-section.tsx), served by the portal routes under /api/v1/portal,
// which answer only the signed-in client. A too-early session is refused by the server with its rule, shown
// next to the date.
import { api, call } from '../api/client';
import { HomeMaintenanceSection } from '../home/home-section';
import { LoadProblem, useLoad } from '../load';

export function PortalHomeCarePage() {
  const plan = useLoad(() => call(api.GET('/api/v1/portal/home-plan')), []);
  return (
    <section class="page">
      <p>
        <a href="/portal">← Your treatment</a>
      </p>
      <h1>Your home roller</h1>
      {plan.state.kind === 'loading' ? <p aria-busy="true">Loading…</p> : null}
      {plan.state.kind === 'failed' ? <LoadProblem problem={plan.state.problem} retry={plan.reload} /> : null}
      {plan.state.kind === 'ok' ? (
        <HomeMaintenanceSection
          base="/api/v1/portal"
          schedule={plan.state.data.maintenance ?? null}
          courseId={plan.state.data.course_id ?? null}
          areas={plan.state.data.areas}
          devices={plan.state.data.devices}
          next={plan.state.data.next}
          mayWrite
          viewer="client"
          onChanged={plan.reload}
        />
      ) : null}
    </section>
  );
}
