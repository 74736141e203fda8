// A node:test reporter for named-mutants.mjs: one JSON line per failed test, with its file and the
// names of the suites it sits in, so the table can name a test that killed the mutation.
export default async function* failureReporter(source) {
  const stacks = new Map(); // file → names of the tests started, by nesting
  for await (const event of source) {
    const { file, nesting, name } = event.data ?? {};
    if (event.type === 'test:start') {
      const stack = stacks.get(file) ?? [];
      stack.length = nesting;
      stack.push(name);
      stacks.set(file, stack);
    } else if (event.type === 'test:fail') {
      const path = [...(stacks.get(file) ?? []).slice(0, nesting), name];
      const failureType = event.data.details?.error?.failureType;
      yield `${JSON.stringify({ file, path, failureType })}\n`;
    }
  }
}
