/**
 * Which side of disaggregated serving a Dynamo worker is on: prefill (computes the KV cache and
 * serves it over NIXL) or decode (pulls it from a prefill worker). What says it, strongest first:
 * - the operator's pod label `nvidia.com/dynamo-sub-component-type` (`prefill`/`decode`), set
 *   from the graph's `subComponentType` (ai-dynamo/dynamo deploy/operator, KubeLabelDynamoSubComponentType);
 * - the vLLM launcher's flags: `--disaggregation-mode prefill|decode` (ai-dynamo/dynamo
 *   components/src/dynamo/vllm/backend_args.py, constants.py DisaggregationMode), and in older
 *   releases `--is-prefill-worker` / `--is-decode-worker` (components/src/dynamo/vllm/args.py).
 */
export type Stage = 'prefill' | 'decode';

export const SUB_COMPONENT_LABEL = 'nvidia.com/dynamo-sub-component-type';

export interface StageEvidence {
  readonly value: Stage;
  readonly source: string;
}

/**
 * The words of a command line, with `sh -c "… --flag v"` scripts opened up: the shell splits at
 * any blank or newline, not only at spaces. A JSON word (`--kv-events-config '{…}'`) stays whole.
 */
export function commandWords(args: readonly string[]): string[] {
  return args.flatMap((w) => (/\s/.test(w) && !w.trimStart().startsWith('{') ? w.split(/\s+/) : [w]));
}

/** The stage the launcher's flags give, or undefined when they say none. */
export function disaggregationStage(args: readonly string[]): StageEvidence | undefined {
  const list = commandWords(args);
  for (let i = 0; i < list.length; i++) {
    const word = list[i]!;
    const mode = word.startsWith('--disaggregation-mode=')
      ? word.slice('--disaggregation-mode='.length)
      : word === '--disaggregation-mode'
        ? list[i + 1]
        : undefined;
    const value = mode?.toLowerCase();
    if (value === 'prefill' || value === 'decode')
      return { value, source: `arg --disaggregation-mode ${mode!}` };
    if (word === '--is-prefill-worker') return { value: 'prefill', source: 'arg --is-prefill-worker' };
    if (word === '--is-decode-worker') return { value: 'decode', source: 'arg --is-decode-worker' };
  }
  return undefined;
}

/** A label value `prefill`/`decode` (any case), else undefined. */
export function stageLabel(value: string | undefined): Stage | undefined {
  const v = value?.toLowerCase();
  return v === 'prefill' || v === 'decode' ? v : undefined;
}
