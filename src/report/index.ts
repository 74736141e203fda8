/**
 * Every report format of `analyze`, by name. Each renders the same AnalysisResult and never
 * recomputes the analysis. Add a format here and `-o` accepts it.
 */
import type { AnalysisResult } from '../questions/analyze.ts';
import { renderCtrf } from './ctrf.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { renderText } from './text.ts';

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

export type Renderer = (result: AnalysisResult, options: RenderOptions) => string;

export const renderers: Record<string, Renderer> = {
  table: (result, options) => renderText(result, options),
  json: (result) => `${JSON.stringify(result, null, 2)}\n`,
  ctrf: (result, options) => renderCtrf(result, options.timing),
  junit: (result, options) => renderJunit(result, options.timing),
  markdown: (result) => renderMarkdown(result),
  html: (result, options) => renderHtml(result, options.timing),
};

export const reportFormats = (): string[] => Object.keys(renderers);
