/** Every `fix -o` format, by name: each renders the same FixPlan. Add one here and `-o` accepts it. */
import { emitAwsCli } from './aws-cli.ts';
import { emitCloudFormation } from './cloudformation.ts';
import { emitJson } from './json.ts';
import { emitKubernetes } from './kubernetes.ts';
import type { FixPlan } from '../../questions/fix/plan.ts';
import { emitTerraform } from './terraform.ts';

export type Emitter = (plan: FixPlan) => string;

export const emitters = {
  'aws-cli': emitAwsCli,
  terraform: emitTerraform,
  cloudformation: emitCloudFormation,
  kubernetes: emitKubernetes,
  json: emitJson,
} as const satisfies Record<string, Emitter>;

export type FixFormat = keyof typeof emitters;

export const fixFormats = Object.keys(emitters) as FixFormat[];
