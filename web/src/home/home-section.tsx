// The "Home maintenance" section (S2), ONE component for the staff client record and the client portal: the
// plan's maintenance schedule, the next day the pack's rule allows per area (the portal's plan carries it), the
// client's home rollers with lot, days in use and uses, the home sessions, the form to register a roller and
// the log form (home-session-form.tsx). Everything is read and written under the API base path it is given
// (`/api/v1/clients/{id}` for staff, `/api/v1/portal` for the signed-in client); the caller gives the schedule
// and the pack's choices — staff from the client's courses and the vocabulary, the portal from its home plan.
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import { Field, FormProblem, SubmitButton, useForm } from '../forms/form';
import { LoadProblem, useLoad } from '../load';
import { SelectField } from '../rollers/select-field';
import { HomeSessionForm } from './home-session-form';
import {
  homeDevices,
  homeUrl,
  labelOf,
  loggedBy,
  requestJson,
  rollerLife,
  type HomeRollerLife,
  type HomeSession,
} from './home-logic';

type Choice = { id: string; label: string };

export interface HomeMaintenanceProps {
  /** The API base the client's home routes hang from. */
  base: string;
  /** The latest course's maintenance schedule, and that course's id (null: no course gives one). */
  schedule: Schemas['HomeMaintenanceSchedule'] | null;
  courseId: number | null;
  /** The pack's areas and home devices, for the forms. */
  areas: readonly Choice[];
  devices: readonly Choice[];
  /** Per area, the earliest day the pack's rule allows the next home session (the portal's plan). */
  next?: readonly Schemas['PortalHomePlan']['next'][number][];
  mayWrite: boolean;
  /** Who reads the page: the staff record or the client in the portal (how "logged by" reads). */
  viewer: 'staff' | 'client';
  /** Called after a roller is registered or a session logged (the caller reloads what depends on it). */
  onChanged?: () => void;
}

/** The staff client record's section: the schedule from the client's courses, the choices from the pack's
 * vocabulary. */
export function StaffHomeMaintenance(p: { base: string; courses: readonly Schemas['Course'][]; mayWrite: boolean }) {
  const vocab = useLoad(() => call(api.GET('/api/v1/vocabulary')), []);
  const latest = p.courses.length > 0 ? p.courses[p.courses.length - 1] : undefined;
  if (vocab.state.kind === 'failed') return <LoadProblem problem={vocab.state.problem} retry={vocab.reload} />;
  const v = vocab.state.kind === 'ok' ? vocab.state.data : null;
  return (
    <HomeMaintenanceSection
      base={p.base}
      schedule={latest?.plan.maintenance ?? null}
      courseId={latest?.id ?? null}
      areas={(v?.areas ?? []).map((a) => ({ id: a.id, label: a.label }))}
      devices={homeDevices(v?.devices ?? [])}
      mayWrite={p.mayWrite && v !== null}
      viewer="staff"
    />
  );
}

export function HomeMaintenanceSection(p: HomeMaintenanceProps) {
  const rollers = useLoad(
    () => requestJson<{ items: HomeRollerLife[] }>('GET', homeUrl(p.base, 'home-rollers')),
    [p.base],
  );
  const sessions = useLoad(
    () => requestJson<{ items: HomeSession[] }>('GET', homeUrl(p.base, 'home-sessions')),
    [p.base],
  );
  const [adding, setAdding] = useState(false);
  const reload = () => {
    rollers.reload();
    sessions.reload();
    p.onChanged?.();
  };
  const schedule = p.schedule;
  const today = new Date().toISOString().slice(0, 10);
  return (
    <section aria-labelledby="home-title">
      <h2 id="home-title">Home maintenance</h2>
      {schedule ? (
        <p>
          Plan{p.courseId !== null ? ` (course ${p.courseId})` : ''}: {schedule.device}, {schedule.sessions_per_week} a
          week from {schedule.start} ({schedule.rule}); first month: {schedule.first_month.join(', ')}.
        </p>
      ) : (
        <p>No planned course gives a home maintenance schedule yet.</p>
      )}
      {p.next && p.next.length > 0 ? (
        <ul aria-label="Next home session allowed">
          {p.next.map((n) => (
            <li key={n.area}>
              {n.area_label}: next home session from <strong>{n.earliest}</strong>
            </li>
          ))}
        </ul>
      ) : null}
      <h3>Home rollers</h3>
      {rollers.state.kind === 'loading' ? <p aria-busy="true">Loading…</p> : null}
      {rollers.state.kind === 'failed' ? <LoadProblem problem={rollers.state.problem} retry={rollers.reload} /> : null}
      {rollers.state.kind === 'ok' ? (
        rollers.state.data.items.length === 0 ? (
          <p>No home roller registered.</p>
        ) : (
          <ul aria-label="Home rollers">
            {rollers.state.data.items.map((r) => (
              <li key={r.id}>
                <strong>
                  {labelOf(p.devices, r.device)} {r.id}
                </strong>{' '}
                {rollerLife(r)}
              </li>
            ))}
          </ul>
        )
      ) : null}
      {p.mayWrite ? (
        adding ? (
          <AddHomeRollerForm
            base={p.base}
            today={today}
            devices={p.devices}
            onCancel={() => setAdding(false)}
            onAdded={() => {
              setAdding(false);
              reload();
            }}
          />
        ) : (
          <button type="button" class="secondary" onClick={() => setAdding(true)}>
            Register a home roller
          </button>
        )
      ) : null}
      <h3>Home sessions</h3>
      {sessions.state.kind === 'failed' ? <LoadProblem problem={sessions.state.problem} retry={sessions.reload} /> : null}
      {sessions.state.kind === 'ok' ? (
        sessions.state.data.items.length === 0 ? (
          <p>No home session logged.</p>
        ) : (
          <ol aria-label="Home sessions">
            {sessions.state.data.items.map((s) => (
              <li key={s.id}>
                {s.performed_on} — {labelOf(p.areas, s.area)} (roller {s.home_roller_id}, logged by{' '}
                {loggedBy(s.logged_by, p.viewer)})
                {s.note ? `: ${s.note}` : ''}
              </li>
            ))}
          </ol>
        )
      ) : null}
      {p.mayWrite && rollers.state.kind === 'ok' ? (
        <HomeSessionForm
          base={p.base}
          areas={p.areas}
          devices={p.devices}
          rollers={rollers.state.data.items}
          today={today}
          onLogged={reload}
        />
      ) : null}
    </section>
  );
}

function AddHomeRollerForm(p: {
  base: string;
  today: string;
  devices: readonly { id: string; label: string }[];
  onCancel: () => void;
  onAdded: () => void;
}) {
  const form = useForm<'device' | 'lot' | 'registered_on', HomeRollerLife>({
    initial: { device: p.devices[0]?.id ?? '', lot: '', registered_on: p.today },
    required: ['device', 'lot', 'registered_on'],
    submit: (v) =>
      requestJson('POST', homeUrl(p.base, 'home-rollers'), {
        device: v.device,
        lot: v.lot.trim(),
        registered_on: v.registered_on,
      }),
    onSuccess: () => p.onAdded(),
  });
  return (
    <form class="card" onSubmit={form.onSubmit} noValidate aria-labelledby="home-roller-title">
      <h3 id="home-roller-title">Register a home roller</h3>
      <div class="grid2">
        <SelectField
          form={form}
          name="device"
          label="Device"
          required
          options={p.devices.map((d) => ({ value: d.id, label: d.label }))}
        />
        <Field form={form} name="lot" label="Lot" required autoFocus />
        <Field form={form} name="registered_on" label="In use from" type="date" required />
      </div>
      <FormProblem state={form.state} />
      <div class="actions">
        <SubmitButton state={form.state}>Register</SubmitButton>
        <button type="button" class="secondary" onClick={p.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
