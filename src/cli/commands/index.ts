import type { RegisterCommand } from '../shared.ts';
import { registerDial } from './dial.ts';
import { registerAnalyze } from './analyze.ts';
import { registerRequirements } from './requirements.ts';
import { registerSnapshot } from './snapshot.ts';
import { registerPlacement } from './placement.ts';
import { registerDiagnose } from './diagnose.ts';
import { registerDiff } from './diff.ts';
import { registerFix } from './fix.ts';
import { registerProbe } from './probe.ts';
import { registerMonitor } from './monitor.ts';
import { registerCompletion } from '../completion.ts';
import { registerProgramHelp } from '../help.ts';

/**
 * The command registry, in the order `--help` lists them. Static imports (no top-level await), so
 * the CLI also bundles as CommonJS for the single executable (scripts/build-sea.mjs).
 */
export const commands: RegisterCommand[] = [
  registerDial,
  registerAnalyze,
  registerRequirements,
  registerSnapshot,
  registerPlacement,
  registerDiagnose,
  registerDiff,
  registerFix,
  registerProbe,
  registerMonitor,
  registerCompletion,
  registerProgramHelp,
];
