// The delivered dose of a charted zone, as the server stored it: the figures of the zone's record (session
// detail `zones`), its density heatmap (the server's PNG of the stored zone, simulated again from what was
// stored, shown as an <img> from a blob, with its colour scale) and the depth-by-layer shares as bars.
import { useEffect, useState } from 'preact/hooks';
import { api, call, type Schemas } from '../api/client';
import { describeProblem, type Problem } from '../api/problem';
import { when } from '../load';
import { layerBars, scalePosition, scaleTicks } from './chart-scale';

export type SessionZone = Schemas['SessionZone'];

function ZoneHeatmap({ sid, zone, scaleMax, label }: { sid: string; zone: SessionZone; scaleMax: number; label: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    let made: string | null = null;
    setProblem(null);
    void call(
      api.GET('/api/v1/sessions/{id}/zones/{zone}/heatmap.png', {
        params: { path: { id: sid, zone: zone.zone }, query: { heatmap_max: scaleMax } },
        parseAs: 'blob',
      }),
    ).then((png) => {
      if (!live) return;
      if (!png.ok) return setProblem(png.problem);
      made = URL.createObjectURL(png.data as Blob);
      setUrl(made);
    });
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [sid, zone.zone, zone.charted_at, scaleMax, attempt]);
  if (problem) {
    return (
      <p class="problem" role="alert">
        The heatmap could not be drawn: {describeProblem(problem)}{' '}
        <button type="button" class="secondary" onClick={() => setAttempt((a) => a + 1)}>
          Try again
        </button>
      </p>
    );
  }
  return url ? (
    <img
      class="heatmap"
      style={{ width: '100%', height: 'auto' }}
      src={url}
      alt={label}
      onLoad={(e) => {
        e.currentTarget.dataset['drawn'] = 'true';
      }}
    />
  ) : (
    <p aria-busy="true">Drawing the heatmap…</p>
  );
}

export function DoseView({ sid, zone, scaleMax }: { sid: string; zone: SessionZone; scaleMax: number }) {
  const bars = layerBars(zone.layers);
  const ticks = scaleTicks(scaleMax);
  const name = zone.zone.replace(/_/g, ' ');
  return (
    <div class="dose" data-zone={zone.zone}>
      <h3>
        Dose on the {name}: {zone.passes} passes ({zone.directions.join(', ')})
      </h3>
      <div class="dose-grid">
        <figure>
          <ZoneHeatmap
            sid={sid}
            zone={zone}
            scaleMax={scaleMax}
            label={`Density heatmap of the ${name}: mean ${Math.round(zone.density_per_cm2)} punctures per cm²`}
          />
          <figcaption>
            Punctures per cm² over the 40 × 30 mm dose patch; colour scale 0–{Math.round(scaleMax)} /cm² (ticks {ticks.join(', ')}
            ), the same for every zone of the session. Mean {Math.round(zone.density_per_cm2)} /cm²
            <span class="scale-mark" aria-hidden="true">
              <span style={{ left: `${scalePosition(zone.density_per_cm2, scaleMax) * 100}%` }} />
            </span>
          </figcaption>
        </figure>
        <figure>
          <table class="bars" aria-label={`Depth by layer on the ${name}: share of punctures ending in each skin layer`}>
            <tbody>
              {bars.map((b) => (
                <tr key={b.key} class={`layer-${b.key}`}>
                  <th scope="row">{b.label}</th>
                  <td>
                    <span class="bar" style={{ width: `${b.widthPercent}%` }} />
                  </td>
                  <td class="num">{b.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <figcaption>Depth by layer: the share of punctures ending in each layer of the {name}.</figcaption>
        </figure>
      </div>
      <p class="sub">
        Charted: {Math.round(zone.density_per_cm2)} punctures/cm², effective depth {zone.effective_depth_mm.toFixed(2)} mm (
        {zone.physics_device}, seed {zone.seed}, {when(zone.charted_at)}).
      </p>
    </div>
  );
}
