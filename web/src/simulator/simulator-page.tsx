// The simulator: a device (GET /api/v1/devices), a skin region (GET /api/v1/regions), a needle and strokes →
// the physics engine's answer (POST /api/v1/simulate), drawn: the density heatmap (the server's PNG, on one
// colour scale for every device shown, with its legend), the depth-by-layer histogram, the needle tip path and
// slit (the server's SVG), and the resealing curves of the answer. A second device runs side by side.
import { useEffect, useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import { directionLabel, strokeDirections } from '../api/directions';
import type { Problem } from '../api/problem';
import { ProblemNote } from '../forms/form';
import { LoadProblem, useLoad } from '../load';
import { colourAt, layerBars, openCurve, pathOf, scaleTicks, sharedScaleMax, simulateDocument } from './sim-logic';

type Run = Schemas['SimulationRun'];
type Device = Schemas['DeviceComparison'][number];

interface Result {
  device: string;
  run: Run | null;
  heatmap: string | null;
  tipPath: string | null;
  problem: Problem | null;
}

function firstRun(s: Schemas['Simulation']): Run {
  return (Array.isArray(s) ? s[0] : s) as Run;
}

export function SimulatorPage() {
  const devices = useLoad(() => call(api.GET('/api/v1/devices')), []);
  const regions = useLoad(() => call(api.GET('/api/v1/regions')), []);
  const [deviceA, setDeviceA] = useState('');
  const [deviceB, setDeviceB] = useState('');
  const [region, setRegion] = useState('');
  const [needle, setNeedle] = useState('');
  const [directions, setDirections] = useState<string[]>(['horizontal', 'vertical', 'diagonal']);
  const [passes, setPasses] = useState('');
  const [seed, setSeed] = useState('1');
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<Result[]>([]);
  const [scaleMax, setScaleMax] = useState(0);

  const deviceList = devices.state.kind === 'ok' ? devices.state.data : [];
  const regionList = regions.state.kind === 'ok' ? regions.state.data.regions : [];
  const chosenA = deviceA || deviceList[0]?.id || '';

  // The object URLs of the pictures are freed when replaced or when the page goes.
  useEffect(
    () => () => {
      for (const r of results) {
        if (r.heatmap) URL.revokeObjectURL(r.heatmap);
        if (r.tipPath) URL.revokeObjectURL(r.tipPath);
      }
    },
    [results],
  );

  const simulate = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const chosen = [chosenA, ...(deviceB && deviceB !== chosenA ? [deviceB] : [])];
    const docs = chosen.map((device) =>
      simulateDocument({ device, region, needle_length_mm: needle, directions, passes_per_direction: passes, seed }),
    );
    const runs = await Promise.all(
      docs.map((doc) => call(api.POST('/api/v1/simulate', { body: doc as Schemas['SimulateDocument'] }))),
    );
    const targets = runs.flatMap((r) => (r.ok ? [firstRun(r.data).density.target_per_cm2] : []));
    const top = sharedScaleMax(targets);
    const out: Result[] = await Promise.all(
      docs.map(async (doc, i): Promise<Result> => {
        const device = chosen[i] ?? '';
        const answer = runs[i];
        if (!answer || !answer.ok) return { device, run: null, heatmap: null, tipPath: null, problem: answer && !answer.ok ? answer.problem : null };
        const body = doc as Schemas['SimulateDocument'];
        const [png, svg] = await Promise.all([
          call<Blob>(api.POST('/api/v1/simulate/heatmap.png', { body, params: { query: { heatmap_max: top } }, parseAs: 'blob' }) as never),
          call<Blob>(api.POST('/api/v1/simulate/picture.svg', { body, params: { query: { picture: 'tip_path' } }, parseAs: 'blob' }) as never),
        ]);
        return {
          device,
          run: firstRun(answer.data),
          heatmap: png.ok ? URL.createObjectURL(png.data) : null,
          tipPath: svg.ok ? URL.createObjectURL(svg.data) : null,
          problem: !png.ok ? png.problem : !svg.ok ? svg.problem : null,
        };
      }),
    );
    setScaleMax(top);
    setResults(out);
    setBusy(false);
  };

  const loading = devices.state.kind === 'loading' || regions.state.kind === 'loading';
  return (
    <section class="page" aria-busy={loading || busy ? 'true' : undefined}>
      <h1>Simulator</h1>
      <p class="sub">
        The physics engine on a device, a skin region and a stroke plan; nothing is stored. Choose a second device to compare.
      </p>
      {devices.state.kind === 'failed' ? <LoadProblem problem={devices.state.problem} retry={devices.reload} /> : null}
      {regions.state.kind === 'failed' ? <LoadProblem problem={regions.state.problem} retry={regions.reload} /> : null}
      <form class="card" onSubmit={(e) => void simulate(e)} aria-labelledby="sim-form-title">
        <h2 id="sim-form-title">What to simulate</h2>
        <div class="grid2">
          <DeviceSelect id="sim-device" label="Device" devices={deviceList} value={chosenA} onChange={setDeviceA} />
          <DeviceSelect id="sim-device-b" label="Compare with" devices={deviceList} value={deviceB} onChange={setDeviceB} none="No second device" />
          <div class="field">
            <label for="sim-region">Skin region</label>
            <select id="sim-region" value={region} onChange={(e) => setRegion(e.currentTarget.value)}>
              <option value="">The engine’s default</option>
              {regionList.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="sim-needle">Needle length (mm)</label>
            <input id="sim-needle" type="text" inputMode="decimal" value={needle} placeholder="the device’s own" onInput={(e) => setNeedle(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="sim-passes">Passes per direction</label>
            <input id="sim-passes" type="text" inputMode="numeric" value={passes} placeholder="default" onInput={(e) => setPasses(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="sim-seed">Seed</label>
            <input id="sim-seed" type="text" inputMode="numeric" value={seed} onInput={(e) => setSeed(e.currentTarget.value)} />
          </div>
        </div>
        <fieldset class="chips-set">
          <legend>Stroke directions</legend>
          <div class="chips">
            {strokeDirections.map((d) => (
              <label key={d} class="choice">
                <input
                  type="checkbox"
                  checked={directions.includes(d)}
                  onChange={(e) =>
                    setDirections((ds) => (e.currentTarget.checked ? [...ds, d] : ds.filter((x) => x !== d)))
                  }
                />
                {directionLabel(d)}
              </label>
            ))}
          </div>
        </fieldset>
        <button type="submit" class="primary" disabled={busy || !chosenA}>
          {busy ? 'Simulating…' : 'Simulate'}
        </button>
      </form>
      {results.length ? (
        <>
          <Legend max={scaleMax} />
          <div class={results.length > 1 ? 'side-by-side' : ''}>
            {results.map((r, i) => (
              <DeviceColumn key={`${r.device}-${i}`} result={r} index={i} />
            ))}
          </div>
        </>
      ) : null}
    </section>
  );
}

/** The colour scale every heatmap on the page is drawn with (the PNGs carry it too, beside the map). */
function Legend({ max }: { max: number }) {
  const ticks = scaleTicks(max);
  const width = 320;
  return (
    <figure class="legend">
      <svg width={width + 40} height="48" viewBox={`0 0 ${width + 40} 48`} role="img" aria-label={`Colour scale: 0 to ${Math.round(max)} punctures per cm²`}>
        <defs>
          <linearGradient id="viridis">
            {[0, 0.25, 0.5, 0.75, 1].map((t) => {
              const [r, g, b] = colourAt(t);
              return <stop key={t} offset={`${t * 100}%`} stop-color={`rgb(${r},${g},${b})`} />;
            })}
          </linearGradient>
        </defs>
        <rect x="20" y="4" width={width} height="18" fill="url(#viridis)" stroke="#555" />
        {ticks.map((t) => {
          const x = 20 + (max > 0 ? (t / max) * width : 0);
          return (
            <g key={t}>
              <line x1={x} x2={x} y1="22" y2="28" stroke="#333" />
              <text x={x} y="42" text-anchor="middle" font-size="12" fill="#222">
                {t}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>Punctures per cm², one scale for every heatmap here (top: twice the highest target).</figcaption>
    </figure>
  );
}

/** A device to simulate: the catalog's devices (GET /api/v1/devices), with `none` a choice of no device. */
function DeviceSelect(p: { id: string; label: string; devices: readonly Device[]; value: string; onChange: (id: string) => void; none?: string }) {
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      <select id={p.id} value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)}>
        {p.none !== undefined ? <option value="">{p.none}</option> : null}
        {p.devices.map((d) => (
          <option key={d.id} value={d.id}>
            {d.name} ({d.id})
          </option>
        ))}
      </select>
    </div>
  );
}

/** One device's column of the comparison (the page shows one per device chosen, side by side): the engine's
 * answer drawn, or the problem that kept it from being drawn. */
function DeviceColumn({ result, index }: { result: Result; index: number }) {
  const r = result.run;
  const titleId = `run-${index}`;
  return (
    <section class={r ? 'panel run' : 'panel'} aria-labelledby={titleId}>
      <h2 id={titleId}>{r ? `${r.device} on the ${r.region}, ${r.needle_length_mm} mm` : result.device}</h2>
      <ProblemNote problem={result.problem} />
      {r ? <RunFigures run={r} result={result} /> : null}
    </section>
  );
}

function RunFigures({ run: r, result }: { run: Run; result: Result }) {
  const bars = layerBars(r.layers_exact);
  return (
    <>
      {r.refusal ? (
        <div class="problem" role="alert">
          The depth guard refuses this needle here: {r.refusal.message}
        </div>
      ) : null}
      <dl class="facts">
        <dt>Density</dt>
        <dd>
          {Math.round(r.density.mean_per_cm2)} /cm² (target {r.density.target_per_cm2}), CV {r.density.coefficient_of_variation.toFixed(2)}
        </dd>
        <dt>At or above target</dt>
        <dd>{Math.round(r.density.share_at_or_above_target * 100)} % of the zone</dd>
        <dt>Punctures</dt>
        <dd>
          {r.punctures_in_zone} in a {r.zone_area_cm2.toFixed(1)} cm² zone, {r.plan.passes} passes, {r.duration_s.toFixed(0)} s
        </dd>
        <dt>Mean depth</dt>
        <dd>
          {r.mean_effective_depth_mm.toFixed(2)} mm; slit {r.slit_mm.toFixed(3)} mm
        </dd>
      </dl>
      <h3>Density heatmap</h3>
      {result.heatmap ? (
        <img class="heatmap" src={result.heatmap} alt={`Density heatmap of the ${r.device} on the ${r.region}: mean ${Math.round(r.density.mean_per_cm2)} punctures per cm²`} />
      ) : null}
      <h3>Depth by layer</h3>
      <svg class="bars" viewBox="0 0 320 112" role="img" aria-label={bars.map((b) => `${b.label} ${b.percent} %`).join(', ')}>
        {bars.map((b, i) => (
          <g key={b.key}>
            <text x="0" y={i * 28 + 17} font-size="12" fill="#222">
              {b.label}
            </text>
            <rect x="120" y={i * 28 + 4} width={Math.max(1, b.share * 150)} height="18" fill="#21918c" />
            <text x={126 + b.share * 150} y={i * 28 + 17} font-size="12" fill="#222">
              {b.percent} %
            </text>
          </g>
        ))}
      </svg>
      <h3>Needle tip path and slit</h3>
      {result.tipPath ? <img class="picture" src={result.tipPath} alt={`The needle tip path and slit of the ${r.device}`} /> : null}
      <h3>Resealing</h3>
      <Resealing run={r} />
    </>
  );
}

function Resealing({ run }: { run: Run }) {
  const { barrier, channels } = run.resealing;
  const until = Math.ceil(Math.max(barrier.closed_95_h, channels.closed_95_h) * 1.1);
  const w = 300;
  const h = 120;
  const curves = [
    { label: 'Barrier', colour: '#3b528b', c: barrier },
    { label: 'Channels', colour: '#b3261e', c: channels },
  ];
  return (
    <figure class="resealing">
      <svg viewBox={`0 0 ${w + 50} ${h + 40}`} role="img" aria-label={`Share still open after the session (${run.resealing.occlusion}): barrier 95 % closed by ${barrier.closed_95_h} h, channels by ${channels.closed_95_h} h`}>
        <g transform="translate(40 8)">
          <rect width={w} height={h} fill="none" stroke="#999" />
          {curves.map((k) => (
            <path key={k.label} d={pathOf(openCurve(k.c.scale_h, k.c.shape, until), until, w, h)} fill="none" stroke={k.colour} stroke-width="2" />
          ))}
          <text x="-4" y="10" text-anchor="end" font-size="11" fill="#222">
            100 %
          </text>
          <text x="-4" y={h} text-anchor="end" font-size="11" fill="#222">
            0
          </text>
          <text x="0" y={h + 16} font-size="11" fill="#222">
            0 h
          </text>
          <text x={w} y={h + 16} text-anchor="end" font-size="11" fill="#222">
            {until} h
          </text>
        </g>
      </svg>
      <figcaption>
        Share still open after the session ({run.resealing.occlusion}): <span class="key-barrier">barrier</span> 95 % closed by{' '}
        {barrier.closed_95_h} h, <span class="key-channels">channels</span> by {channels.closed_95_h} h.
      </figcaption>
    </figure>
  );
}
