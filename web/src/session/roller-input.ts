// What the roller field holds: typed by hand or by a barcode scanner (which types the label's characters and
// Enter). The roller's record id is the number at the end ("17", "R17", "ROLLER 17"); the server decides
// whether that roller may be used.

/** The roller's record id in what was typed or scanned, or null when it ends in no positive number. */
export function rollerIdOf(text: string): number | null {
  const m = /(\d+)\s*$/.exec(text.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
