// The delivered dose of a charted zone: the physics engine's density heatmap (the server's PNG, with its
// colour scale, drawn on a canvas) and the depth-by-layer shares as a bar chart.
import { useEffect, useRef } from 'preact/hooks';
import { layerBars, scalePosition, scaleTicks, type LayerShares } from './chart-scale';

export interface ZoneDose {
  zone: string;
  passes: number;
  directions: string[];
  seed: number;
  /** The charted figures the server stored (dose_from_physics). */
  density_per_cm2: number | null;
  effective_depth_mm: number | null;
  /** The simulation of the zone drawn here. */
  mean_per_cm2: number;
  target_per_cm2: number;
  /** The mean depth the punctures of the zone's simulation end at. */
  mean_depth_mm: number;
  scale_max: number;
  layers: LayerShares;
  heatmap: Blob;
}

function HeatmapCanvas({ png, label }: { png: Blob; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let live = true;
    void createImageBitmap(png).then((bitmap) => {
      const canvas = ref.current;
      if (!live || !canvas) return;
      canvas.width = bitmap.width;
      canvas.height = bitmap.height;
      canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
      canvas.dataset['drawn'] = 'true';
    });
    return () => {
      live = false;
    };
  }, [png]);
  return <canvas ref={ref} class="heatmap" role="img" aria-label={label} />;
}

export function DoseView({ dose }: { dose: ZoneDose }) {
  const bars = layerBars(dose.layers);
  const ticks = scaleTicks(dose.scale_max);
  return (
    <div class="dose" data-zone={dose.zone}>
      <h3>
        Dose on the {dose.zone.replace(/_/g, ' ')}: {dose.passes} passes ({dose.directions.join(', ')})
      </h3>
      <div class="dose-grid">
        <figure>
          <HeatmapCanvas
            png={dose.heatmap}
            label={`Density heatmap of the ${dose.zone}: mean ${Math.round(dose.mean_per_cm2)} punctures per cm², target ${Math.round(dose.target_per_cm2)}`}
          />
          <figcaption>
            Punctures per cm² over the 40 × 30 mm dose patch; colour scale 0–{Math.round(dose.scale_max)} /cm² (ticks{' '}
            {ticks.join(', ')}). Mean {Math.round(dose.mean_per_cm2)} /cm², target {Math.round(dose.target_per_cm2)} /cm²
            <span class="scale-mark" aria-hidden="true">
              <span style={{ left: `${scalePosition(dose.mean_per_cm2, dose.scale_max) * 100}%` }} />
            </span>
          </figcaption>
        </figure>
        <figure>
          <table class="bars" aria-label="Depth by layer: share of punctures ending in each skin layer">
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
          <figcaption>
            Depth by layer: the share of punctures ending in each layer of the {dose.zone.replace(/_/g, ' ')} (mean depth{' '}
            {dose.mean_depth_mm.toFixed(2)} mm).
          </figcaption>
        </figure>
      </div>
      <p class="sub">
        Charted: {dose.density_per_cm2 === null ? '—' : `${Math.round(dose.density_per_cm2)} punctures/cm²`}, effective
        depth {dose.effective_depth_mm === null ? '—' : `${dose.effective_depth_mm.toFixed(2)} mm`} (seed {dose.seed}).
      </p>
    </div>
  );
}
