// The API's error answer, {"error": {code, message, field, rule}} (docs/server.md), as one value the pages and
// forms use — whatever went wrong, including a server that could not be reached or answered something else.

/** A failed request, ready to show: what the server said, which field it names, the rule of a refusal. */
export interface Problem {
  /** HTTP status; 0 when no answer came (network down, server stopped). */
  status: number;
  /** The API's error code (`refused`, `invalid_value`, `password_change_required`…), or `network`. */
  code: string;
  /** For a person, as the server wrote it. */
  message: string;
  /** The field or parameter at fault, a path such as `areas[1].concerns`; null when none. */
  field: string | null;
  /** The pack rule a refusal (409) applies, when it names one. */
  rule: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The problem an error answer stands for: its body when it has the API's shape, else a plain description. */
export function problemFrom(status: number, body: unknown): Problem {
  const inner = isRecord(body) ? body['error'] : undefined;
  if (isRecord(inner) && typeof inner['code'] === 'string' && typeof inner['message'] === 'string') {
    return {
      status,
      code: inner['code'],
      message: inner['message'],
      field: typeof inner['field'] === 'string' && inner['field'] !== '' ? inner['field'] : null,
      rule: typeof inner['rule'] === 'string' && inner['rule'] !== '' ? inner['rule'] : null,
    };
  }
  return {
    status,
    code: status >= 500 ? 'internal' : 'unexpected',
    message: `The server answered ${status} without an explanation; try again.`,
    field: null,
    rule: null,
  };
}

/** The problem of a request that got no answer at all. */
export function networkProblem(): Problem {
  return {
    status: 0,
    code: 'network',
    message: 'The server could not be reached. Nothing was lost: check the connection and try again.',
    field: null,
    rule: null,
  };
}

/** One line for a person: the message, with the rule of a refusal in front (`Refused by rule CI.x: …`). */
export function describeProblem(p: Problem): string {
  if (p.status === 409 && p.rule) return `Refused by rule ${p.rule}: ${p.message}`;
  if (p.status === 409) return `Refused: ${p.message}`;
  return p.message;
}
