/**
 * Terraform string literals are templates: `${` starts an interpolation and `%{` a directive. "To
 * include these sequences literally without beginning a template sequence, double the leading
 * character: `$${` or `%%{`" (Terraform language docs, "Strings and Templates", escape sequences).
 * The JSON syntax that hcl2json converts to keeps the same template escapes (Terraform docs, "JSON
 * Configuration Syntax"): there a literal `${x}` is written `$${x}` too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { allTraffic, naclAllowAll, scenario } from '../../helpers/scenario.ts';
import { emitTerraform, fixPlan, type FixPlan } from '../../helpers/core.ts';

/** NATS's SG lacks 4222: the fix is one ingress rule, whose description we replace. */
function planWithDescription(description: string): FixPlan {
  const plan = fixPlan(
    scenario()
      .subnet('subnet-sys', '10.0.16.0/20')
      .subnet('subnet-gpu', '10.0.32.0/20')
      .nacl('acl-default', ['subnet-sys', 'subnet-gpu'], naclAllowAll(), true)
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys')])
      .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-sys',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11'],
      })
      .node('gpu-1', { group: 'gpu', subnet: 'subnet-gpu', ip: '10.0.32.10', sgs: ['sg-gpu'], gpu: true })
      .nats('nats-0', 'sys-1', '10.0.16.11')
      .analyze({ dynamoVersion: '1.2.0', conformance: false }),
  );
  assert.equal(plan.rules.length, 1, 'the fix is one rule');
  return { ...plan, rules: [{ ...plan.rules[0]!, description }] };
}

const DESCRIPTION = 'a "quoted" \\ ${x} %{y} text';

describe('Terraform: template sequences in strings stay literal', () => {
  it('the description attribute is written with $${ and %%{ (hard-coded expected HCL)', () => {
    const tf = emitTerraform(planWithDescription(DESCRIPTION));
    const line = tf.split('\n').find((l) => /^\s*description\s+=/.test(l));
    assert.ok(line, 'the rule has a description attribute');
    const value = line.slice(line.indexOf('=') + 1).trim();
    assert.equal(value, '"a \\"quoted\\" \\\\ $${x} %%{y} text"');
  });

  it('hcl2json reads it back as the literal text, not an interpolation of x or a directive y', async () => {
    const tf = emitTerraform(planWithDescription(DESCRIPTION));
    const json = (await parseHcl('fix.tf', tf)) as {
      resource: Record<string, Record<string, { description?: string }[]>>;
    };
    const [rule] = Object.values(json.resource.aws_vpc_security_group_ingress_rule ?? {});
    const value = rule?.[0]?.description;
    // In the JSON syntax a literal `${x}` / `%{y}` is `$${x}` / `%%{y}`; an unescaped `${x}` would
    // be an interpolation of x.
    assert.equal(value, 'a "quoted" \\ $${x} %%{y} text');
    // Undoing the JSON syntax's escapes gives back exactly the text that was written.
    const literal = value.replace(/([$%])\1\{/g, (_match, lead: string) => lead + '{');
    assert.equal(literal, DESCRIPTION);
  });

  it('control: hcl2json does tell the two apart (an unescaped ${x} stays a template, %{y} is an error)', async () => {
    const literal = (await parseHcl('a.tf', 'a = "$${x}"\n')) as { a: string };
    const template = (await parseHcl('b.tf', 'b = "${x}"\n')) as { b: string };
    assert.equal(literal.a, '$${x}');
    assert.equal(template.b, '${x}');
    await assert.rejects(parseHcl('c.tf', 'c = "%{y}"\n'));
  });
});
