/**
 * Limits on what one input file may parse to, so that hostile input is an input error rather
 * than a stack overflow or an exhausted heap: how deep its mappings and sequences nest, and (for
 * YAML, whose aliases repeat a subtree wherever they point) how many values it expands to.
 */

/**
 * Deepest nesting of objects and arrays a file may hold. Kubernetes and AWS captures nest about
 * 20 deep (a pod's node affinity is 10 levels down); every recursive step after parsing (schema
 * validation, comparison of duplicates, the placement engine) stays far from the end of the stack.
 */
export const MAX_NESTING = 256;

/**
 * Why a parsed document is refused, or undefined when it is within the limits: nested deeper than
 * `MAX_NESTING`, or more than `maxValues` values when every alias is expanded (each visit of a
 * shared subtree counts, which is what every later pass over the document pays). The walk stops
 * at the first limit crossed, so it costs no more than the limit.
 */
export function nestingProblem(document: unknown, maxValues = Infinity): string | undefined {
  // JSON (no aliases, nothing to count): depth alone, in a walk that skips scalars without a call.
  if (maxValues === Infinity)
    return document !== null && typeof document === 'object' && tooDeep(document, 0)
      ? `nested deeper than ${MAX_NESTING} levels: not read`
      : undefined;
  let values = 0;
  let tooMany = false;
  const walk = (value: unknown, depth: number): boolean => {
    values += 1;
    if (values > maxValues) {
      tooMany = true;
      return false;
    }
    if (value === null || typeof value !== 'object') return true;
    if (depth >= MAX_NESTING) return false;
    if (Array.isArray(value)) {
      for (const item of value) if (!walk(item, depth + 1)) return false;
    } else {
      const record = value as Record<string, unknown>;
      for (const key in record) if (!walk(record[key], depth + 1)) return false;
    }
    return true;
  };
  if (walk(document, 0)) return undefined;
  return tooMany
    ? `its aliases expand to more than ${maxValues.toLocaleString('en')} values, more than its text holds (an alias bomb?): not read`
    : `nested deeper than ${MAX_NESTING} levels: not read`;
}

/** Whether an object or array nests `MAX_NESTING` deep, counting from `depth` (the same bound as the walk above). */
function tooDeep(value: object, depth: number): boolean {
  if (depth >= MAX_NESTING) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object' && tooDeep(item, depth + 1)) return true;
    }
  } else {
    const record = value as Record<string, unknown>;
    for (const key in record) {
      const item = record[key];
      if (item !== null && typeof item === 'object' && tooDeep(item, depth + 1)) return true;
    }
  }
  return false;
}
