/**
 * Every report format of `analyze`, by name. Each renders the same AnalysisResult and never
 * recomputes the analysis. Add a format here and `-o` accepts it.
 */
import type { AnalysisResult } from '../analyze/types.ts';
import { renderText } from './text.ts';

export interface RenderOptions {
  /** Colour for terminals (text formats only). */
  readonly color: boolean;
  readonly verbose: boolean;
}

export type Renderer = (result: AnalysisResult, options: RenderOptions) => string;

export const renderers: Record<string, Renderer> = {
  table: (result, options) => renderText(result, options),
  json: (result) => `${JSON.stringify(result, null, 2)}\n`,
};

export const reportFormats = (): string[] => Object.keys(renderers);
