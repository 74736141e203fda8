/**
 * The real command line (`main`) with every EC2Client it creates answered by the stateful fake
 * account. The account lives in the JSON file named by FAKE_EC2_ACCOUNT ({ state, denied, calls })
 * and is saved back after the run, so a test can run the CLI twice against one account.
 * Usage: node --import tsx test/remediate/apply/cli-with-fake-ec2.ts <dynamo-netcheck args…>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { main } from '../../../src/cli/main.ts';
import { fakeEc2, type Ec2State, type FakeEc2 } from './fake-ec2.ts';

export interface FakeAccount {
  state: Ec2State;
  denied?: string[];
  calls?: FakeEc2['calls'];
}

const file = process.env.FAKE_EC2_ACCOUNT;
if (!file) throw new Error('FAKE_EC2_ACCOUNT is not set');
const account = JSON.parse(readFileSync(file, 'utf8')) as FakeAccount;
const fake = fakeEc2(account.state, { denied: account.denied ?? [] }, 'class');
try {
  process.exitCode = await main(process.argv.slice(2));
} finally {
  fake.restore();
  writeFileSync(file, JSON.stringify({ ...account, calls: [...(account.calls ?? []), ...fake.calls] }));
}
