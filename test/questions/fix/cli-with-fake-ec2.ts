/**
 * The real command line (`main`) with every EC2Client it creates answered by the stateful fake
 * account. The account lives in the JSON file named by FAKE_EC2_ACCOUNT and is saved back after
 * the run, so a test can run the CLI twice against one account. With `live` set (an example
 * directory), the collector's describe calls are answered from that example's aws/ files too
 * (test/helpers/fake-aws.ts), and each rule the run adds shows up in its security groups — so
 * `--live` re-collects and sees the change.
 * Usage: FAKE_EC2_ACCOUNT=… node --import tsx test/questions/fix/cli-with-fake-ec2.ts <args…>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { main } from '../../../src/cli/main.ts';
import { fakeAws, loadAwsWorld } from '../../helpers/fake-aws.ts';
import { fakeEc2, type Ec2State, type FakeEc2, type StoredRule } from './fake-ec2.ts';

export interface FakeAccount {
  state: Ec2State;
  denied?: string[];
  calls?: FakeEc2['calls'];
  /** An example directory whose aws/*.json answer collection (for --live). */
  live?: string;
}

const file = process.env.FAKE_EC2_ACCOUNT;
if (!file) throw new Error('FAKE_EC2_ACCOUNT is not set');
const account = JSON.parse(readFileSync(file, 'utf8')) as FakeAccount;

let restoreCollector = (): void => {};
let onRuleAdded: ((rule: StoredRule) => void) | undefined;
if (account.live) {
  const world = loadAwsWorld(account.live);
  restoreCollector = fakeAws(world, { mode: 'classes' }).restore;
  // What describe-security-groups shows after the rules went in (added on earlier runs too).
  onRuleAdded = (rule) => {
    const group = world.securityGroups.find((g) => g.GroupId === rule.groupId)!;
    const key = rule.egress ? 'IpPermissionsEgress' : 'IpPermissions';
    group[key] = [
      ...((group[key] as object[]) ?? []),
      {
        IpProtocol: rule.protocol,
        FromPort: rule.from,
        ToPort: rule.to,
        UserIdGroupPairs: [{ GroupId: rule.peer, UserId: world.accountId, Description: rule.description }],
      },
    ];
  };
  account.state.rules.forEach((rule) => onRuleAdded!(rule));
}
const fake = fakeEc2(
  account.state,
  { denied: account.denied ?? [], ...(onRuleAdded ? { onRuleAdded } : {}) },
  account.live ? 'extend' : 'class',
);
try {
  process.exitCode = await main(process.argv.slice(2));
} finally {
  fake.restore();
  restoreCollector();
  writeFileSync(file, JSON.stringify({ ...account, calls: [...(account.calls ?? []), ...fake.calls] }));
}
