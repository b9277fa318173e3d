// The aftercare sheet's own logic (tests/unit/aftercare-sheet.test.ts): the sources line, each source once.

/** The sheet's sources, each once, in the server's order. The server lists a source as "S11: citation" and may
 * list the same id again (a rule and a healing window citing it, or a bare "S11"): the first full entry of an
 * id is kept, a bare id is dropped when its full entry is there. */
export function uniqueSources(sources: readonly string[]): string[] {
  const idOf = (s: string) => {
    const colon = s.indexOf(':');
    return (colon < 0 ? s : s.slice(0, colon)).trim();
  };
  const full = new Map<string, string>();
  for (const s of sources) {
    const id = idOf(s);
    const known = full.get(id);
    // A full entry ("id: citation") wins over a bare id, whichever came first.
    if (known === undefined || (known.trim() === id && s.trim() !== id)) full.set(id, s.trim());
  }
  return [...full.values()];
}
