/**
 * The CLI as bin/dynamo-netcheck runs it, in a process of its own, with the AWS SDK's clients
 * answering from the fake account of the example directory DNC_FAKE_AWS (fake-aws.ts). While the
 * file DNC_FAKE_AWS_FAIL holds `{"name", "message", "status"}`, every AWS call fails with that error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { main } from '../../src/cli/main.ts';
import { awsError, fakeAws, loadAwsWorld } from './fake-aws.ts';

const world = process.env.DNC_FAKE_AWS;
const failFile = process.env.DNC_FAKE_AWS_FAIL;
if (world)
  fakeAws(loadAwsWorld(world), {
    mode: 'classes',
    failure: () => {
      if (!failFile || !existsSync(failFile)) return undefined;
      const f = JSON.parse(readFileSync(failFile, 'utf8')) as {
        name: string;
        message: string;
        status?: number;
      };
      return awsError(f.name, f.message, f.status);
    },
  });
process.exitCode = await main(process.argv.slice(2));
