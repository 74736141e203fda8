import { Option } from 'commander';
import { dial, DialTargetError, parseTargets, type DialOptions } from '../../live/dial/index.ts';
import { renderDialTable } from '../../report/dial.ts';
import { ExitCode, UsageError } from '../errors.ts';
import { addExitCodesAndExamples, NO_COLOR_HELP, QUIET_HELP } from '../help.ts';
import { parseDuration, type RegisterCommand } from '../shared.ts';

interface DialFlags {
  timeout: string;
  jetstream?: boolean;
  promQuery?: string;
  etcd?: boolean;
  output: 'table' | 'json';
}

export const registerDial: RegisterCommand = (program, setExit) => {
  const command = program
    .command('dial')
    .description(
      'Dial services from this machine: TCP connect (timed out / refused / DNS failure / no route), then NATS + JetStream, Prometheus readiness + query, etcd health or an HTTP GET',
    )
    .argument(
      '<url...>',
      'tcp://host:port, nats://host[:4222], http(s)://host:port (9090 is Prometheus, 2379 etcd)',
    )
    .option(
      '--timeout <duration>',
      "budget per target: 500ms, 2s or 5 (seconds); the validator's is 5s",
      '5s',
    )
    .option('--jetstream', 'nats:// targets must have JetStream')
    .option('--prom-query <promql>', 'http(s):// targets are Prometheus: run this instant query once ready')
    .option('--etcd', 'http(s):// targets are etcd: check /health')
    .addOption(
      new Option('-o, --output <format>', 'report format').choices(['table', 'json']).default('table'),
    )
    .option('--no-color', NO_COLOR_HELP)
    .option('--quiet', QUIET_HELP);
  addExitCodesAndExamples(
    command,
    [
      [ExitCode.Pass, 'every target answered as asked'],
      [
        ExitCode.Fail,
        'a target failed: timed out, refused, no DNS name or route, no JetStream, not ready, unhealthy',
      ],
    ],
    ['dial nats://10.0.25.60:4222 --jetstream', 'dial http://10.0.18.204:9090 --prom-query up --timeout 2s'],
  );
  command.action(async (urls: string[], flags: DialFlags) => {
    const options: DialOptions = {
      timeoutMs: parseDuration(flags.timeout),
      jetstream: flags.jetstream === true,
      promQuery: flags.promQuery,
      etcd: flags.etcd === true,
    };
    const targets = asUsageError(() => parseTargets(urls, options));
    // Targets are dialed in parallel, so the whole run takes about one timeout at most.
    const reports = await Promise.all(targets.map((target) => dial(target, options)));
    const passed = reports.every((report) => report.passed);
    process.stdout.write(
      flags.output === 'json'
        ? `${JSON.stringify({ passed, targets: reports }, null, 2)}\n`
        : renderDialTable(reports),
    );
    setExit(passed ? ExitCode.Pass : ExitCode.Fail);
  });
};

function asUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof DialTargetError) throw new UsageError(err.message);
    throw err;
  }
}
