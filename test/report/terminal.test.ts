/**
 * Issue 17, item 10: names, tags, labels, log lines and file names from a snapshot reach the
 * terminal. Raw, ESC starts control sequences (ECMA-48: CSI `ESC [`, OSC `ESC ]`, which can set the
 * clipboard — OSC 52 — or the window title) and U+202E reverses the text shown after it (Unicode
 * UAX #9). Every human format shows them as escapes (`\x1b`, `\u202e`); the colours the tool adds
 * itself are the only escape sequences it writes.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { renderers } from '../../src/report/index.ts';
import { renderDiagnosis } from '../../src/report/diagnose.ts';
import { escapeControls } from '../../src/base/terminal.ts';
import { diagnosisOf, dynamoCluster, dynamoPod, list, podLogs } from '../questions/diagnose/fixtures.ts';
import { allTraffic, scenario, tcp } from '../helpers/scenario.ts';

const OSC52 = '\u001b]52;c;cHduZWQ=\u0007'; // sets the clipboard to "pwned"
const CLEAR = '\u001b[2J\u001b[H';
const RLO = '\u202e';
const GROUP = `gpu${OSC52}${RLO}evil`;
const SG_NAME = `sys${CLEAR}Verdict: PASS\r\n`;

/** Characters no human output may carry raw (the tool's own colours are off here). */
const RAW =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function assertEscaped(what: string, text: string, expected: readonly string[]): void {
  const raw = RAW.exec(text);
  assert.equal(
    raw,
    null,
    `${what}: raw U+${raw?.[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${raw?.index}`,
  );
  for (const e of expected) assert.ok(text.includes(e), `${what}: shows ${e}\n${text}`);
}

function hostile() {
  return scenario()
    .subnet('subnet-a', '10.0.16.0/20')
    .withoutNacls()
    .sg('sg-sys', [allTraffic.fromGroup('sg-sys')], undefined, { GroupName: SG_NAME })
    .sg('sg-gpu', [allTraffic.fromGroup('sg-gpu')])
    .node('sys-1', {
      group: 'system',
      subnet: 'subnet-a',
      ip: '10.0.16.10',
      sgs: ['sg-sys'],
      podIps: ['10.0.16.11'],
    })
    .node('gpu-1', { group: GROUP, subnet: 'subnet-a', ip: '10.0.16.20', sgs: ['sg-gpu'], gpu: true })
    .nats('nats-0', 'sys-1', '10.0.16.11')
    .analyze({ dynamoVersion: '1.2.0', conformance: false });
}

describe('control and bidi characters are shown escaped (issue 17 item 10)', () => {
  it('escapeControls writes \\x1b, \\u202e, \\r\\n and leaves text alone', () => {
    assert.equal(escapeControls(`a${OSC52}${RLO}b\r\n`), 'a\\x1b]52;c;cHduZWQ=\\x07\\u202eb\\r\\n');
    assert.equal(escapeControls('plain — text é'), 'plain — text é');
    assert.equal(escapeControls('a\nb', { keepNewlines: true }), 'a\nb');
  });

  const result = hostile();
  it('the scenario is blocked and carries the names', () => {
    assert.equal(result.verdict, 'fail');
    assert.ok(result.flows.some((f) => f.source.nodeGroup === GROUP));
  });

  it('table (analyze default), plain and verbose', () => {
    for (const verbose of [false, true]) {
      const text = renderers.table!(result, { color: false, verbose });
      assertEscaped(`table verbose=${verbose}`, text, ['gpu\\x1b]52;c;cHduZWQ=\\x07\\u202eevil']);
    }
  });

  it('table with colours: the only escape sequences are its own SGR colours', () => {
    const text = renderers.table!(result, { color: true, verbose: true });
    // eslint-disable-next-line no-control-regex
    const withoutSgr = text.replace(/\u001b\[[0-9;]*m/g, '');
    assertEscaped('table in colour', withoutSgr, ['\\x1b]52']);
  });

  it('Markdown', () => {
    const md = renderers.markdown!(result, { color: false, verbose: false });
    assertEscaped('markdown', md, ['\\\\x1b', '\\\\u202e']);
  });

  it('diagnose: log lines and events', () => {
    const d = diagnosisOf(
      dynamoCluster({ nats: 'blocked' })
        .file(
          'k8s/dynamo.json',
          list([
            dynamoPod('frontend-0', 'frontend', 'gpu-1', '10.0.32.11', {
              lastMessage: `Failed to connect to NATS: timed out${CLEAR}`,
            }),
            dynamoPod('worker-0', 'worker', 'gpu-1', '10.0.32.12'),
          ]),
        )
        .file(
          'logs/dynamo.json',
          podLogs([
            { pod: 'frontend-0', lines: [`Exception: Failed to connect to NATS: timed out${OSC52}${RLO}`] },
          ]),
        ),
    );
    assert.ok(d.causes.length > 0);
    const text = renderDiagnosis(d, { color: false });
    assertEscaped('diagnose', text, ['timed out\\x1b]52;c;cHduZWQ=\\x07\\u202e']);
  });
});

const scratch = mkdtempSync(join(tmpdir(), 'netcheck-terminal-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('file names on stderr are shown escaped (issue 17 item 10)', () => {
  it('an ignored file whose name carries ESC and U+202E', () => {
    const dir = join(scratch, 'snap');
    mkdirSync(dir, { recursive: true });
    const s = scenario()
      .subnet('subnet-a', '10.0.16.0/20')
      .withoutNacls()
      .sg('sg-sys', [allTraffic.fromGroup('sg-sys'), tcp(4222).fromGroup('sg-sys')])
      .node('sys-1', {
        group: 'system',
        subnet: 'subnet-a',
        ip: '10.0.16.10',
        sgs: ['sg-sys'],
        podIps: ['10.0.16.11'],
      })
      .nats('nats-0', 'sys-1', '10.0.16.11');
    for (const file of s.files()) {
      mkdirSync(join(dir, file.path, '..'), { recursive: true });
      writeFileSync(join(dir, file.path), file.text);
    }
    writeFileSync(join(dir, `notes${CLEAR}${RLO}.yaml`), 'hello: world\n');
    const r = spawnSync('./bin/dynamo-netcheck', ['analyze', dir, '--dynamo-version', '1.2.0'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    assert.match(r.stderr, /notes\\x1b\[2J\\x1b\[H\\u202e\.yaml/, r.stderr);
    assertEscaped('stderr', r.stderr, []);
    assertEscaped('stdout', r.stdout, []);
  });
});
