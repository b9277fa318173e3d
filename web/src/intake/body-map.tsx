// The face and body map: one tappable SVG shape per skin region (the physics engine's region ids, which the
// pack's areas list in `skin_regions`). What a tap means — which area — comes from the vocabulary
// (areaForRegion); a region no area of the pack holds is drawn greyed and cannot be tapped. Each shape is a
// button for the keyboard and screen readers too (tab, Enter or Space; aria-pressed). A pack that uses a skin
// region this drawing has no shape for still lists it under the map as a button, so no pack needs a UI change.
import { areaForRegion, type VocabArea } from './map-logic';

function ellipse(cx: number, cy: number, rx: number, ry: number): string {
  return `M${cx - rx} ${cy}a${rx} ${ry} 0 1 0 ${2 * rx} 0a${rx} ${ry} 0 1 0 ${-2 * rx} 0Z`;
}
function rect(x: number, y: number, w: number, h: number, r = 6): string {
  return `M${x + r} ${y}h${w - 2 * r}q${r} 0 ${r} ${r}v${h - 2 * r}q0 ${r} ${-r} ${r}h${-(w - 2 * r)}q${-r} 0 ${-r} ${-r}v${-(h - 2 * r)}q0 ${-r} ${r} ${-r}Z`;
}

/** The drawing: a face (left) and a body (right), front view; larger regions first so small ones sit on top. */
const shapes: { region: string; label: string; d: string; part: 'face' | 'body' }[] = [
  { region: 'scalp', label: 'scalp', d: 'M60 78 Q60 18 130 16 Q200 18 200 78 Q185 52 130 50 Q75 52 60 78Z', part: 'face' },
  { region: 'forehead', label: 'forehead', d: rect(78, 56, 104, 34, 14), part: 'face' },
  { region: 'temple', label: 'temples', d: ellipse(70, 100, 10, 18) + ellipse(190, 100, 10, 18), part: 'face' },
  { region: 'cheek', label: 'cheeks', d: ellipse(92, 150, 24, 28) + ellipse(168, 150, 24, 28), part: 'face' },
  { region: 'submandibular', label: 'jaw and chin', d: 'M88 186 Q130 232 172 186 L172 196 Q130 246 88 196Z', part: 'face' },
  { region: 'periorbital', label: 'around the eyes', d: ellipse(100, 110, 22, 12) + ellipse(160, 110, 22, 12), part: 'face' },
  { region: 'glabella', label: 'between the brows', d: rect(120, 92, 20, 16, 5), part: 'face' },
  { region: 'nose', label: 'nose', d: 'M122 112 L138 112 L146 162 L114 162Z', part: 'face' },
  { region: 'neck', label: 'neck', d: rect(104, 240, 52, 40, 8), part: 'face' },
  { region: 'upper_arm', label: 'upper arms', d: rect(268, 64, 22, 70, 10) + rect(370, 64, 22, 70, 10), part: 'body' },
  { region: 'back', label: 'back and chest', d: rect(296, 60, 68, 76, 12), part: 'body' },
  { region: 'waist', label: 'waist', d: rect(300, 140, 60, 40, 10), part: 'body' },
  { region: 'thigh', label: 'thighs', d: rect(300, 186, 27, 90, 10) + rect(333, 186, 27, 90, 10), part: 'body' },
];
const drawn = new Set(shapes.map((s) => s.region));

/** The two drawings: side by side on a tablet, one above the other on a phone. */
const parts = [
  { id: 'face', label: 'Face map', viewBox: '50 10 160 275' },
  { id: 'body', label: 'Body map', viewBox: '255 5 150 280' },
] as const;

export interface MapMarks {
  /** Areas chosen to treat. */
  treat: readonly string[];
  /** Areas where the condition being marked is. */
  marked: readonly string[];
}

export function BodyMap(p: {
  areas: readonly VocabArea[];
  marks: MapMarks;
  /** What a tap does now, for the label: "treat" or the condition's label. */
  modeLabel: string;
  mode: 'treat' | 'mark';
  onTap: (area: VocabArea) => void;
}) {
  const undrawn = [...new Set(p.areas.flatMap((a) => a.skin_regions))].filter((r) => !drawn.has(r));
  const press = (area: VocabArea | null) => (e: KeyboardEvent) => {
    if (!area) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      p.onTap(area);
    }
  };
  const region = (s: (typeof shapes)[number]) => {
    const area = areaForRegion(p.areas, s.region);
    const treated = area ? p.marks.treat.includes(area.id) : false;
    const marked = area ? p.marks.marked.includes(area.id) : false;
    const pressed = p.mode === 'treat' ? treated : marked;
    const cls = ['region', area ? '' : 'none', treated ? 'treat' : '', marked ? 'marked' : ''].filter(Boolean).join(' ');
    const name = area ? `${s.label}: ${area.label}` : `${s.label}: not an area of this pack`;
    return (
      <path
        key={s.region}
        d={s.d}
        class={cls}
        data-region={s.region}
        data-area={area?.id}
        role={area ? 'button' : undefined}
        tabindex={area ? 0 : undefined}
        aria-label={area ? name : undefined}
        aria-pressed={area ? (pressed ? 'true' : 'false') : undefined}
        aria-hidden={area ? undefined : 'true'}
        onClick={() => area && p.onTap(area)}
        onKeyDown={press(area)}
      >
        <title>{name}</title>
      </path>
    );
  };
  return (
    <div class="bodymap">
      <div class="maps">
        {parts.map((part) => (
          <svg
            key={part.id}
            viewBox={part.viewBox}
            role="group"
            aria-label={`${part.label}: tap to ${p.modeLabel}`}
            class={`map-${part.id}`}
          >
            {part.id === 'face' ? (
              <ellipse cx="130" cy="130" rx="72" ry="108" class="outline" aria-hidden="true" />
            ) : (
              <circle cx="330" cy="34" r="22" class="outline" aria-hidden="true" />
            )}
            {shapes.filter((s) => s.part === part.id).map(region)}
          </svg>
        ))}
      </div>
      {undrawn.length ? (
        <div class="undrawn">
          <span>Regions not on the drawing:</span>
          {undrawn.map((r) => {
            const area = areaForRegion(p.areas, r);
            if (!area) return null;
            const pressed = p.mode === 'treat' ? p.marks.treat.includes(area.id) : p.marks.marked.includes(area.id);
            return (
              <button key={r} type="button" class="secondary" aria-pressed={pressed} onClick={() => p.onTap(area)}>
                {r.replace(/_/g, ' ')} ({area.label})
              </button>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}
