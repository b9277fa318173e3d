// The aftercare sheet's own logic (tests/unit/aftercare-sheet.test.ts): the sources line, each source once.

/** The sheet's sources, each id once, in the server's order, those of one work together. The server lists a
 * source as "id: citation", and a pack's citation may end with the id again (the seed pack's "S11: Micro-Needling
 * in Cosmetics (seed article), S11": a section of one article): that repetition is dropped, and the sections of
 * one work are listed under it once ("S11, S12: Micro-Needling in Cosmetics (seed article)"). An entry without
 * a citation is kept as it is. */
export function sourceGroups(sources: readonly string[]): string[] {
  const groups = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const entry of sources) {
    const colon = entry.indexOf(':');
    const id = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    if (id === '' || seen.has(id)) continue;
    seen.add(id);
    let citation = colon < 0 ? '' : entry.slice(colon + 1).trim();
    const tail = `, ${id}`;
    if (citation.endsWith(tail)) citation = citation.slice(0, -tail.length).trim();
    const ids = groups.get(citation);
    if (ids) ids.push(id);
    else groups.set(citation, [id]);
  }
  return [...groups].map(([citation, ids]) => (citation ? `${ids.join(', ')}: ${citation}` : ids.join(', ')));
}
