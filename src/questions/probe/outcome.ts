/** What one live dial came to, in the words `dial` and the probe reports share. Pure. */
export type LiveOutcome = 'connected' | 'timed-out' | 'refused' | 'dns-failure' | 'no-route' | 'failed';

export interface LiveResult {
  readonly outcome: LiveOutcome;
  readonly passed: boolean;
  /** What the dialer said (nc's stderr, or dial's failing check). */
  readonly message: string;
}

/** nc's words → the classification people act on (the same names `dial` uses). */
export function classifyNc(ok: boolean, text: string): LiveOutcome {
  if (ok) return 'connected';
  if (/refused/i.test(text)) return 'refused';
  if (/bad address|unknown host|name or service not known|could not resolve/i.test(text))
    return 'dns-failure';
  if (/no route|unreachable/i.test(text)) return 'no-route';
  // busybox nc fakes ETIMEDOUT when -w expires: "Connection timed out"; netcat-openbsd says "timed out".
  if (/timed out/i.test(text)) return 'timed-out';
  // Silence decides nothing (with one -v busybox hides refusals; a killed nc prints nothing).
  return 'failed';
}
