/** What every renderer of an answer takes besides the answer itself. */

/** When the analysis ran (ms since the epoch): renderers have no clock of their own. */
export interface RunTiming {
  readonly start: number;
  readonly stop: number;
}

export interface RenderOptions {
  /** Colour for terminals (text formats only). */
  readonly color: boolean;
  readonly verbose: boolean;
  /** Start and stop of the run, for formats that record them (CTRF, JUnit, HTML). */
  readonly timing?: RunTiming;
}
