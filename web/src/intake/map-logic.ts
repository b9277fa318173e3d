// The face and body map's logic, apart from drawing (unit-tested): which area of the pack a tap on a skin region
// stands for, and the intake document the form builds. The areas, their skin regions, the conditions (local or
// systemic, dated or not) and the concerns all come from the pack's vocabulary (GET /api/v1/vocabulary), so a
// pack with other areas needs no change here.

export interface VocabArea {
  id: string;
  label: string;
  parent: string;
  skin_regions: string[];
}

export interface VocabCondition {
  id: string;
  label: string;
  scope: 'systemic' | 'local' | string;
  dated: boolean;
}

/** The depth of an area in the parent chain (a top-level area is 0). */
function depth(areas: readonly VocabArea[], a: VocabArea): number {
  let d = 0;
  let p = a.parent;
  const seen = new Set<string>();
  while (p && !seen.has(p)) {
    seen.add(p);
    d++;
    p = areas.find((x) => x.id === p)?.parent ?? '';
  }
  return d;
}

/**
 * The area a tap on a skin region means: the most specific area (deepest in the parent chain) whose skin regions
 * hold it — "periorbital" (in face) for the periorbital region, not "face". Null when no area of the pack holds
 * the region (the map then shows it as not treatable with this pack).
 */
export function areaForRegion(areas: readonly VocabArea[], region: string): VocabArea | null {
  let best: VocabArea | null = null;
  let bestDepth = -1;
  for (const a of areas) {
    if (!a.skin_regions.includes(region)) continue;
    const d = depth(areas, a);
    if (d > bestDepth) {
      best = a;
      bestDepth = d;
    }
  }
  return best;
}

/** Toggles `id` in a list, keeping the order things were tapped in. */
export function toggle(list: readonly string[], id: string): string[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}

export interface IntakeForm {
  date: string;
  client: { id: string; name: string; date_of_birth: string | null };
  /** Areas to treat, with the concern ids chosen for each. */
  areas: { area: string; concerns: string[] }[];
  /** Reported conditions: where (local ones) and since when (dated ones). */
  conditions: { id: string; areas: string[]; since: string }[];
  clearance: { by: string; date: string };
}

/**
 * The intake document of POST /api/v1/intakes (schema Intake) from the form: empty optional parts left out;
 * a local condition's areas and a dated condition's `since` only where the vocabulary says they apply. The
 * server checks everything (unknown ids, missing `since`, dates after the intake) and names the field.
 */
export function intakeDocument(f: IntakeForm, conditions: readonly VocabCondition[]) {
  const byId = new Map(conditions.map((c) => [c.id, c]));
  const doc: Record<string, unknown> = {
    date: f.date,
    client: {
      id: f.client.id,
      name: f.client.name,
      ...(f.client.date_of_birth ? { date_of_birth: f.client.date_of_birth } : {}),
    },
    areas: f.areas.map((a) => (a.concerns.length ? { area: a.area, concerns: a.concerns } : { area: a.area })),
  };
  if (f.conditions.length) {
    doc['conditions'] = f.conditions.map((c) => {
      const v = byId.get(c.id);
      return {
        id: c.id,
        ...(v?.scope === 'local' && c.areas.length ? { areas: c.areas } : {}),
        ...(v?.dated && c.since ? { since: c.since } : {}),
      };
    });
  }
  if (f.clearance.by.trim() || f.clearance.date) {
    doc['dermatologist_clearance'] = { by: f.clearance.by.trim(), date: f.clearance.date };
  }
  return doc;
}

/**
 * The intake form field an API error path names: `areas[1].concerns` → `areas`, `conditions[0].since` →
 * `conditions`, `dermatologist_clearance.date` → `dermatologist_clearance`, `client.date_of_birth` → `client`.
 */
export function intakeSection(field: string | null): string | null {
  if (!field) return null;
  return field.split(/[.[]/, 1)[0] ?? null;
}
