// Writes docs/schema/analyze.schema.json from the zod schema (`npm run schema`); a test keeps them equal.
import { writeFileSync } from 'node:fs';
import { analyzeJsonSchema } from '../src/questions/analyze-schema.ts';

writeFileSync(
  new URL('../docs/schema/analyze.schema.json', import.meta.url),
  `${JSON.stringify(analyzeJsonSchema(), null, 2)}\n`,
);
