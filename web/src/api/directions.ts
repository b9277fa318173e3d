// The stroke directions the physics engine knows. The server's vocabulary (GET /api/v1/vocabulary) and device
// answers do not list them yet, so this is the app's one copy of the list; the source of truth is the engine's
// `StrokeDirection` (include/needlework/physics/strokes.hpp, parsed by src/physics/strokes.cpp, which refuses
// any other name next to the field). The simulator and the session runner's charting both take it from here.

export const strokeDirections = ['horizontal', 'vertical', 'diagonal', 'anti_diagonal'] as const;
export type StrokeDirection = (typeof strokeDirections)[number];

/** How a direction reads on screen ("anti diagonal"); the value sent stays the engine's id. */
export function directionLabel(d: string): string {
  return d.replace(/_/g, ' ');
}
