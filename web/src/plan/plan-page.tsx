// Plan a course (from a client's record): POST /api/v1/clients/{id}/courses plans from the client's latest
// intake and records the course. Shown: the course per area (band, device, needle range, interval), the visits
// on a month calendar, the review date and the costs; then the visits booked as appointments, each answered on
// its own line — a booking the interval rule refuses shows the server's reason and rule.
import { useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import type { Problem } from '../api/problem';
import { Field, FormProblem, ProblemNote, SubmitButton, useForm } from '../forms/form';
import { LoadProblem, useLoad, when } from '../load';
import { monthsOf, utcInstant, type CalendarVisit } from './calendar';

type Course = Schemas['Course'];
type PlanArea = Course['plan']['areas'][number];
type Money = { cents: number; currency: string } | null;

function money(m: Money): string {
  if (!m) return 'not priced';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: m.currency }).format(m.cents / 100);
}

const today = () => new Date().toISOString().slice(0, 10);

export function PlanPage({ id }: { id: string }) {
  const client = useLoad(() => call(api.GET('/api/v1/clients/{id}', { params: { path: { id } } })), [id]);
  const [course, setCourse] = useState<Course | null>(null);
  const form = useForm({
    initial: { start: today(), sessions_per_week: '' },
    required: ['start'],
    submit: (v) =>
      call(
        api.POST('/api/v1/clients/{id}/courses', {
          params: { path: { id } },
          body: {
            start: v.start,
            ...(v.sessions_per_week.trim() ? { sessions_per_week: Number(v.sessions_per_week) } : {}),
          },
        }),
      ),
    onSuccess: (c) => setCourse(c),
  });
  if (client.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Plan a course</h1>
        <p>Loading…</p>
      </section>
    );
  }
  if (client.state.kind === 'failed') {
    return (
      <section class="page">
        <h1>Plan a course</h1>
        <LoadProblem problem={client.state.problem} retry={client.reload} />
      </section>
    );
  }
  const c = client.state.data;
  return (
    <section class="page plan">
      <p class="crumbs">
        <a href="/clients">Clients</a> › <a href={`/clients/${encodeURIComponent(c.id)}`}>{c.name}</a> › Plan
      </p>
      <h1>Plan a course — {c.name}</h1>
      <form class="card" onSubmit={form.onSubmit} noValidate>
        <p class="sub">The course is planned from the client's latest intake and screening, and recorded.</p>
        <div class="grid2">
          <Field form={form} name="start" label="First visit" type="date" required />
          <Field
            form={form}
            name="sessions_per_week"
            label="Sessions per week"
            hint="Leave empty for the pack's own number."
          />
        </div>
        <FormProblem state={form.state} />
        <SubmitButton state={form.state}>{course ? 'Plan again' : 'Plan the course'}</SubmitButton>
      </form>
      {course ? <CourseView course={course} /> : null}
    </section>
  );
}

function CourseView({ course }: { course: Course }) {
  const plan = course.plan;
  const visits: CalendarVisit[] = plan.calendar.map((d) => ({
    date: d.date,
    areas: d.areas,
    review: plan.areas.some((a) => a.visits?.some((v) => v.date === d.date && v.review)),
  }));
  const reviews = [...new Set(plan.areas.map((a) => a.review_date).filter((d): d is string => !!d))];
  return (
    <div>
      <h2>Course {course.id}</h2>
      <p class="sub">
        Planned {when(course.created_at)} from intake {course.intake_id} (pack {plan.pack}); first visit {plan.start}.
      </p>
      {plan.warnings.length ? (
        <ul class="notice" aria-label="Warnings">
          {plan.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      <div class="table-wrap">
        <table class="course">
          <caption>The course per area</caption>
          <thead>
            <tr>
              <th scope="col">Area</th>
              <th scope="col">Band</th>
              <th scope="col">Device</th>
              <th scope="col">Needle</th>
              <th scope="col">Visits</th>
              <th scope="col">Review</th>
            </tr>
          </thead>
          <tbody>
            {plan.areas.map((a) => (
              <AreaRow key={a.area} a={a} />
            ))}
          </tbody>
        </table>
      </div>
      <dl class="facts">
        <dt>Review date</dt>
        <dd>{reviews.length ? reviews.join(', ') : 'none planned'}</dd>
        <dt>Course cost</dt>
        <dd>
          {plan.course_cost_min && plan.course_cost_max && plan.course_cost_min.cents !== plan.course_cost_max.cents
            ? `${money(plan.course_cost_min)} – ${money(plan.course_cost_max)}`
            : money(plan.course_cost_min ?? plan.course_cost_max)}
        </dd>
        {plan.home_device_price ? (
          <>
            <dt>Home device</dt>
            <dd>{money(plan.home_device_price)}</dd>
          </>
        ) : null}
        {plan.maintenance ? (
          <>
            <dt>Maintenance</dt>
            <dd>
              {plan.maintenance.device}, {plan.maintenance.sessions_per_week} a week from {plan.maintenance.start}:{' '}
              {plan.maintenance.note} <code>{plan.maintenance.rule}</code>
            </dd>
          </>
        ) : null}
      </dl>
      <h2>Visits</h2>
      <Calendar visits={visits} />
      <Booking course={course} />
    </div>
  );
}

function AreaRow({ a }: { a: PlanArea }) {
  if (a.refused) {
    return (
      <tr class="refused">
        <th scope="row">{a.area}</th>
        <td colSpan={5}>
          Not planned:{' '}
          {a.refusals.map((r) => (
            <span key={r.rule}>
              {r.message} <code>{r.rule}</code> ({r.source}){' '}
            </span>
          ))}
        </td>
      </tr>
    );
  }
  const [lo, hi] = a.needle_length_mm ?? [];
  return (
    <tr>
      <th scope="row">{a.area}</th>
      <td>
        {a.band} {a.band_rule ? <code>{a.band_rule}</code> : null}
      </td>
      <td>{a.device}</td>
      <td>
        {lo}–{hi} mm{a.max_safe_length_mm ? <span class="sub"> (safe to {a.max_safe_length_mm} mm)</span> : null}
      </td>
      <td>
        {a.visits?.length ?? 0}, {a.sessions_per_week} a week, at least {a.min_interval_days} days apart{' '}
        {a.course_rule ? <code>{a.course_rule}</code> : null}
      </td>
      <td>{a.review_date ?? '—'}</td>
    </tr>
  );
}

const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The visits on a month calendar: one grid per month, a week a row. */
export function Calendar({ visits }: { visits: readonly CalendarVisit[] }) {
  const months = monthsOf(visits);
  return (
    <div class="calendars">
      {months.map((m) => {
        const title = new Date(Date.UTC(m.year, m.month - 1, 1)).toLocaleDateString(undefined, {
          month: 'long',
          year: 'numeric',
          timeZone: 'UTC',
        });
        return (
          <table class="calendar" key={m.key} data-month={m.key}>
            <caption>{title}</caption>
            <thead>
              <tr>
                {weekdays.map((d) => (
                  <th scope="col" key={d}>
                    {d}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {m.weeks.map((w) => (
                <tr key={w[0]?.date}>
                  {w.map((d) => {
                    const visit = d.inMonth && d.visits.length > 0;
                    const review = visit && d.visits.some((v) => v.review);
                    return (
                      <td
                        key={d.date}
                        data-date={d.date}
                        class={[d.inMonth ? '' : 'out', visit ? 'visit' : '', review ? 'review' : ''].filter(Boolean).join(' ')}
                      >
                        <span class="num">{d.day}</span>
                        {visit ? (
                          <span class="what">
                            {d.visits.flatMap((v) => v.areas).join(', ')}
                            {review ? ' (review)' : ''}
                          </span>
                        ) : null}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        );
      })}
    </div>
  );
}

type Booked = { ok: true; id: number } | { ok: false; problem: Problem };

function Booking({ course }: { course: Course }) {
  const areas = course.plan.areas.filter((a) => !a.refused);
  const [time, setTime] = useState('10:00');
  const [needle, setNeedle] = useState<Record<string, string>>(() =>
    Object.fromEntries(areas.map((a) => [a.area, String(a.needle_length_mm?.[1] ?? '')])),
  );
  const [results, setResults] = useState<Record<string, Booked>>({});
  const [busy, setBusy] = useState(false);
  const visits = areas.flatMap((a) => (a.visits ?? []).map((v) => ({ area: a.area, ...v })));
  const allBooked = visits.length > 0 && visits.every((v) => results[`${v.area}@${v.date}`]?.ok);

  const book = async (area: string, date: string): Promise<Booked> => {
    const at = utcInstant(date, time);
    if (!at) return { ok: false, problem: { status: 0, code: 'invalid_value', message: 'Give a time as HH:MM.', field: 'at', rule: null } };
    const out = await call(
      api.POST('/api/v1/appointments', {
        body: { client_id: course.client_id, area, at, course_id: course.id, needle_length_mm: Number(needle[area]) },
      }),
    );
    return out.ok ? { ok: true, id: out.data.id } : { ok: false, problem: out.problem };
  };
  const bookAll = async () => {
    setBusy(true);
    for (const v of visits) {
      const key = `${v.area}@${v.date}`;
      if (results[key]?.ok) continue;
      const r = await book(v.area, v.date);
      setResults((s) => ({ ...s, [key]: r }));
    }
    setBusy(false);
  };
  return (
    <div class="card booking" aria-busy={busy}>
      <h2>Book the visits</h2>
      <div class="grid2">
        <div class="field">
          <label for="book-time">Time of each visit</label>
          <input id="book-time" type="time" value={time} onInput={(e) => setTime(e.currentTarget.value)} />
        </div>
        {areas.map((a) => (
          <div class="field" key={a.area}>
            <label for={`needle-${a.area}`}>Needle for {a.area} (mm)</label>
            <input
              id={`needle-${a.area}`}
              inputMode="decimal"
              value={needle[a.area]}
              onInput={(e) => {
                const v = e.currentTarget.value;
                setNeedle((s) => ({ ...s, [a.area]: v }));
              }}
            />
          </div>
        ))}
      </div>
      <ol class="items" aria-label="Visits to book">
        {visits.map((v) => {
          const key = `${v.area}@${v.date}`;
          const r = results[key];
          return (
            <li key={key} class={r && !r.ok ? 'item refused' : 'item'} data-visit={key}>
              <strong>
                Visit {v.number} — {v.area}, {v.date}
              </strong>
              {v.review ? <span class="badge">review</span> : null}
              {v.only_if_unresolved ? <span class="sub"> only if not yet resolved</span> : null}{' '}
              {r === undefined ? null : r.ok ? (
                <span class="ok">booked (appointment {r.id})</span>
              ) : (
                <ProblemNote problem={r.problem} kind="field" />
              )}
            </li>
          );
        })}
      </ol>
      <div class="actions">
        {allBooked ? (
          <p role="status" class="ok">
            All {visits.length} visits are booked.
          </p>
        ) : (
          <button type="button" class="primary" disabled={busy} onClick={() => void bookAll()}>
            {Object.values(results).some((r) => !r.ok) ? 'Try again' : 'Book all visits'}
          </button>
        )}
      </div>
      <ExtraVisit course={course} />
    </div>
  );
}

/** One more appointment outside the plan's dates: the interval rule decides, and its refusal is shown. */
function ExtraVisit({ course }: { course: Course }) {
  const first = course.plan.areas.find((a) => !a.refused);
  const [done, setDone] = useState<number | null>(null);
  const form = useForm({
    initial: { date: '', time: '10:00', area: first?.area ?? '', needle: String(first?.needle_length_mm?.[1] ?? '') },
    required: ['date', 'time', 'area', 'needle'],
    aliases: { at: 'date', needle_length_mm: 'needle' },
    submit: (v) => {
      const at = utcInstant(v.date, v.time) ?? `${v.date}T${v.time}`;
      return call(
        api.POST('/api/v1/appointments', {
          body: { client_id: course.client_id, area: v.area, at, course_id: course.id, needle_length_mm: Number(v.needle) },
        }),
      );
    },
    onSuccess: (a) => setDone(a.id),
  });
  return (
    <form onSubmit={form.onSubmit} noValidate class="extra">
      <h3>Another appointment</h3>
      <div class="grid2">
        <Field form={form} name="date" label="Date" type="date" required />
        <Field form={form} name="time" label="Time" required />
        <Field form={form} name="area" label="Area" required />
        <Field form={form} name="needle" label="Needle (mm)" required />
      </div>
      <FormProblem state={form.state} />
      {done !== null ? <p role="status">Booked: appointment {done}.</p> : null}
      <SubmitButton state={form.state}>Book</SubmitButton>
    </form>
  );
}
