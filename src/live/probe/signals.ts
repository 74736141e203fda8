/**
 * Ctrl-C and SIGTERM during a probe run: the first aborts the run (whose `finally` deletes the
 * namespace); later ones only say that cleanup is still under way — the process never exits
 * before the namespace is gone.
 */
export interface SignalGuard {
  readonly signal: AbortSignal;
  /** Restores the default behaviour. */
  dispose(): void;
}

export function abortOnSignals(say: (message: string) => void, namespace: string): SignalGuard {
  const controller = new AbortController();
  let received = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    received += 1;
    say(
      received === 1
        ? `${name}: stopping; deleting namespace ${namespace}…`
        : `still deleting namespace ${namespace}; it is removed before exit`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
