import type { RegisterCommand } from '../shared.ts';

/** The command registry: one line per command file. */
export const commands: RegisterCommand[] = [];
commands.push((await import('./dial.ts')).registerDial);
commands.push((await import('./analyze.ts')).registerAnalyze);
commands.push((await import('./requirements.ts')).registerRequirements);
commands.push((await import('./snapshot.ts')).registerSnapshot);
commands.push((await import('./placement.ts')).registerPlacement);
commands.push((await import('./diagnose.ts')).registerDiagnose);
commands.push((await import('./diff.ts')).registerDiff);
commands.push((await import('./fix.ts')).registerFix);
commands.push((await import('./probe.ts')).registerProbe);
commands.push((await import('./monitor.ts')).registerMonitor);
commands.push((await import('../completion.ts')).registerCompletion);
commands.push((await import('../help.ts')).registerProgramHelp);
