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
import type { RenderOptions } from './types.ts';

export type { RenderOptions, RunTiming } from './types.ts';

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
