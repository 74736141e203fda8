// Worker entry: Node 20 workers do not take `--import tsx` for a .ts entry, so register it here.
import { register } from 'tsx/esm/api';

register();
await import('./fuzz-worker.ts');
