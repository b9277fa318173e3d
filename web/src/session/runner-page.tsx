// The session runner: the protocol as a checklist (each step recorded with POST …/steps), the timed steps
// with real countdowns (their durations from the protocol the API returns; their start instants in
// localStorage, so a reload finds them), charting per zone on the face map with the dose from the physics
// engine — each zone stored by the server and shown from the session detail with its density heatmap and
// depth-by-layer shares — and finishing, which queues the aftercare sheet.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, call, type Schemas } from '../api/client';
import { routeRoles } from '../api/route-roles.gen';
import { describeProblem, type Problem } from '../api/problem';
// The engine's stroke directions: one list for the app (api/directions.ts).
import { strokeDirections as directionNames } from '../api/directions';
import { ProblemNote } from '../forms/form';
import { useMe } from '../auth';
import { mayCall } from '../menu';
import { LoadProblem, useLoad, when } from '../load';
import { BodyMap } from '../intake/body-map';
import { countdown, minutesSeconds, rangeText, resetTimer, startTimer, storedStart } from './timers';
import { DoseView } from './dose-view';
import { zonesScaleMax } from './chart-scale';
import { sessionDocument } from './session-document';

type Detail = Schemas['SessionDetail'];
type Protocol = Schemas['Protocol'];
type ProtocolStep = Protocol['steps'][number];
type VocabArea = NonNullable<Schemas['Vocabulary']['areas']>[number];

/** The protocol of a stored session, as the API computes it (the same input the start used). */
function protocolOf(d: Detail) {
  return call(api.POST('/api/v1/protocol', { body: sessionDocument(d.session) }));
}

/** Date.now(), re-read every second while the page is open (a test's clock control moves it). */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

type Loaded = { kind: 'loading' } | { kind: 'failed'; problem: Problem } | { kind: 'ok'; detail: Detail; protocol: Protocol };

export function SessionRunnerPage({ id }: { id: string }) {
  const me = useMe();
  const [state, setState] = useState<Loaded>({ kind: 'loading' });
  const vocab = useLoad(() => call(api.GET('/api/v1/vocabulary')), []);
  const load = async () => {
    setState({ kind: 'loading' });
    const detail = await call(api.GET('/api/v1/sessions/{id}', { params: { path: { id } } }));
    if (!detail.ok) return setState({ kind: 'failed', problem: detail.problem });
    const protocol = await protocolOf(detail.data);
    if (!protocol.ok) return setState({ kind: 'failed', problem: protocol.problem });
    setState({ kind: 'ok', detail: detail.data, protocol: protocol.data });
  };
  // A step recorded or a zone charted: the session again, keeping what the page shows meanwhile.
  const refresh = async () => {
    const detail = await call(api.GET('/api/v1/sessions/{id}', { params: { path: { id } } }));
    if (detail.ok) setState((s) => (s.kind === 'ok' ? { ...s, detail: detail.data } : s));
  };
  useEffect(() => {
    void load();
  }, [id]);

  if (state.kind === 'failed') {
    return (
      <section class="page">
        <h1>Session {id}</h1>
        {state.problem.status === 403 ? (
          <p class="sub">
            The server refused to show this session (403 {state.problem.code}): charting and the protocol are clinical work.
          </p>
        ) : null}
        <LoadProblem problem={state.problem} retry={() => void load()} />
      </section>
    );
  }
  if (state.kind === 'loading' || vocab.state.kind === 'loading') {
    return (
      <section class="page" aria-busy="true">
        <h1>Session {id}</h1>
        <p>Loading…</p>
      </section>
    );
  }
  const d = state.detail;
  const p = state.protocol;
  const areas = vocab.state.kind === 'ok' ? (vocab.state.data.areas ?? []) : [];
  const s = d.session;
  const finished = s.finished_at !== null;
  return (
    <section class="page runner">
      <p class="crumbs">
        <a href="/clients">Clients</a> › <a href={`/clients/${encodeURIComponent(s.client_id)}`}>{s.client_id}</a> › Session {s.id}
      </p>
      <div class="page-head">
        <h1>
          Session {s.id} — {s.area}
        </h1>
        {finished ? <span class="badge">finished {when(s.finished_at)}</span> : <span class="badge live">in progress</span>}
      </div>
      <dl class="facts">
        <dt>Client</dt>
        <dd>{s.client_id}</dd>
        <dt>Roller</dt>
        <dd>
          {s.roller_id} ({s.device}, {s.needle_length_mm} mm)
        </dd>
        <dt>Band</dt>
        <dd>{p.band}</dd>
        <dt>Started</dt>
        <dd>{when(s.started_at)}</dd>
        {s.acknowledged?.length ? (
          <>
            <dt>Acknowledged</dt>
            <dd>
              {s.acknowledged.map((r) => (
                <code key={r}>{r} </code>
              ))}
            </dd>
          </>
        ) : null}
      </dl>
      {p.depth_guard.filter((g) => !g.within).map((g) => (
        <p class="notice" key={g.rule}>
          <code>{g.rule}</code> ({g.source}): {g.summary} — {g.acknowledged ? 'acknowledged' : g.action}
        </p>
      ))}
      <Checklist detail={d} protocol={p} finished={finished} onChange={() => void refresh()} />
      {mayCall(routeRoles, me.role, 'POST /api/v1/sessions/{id}/chart') && !finished ? (
        <Charting detail={d} areas={areas} onCharted={() => void refresh()} />
      ) : null}
      <ChartedZones detail={d} />
      {s.notes ? (
        <>
          <h2>Notes</h2>
          <pre class="notes">{s.notes}</pre>
        </>
      ) : null}
      {finished ? (
        <p class="actions">
          <a class="button primary" href={`/sessions/${s.id}/aftercare`}>
            Aftercare sheet
          </a>
          <a class="button secondary" href={`/sessions/${s.id}/followup`}>
            Follow-up
          </a>
        </p>
      ) : (
        <Finish detail={d} />
      )}
    </section>
  );
}

function Checklist({ detail, protocol, finished, onChange }: { detail: Detail; protocol: Protocol; finished: boolean; onChange: () => void }) {
  const now = useNow();
  const sid = String(detail.session.id);
  const [problems, setProblems] = useState<Record<string, Problem>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const [, setTick] = useState(0);
  const done = new Map(detail.checklist.map((c) => [c.step, c.done_at]));
  const steps = [...protocol.steps].filter((st) => done.has(st.step)).sort((a, b) => a.order - b.order);
  const record = async (step: string) => {
    setBusy(step);
    const out = await call(api.POST('/api/v1/sessions/{id}/steps', { params: { path: { id: sid } }, body: { step } }));
    setBusy(null);
    if (out.ok) {
      setProblems((p) => {
        const n = { ...p };
        delete n[step];
        return n;
      });
      onChange();
    } else setProblems((p) => ({ ...p, [step]: out.problem }));
  };
  return (
    <>
      <h2>Protocol</h2>
      <ol class="checklist" aria-label="Protocol checklist">
        {steps.map((st) => {
          const at = done.get(st.step) ?? null;
          return (
            <li key={st.step} class={at ? 'step done' : 'step'} data-step={st.step}>
              <div class="step-head">
                <strong>
                  {st.order}. {st.title}
                </strong>
                {at ? <span class="ok">✓ done {when(at)}</span> : null}
              </div>
              <p class="sub">
                {st.instruction} <span class="src">({st.source})</span>
              </p>
              {st.duration_min && !at ? (
                <Timer
                  sid={sid}
                  step={st}
                  now={now}
                  onReset={() => {
                    resetTimer(localStorage, sid, st.step);
                    setTick((t) => t + 1);
                  }}
                  onStart={() => {
                    startTimer(localStorage, sid, st.step, Date.now());
                    setTick((t) => t + 1);
                  }}
                />
              ) : null}
              {!at && !finished ? (
                <button type="button" class="secondary" disabled={busy === st.step} onClick={() => void record(st.step)}>
                  {problems[st.step] ? 'Try again' : `Done: ${st.title}`}
                </button>
              ) : null}
              {problems[st.step] ? (
                <p class="field-error" role="alert">
                  {describeProblem(problems[st.step]!)}
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
    </>
  );
}

function Timer({ sid, step, now, onStart, onReset }: { sid: string; step: ProtocolStep; now: number; onStart: () => void; onReset: () => void }) {
  const range = step.duration_min ?? [];
  const start = storedStart(localStorage, sid, step.step);
  const c = countdown(start, now, range);
  const label = `${step.title}: ${rangeText(range)}`;
  return (
    <div class={`timer timer-${c.phase}`} data-phase={c.phase}>
      {c.phase === 'not_started' ? (
        <button type="button" class="primary" onClick={onStart}>
          Start timer ({rangeText(range)})
        </button>
      ) : (
        <>
          <span role="timer" aria-label={label} class="clock">
            {c.phase === 'running'
              ? `${minutesSeconds(c.toMinMs)} until ${range[0]} min`
              : c.phase === 'ready'
                ? `Ready: ${minutesSeconds(c.toMaxMs)} left of ${range[1] ?? range[0]} min`
                : `Over ${range[1] ?? range[0]} min by ${minutesSeconds(c.elapsedMs - (range[1] ?? range[0] ?? 0) * 60_000)}`}
          </span>
          <span class="sub"> started {new Date(start ?? 0).toLocaleTimeString()}</span>
          <button type="button" class="secondary" onClick={onReset}>
            Restart timer
          </button>
        </>
      )}
    </div>
  );
}

function Charting({ detail, areas, onCharted }: { detail: Detail; areas: readonly VocabArea[]; onCharted: () => void }) {
  const s = detail.session;
  const area = areas.find((a) => a.id === s.area);
  const zones = area?.skin_regions ?? [];
  const charted = detail.zones ?? [];
  const [zone, setZone] = useState(zones[0] ?? '');
  const [passes, setPasses] = useState('4');
  const [directions, setDirections] = useState<string[]>(['horizontal', 'vertical']);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const sid = String(s.id);

  // The server simulates the zone's own skin region and stores the zone's record (charting it again replaces
  // it); the session detail then lists it, with its figures, and its heatmap is drawn from what was stored.
  const chart = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const out = await call(
      api.POST('/api/v1/sessions/{id}/chart', {
        params: { path: { id: sid } },
        body: { zone, passes: Number(passes), directions },
      }),
    );
    setBusy(false);
    if (!out.ok) return setProblem(out.problem);
    onCharted();
  };

  // The map draws areas; the zone chosen and the zones charted are marked on their own shapes.
  const mapRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    mapRef.current?.querySelectorAll('path[data-region]').forEach((el) => {
      const region = el.getAttribute('data-region') ?? '';
      el.classList.toggle('zone', region === zone);
      el.classList.toggle('charted', charted.some((d) => d.zone === region));
    });
  });
  const onMapClick = (e: MouseEvent) => {
    const region = (e.target as Element | null)?.closest?.('[data-region]')?.getAttribute('data-region');
    if (region && zones.includes(region)) setZone(region);
  };
  return (
    <div class="charting">
      <h2>Charting</h2>
      <form class="card" onSubmit={(e) => void chart(e)} noValidate aria-busy={busy}>
        <div class="chart-map" ref={mapRef} onClick={onMapClick}>
          <BodyMap
            areas={areas.filter((a) => a.id === s.area)}
            marks={{ treat: [s.area], marked: [] }}
            modeLabel="choose the zone to chart"
            mode="treat"
            onTap={() => undefined}
          />
        </div>
        <fieldset class={problem?.field === 'zone' ? 'field-invalid' : undefined}>
          <legend>Zone</legend>
          <div class="chips">
            {zones.map((z) => (
              <label class="choice" key={z}>
                <input type="radio" name="zone" value={z} checked={zone === z} onChange={() => setZone(z)} />
                {z.replace(/_/g, ' ')}
                {charted.some((d) => d.zone === z) ? ' ✓' : ''}
              </label>
            ))}
          </div>
        </fieldset>
        <div class={problem?.field === 'passes' ? 'field field-invalid' : 'field'}>
          <label for="f-passes">Passes</label>
          <input id="f-passes" inputMode="numeric" value={passes} onInput={(e) => setPasses(e.currentTarget.value)} aria-invalid={problem?.field === 'passes' ? 'true' : undefined} />
        </div>
        <fieldset>
          <legend>Directions (in turn)</legend>
          <div class="chips">
            {directionNames.map((dname) => (
              <label class="choice" key={dname}>
                <input
                  type="checkbox"
                  checked={directions.includes(dname)}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setDirections((l) => (on ? [...l, dname] : l.filter((x) => x !== dname)));
                  }}
                />
                {dname.replace('_', '-')}
              </label>
            ))}
          </div>
        </fieldset>
        {problem ? (
          <p class="problem" role="alert">
            {describeProblem(problem)}
            {problem.field ? <span class="sub"> ({problem.field})</span> : null}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Working…' : problem ? 'Try again' : `Chart the ${zone.replace(/_/g, ' ') || 'zone'} (dose from physics)`}
        </button>
      </form>
    </div>
  );
}

/** The zones charted in the session, as stored: each with its figures, heatmap and layer shares. */
function ChartedZones({ detail }: { detail: Detail }) {
  const zones = detail.zones ?? [];
  if (!zones.length) return null;
  const scaleMax = zonesScaleMax(zones.map((z) => z.density_per_cm2));
  return (
    <div class="charted-zones">
      <h2>Zones charted</h2>
      {zones.map((z) => (
        <DoseView key={z.zone} sid={String(detail.session.id)} zone={z} scaleMax={scaleMax} />
      ))}
    </div>
  );
}

function Finish({ detail }: { detail: Detail }) {
  const { route } = useLocation();
  const missing = detail.checklist.filter((c) => c.done_at === null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const finish = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const out = await call(
      api.POST('/api/v1/sessions/{id}/finish', {
        params: { path: { id: String(detail.session.id) } },
        body: reason.trim() ? { missing_steps_reason: reason } : {},
      }),
    );
    setBusy(false);
    if (out.ok) route(`/sessions/${detail.session.id}/aftercare`);
    else setProblem(out.problem);
  };
  return (
    <form class="card" onSubmit={(e) => void finish(e)} noValidate>
      <h2>Finish</h2>
      {missing.length ? (
        <div class={problem?.field === 'missing_steps_reason' ? 'field field-invalid' : 'field'}>
          <label for="f-missing">Why {missing.length === 1 ? 'a step is' : `${missing.length} steps are`} not done</label>
          <input id="f-missing" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </div>
      ) : (
        <p>Every step is done.</p>
      )}
      <ProblemNote problem={problem} />
      <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
        {problem ? 'Try again' : 'Finish the session'}
      </button>
    </form>
  );
}
