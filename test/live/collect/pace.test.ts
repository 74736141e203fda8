/** Pacing of live collection: bounded parallel calls in input order, Retry-After, retry limits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  mapInTurns,
  mapLimit,
  meterText,
  newMeter,
  newSlots,
  retryAfterMs,
  withRetry,
  type RetryPolicy,
} from '../../../src/live/collect/pace.ts';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapLimit', () => {
  it('returns results in the order of the inputs, not of completion', async () => {
    // The first input finishes last.
    const got = await mapLimit([30, 10, 20, 0], 4, async (ms, i) => {
      await tick(ms);
      return `${i}:${ms}`;
    });
    assert.deepEqual(got, ['0:30', '1:10', '2:20', '3:0']);
  });

  it('never has more than `limit` calls running, and uses all of them', async () => {
    let running = 0;
    let peak = 0;
    await mapLimit(
      Array.from({ length: 12 }, (_, i) => i),
      3,
      async () => {
        running++;
        peak = Math.max(peak, running);
        await tick(5);
        running--;
      },
    );
    assert.equal(peak, 3);
  });

  it('starts no new call after one fails, and throws that failure', async () => {
    const started: number[] = [];
    await assert.rejects(
      mapLimit([0, 1, 2, 3, 4, 5], 2, async (i) => {
        started.push(i);
        await tick(5);
        if (i === 1) throw new Error('call 1 failed');
        return i;
      }),
      /call 1 failed/,
    );
    // 0 and 1 ran together; 1 failed while 2 (started when 0 finished) was in flight; no more.
    assert.deepEqual(started, [0, 1, 2]);
  });

  it('handles no inputs and a limit above their number', async () => {
    assert.deepEqual(await mapLimit([], 4, async () => 1), []);
    assert.deepEqual(await mapLimit(['a'], 8, async (x) => x + x), ['aa']);
  });
});

describe('mapInTurns', () => {
  it('maps every item in order, `perTurn` of them before the event loop gets a turn', async () => {
    let turns = 0;
    // Counts the turns of the event loop from now on: each check phase runs it once.
    const count = (): void => {
      turns++;
      if (turns < 10) setImmediate(count);
    };
    setImmediate(count);
    const seen: number[] = [];
    const got = await mapInTurns([...Array(7).keys()], 3, (i) => {
      seen.push(turns);
      return i * 10;
    });
    assert.deepEqual(got, [0, 10, 20, 30, 40, 50, 60]);
    // Items 0–2 in the first turn, 3–5 after one turn, 6 after two.
    assert.deepEqual(seen, [0, 0, 0, 1, 1, 1, 2]);
  });

  it('maps no items without waiting for a turn', async () => {
    assert.deepEqual(await mapInTurns([], 5, () => assert.fail('not called')), []);
  });
});

describe('Retry-After', () => {
  it('reads delta-seconds (RFC 9110 §10.2.3) and nothing else', () => {
    assert.equal(retryAfterMs('1'), 1000);
    assert.equal(retryAfterMs(' 12 '), 12_000);
    assert.equal(retryAfterMs('0'), 0);
    assert.equal(retryAfterMs(undefined), undefined);
    // An HTTP date, a negative or fractional number: not trusted.
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT'), undefined);
    assert.equal(retryAfterMs('-1'), undefined);
    assert.equal(retryAfterMs('1.5'), undefined);
  });
});

describe('withRetry', () => {
  const policy = (waits: number[], attempts = 4): RetryPolicy => ({
    attempts,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 1,
  });
  const throttle = new Error('429');
  const isThrottle = (err: unknown) => (err === throttle ? {} : undefined);

  it('retries throttles with doubling waits (capped), then succeeds', async () => {
    const waits: number[] = [];
    const meter = newMeter();
    let n = 0;
    const got = await withRetry(
      async () => {
        if (n++ < 3) throw throttle;
        return 'ok';
      },
      isThrottle,
      policy(waits, 6),
      meter,
    );
    assert.equal(got, 'ok');
    // random 1: the full backoff, 100·2ⁿ.
    assert.deepEqual(waits, [100, 200, 400]);
    assert.deepEqual(meter, { calls: 4, pages: 0, retried: 3 });
  });

  it('waits what the server asked and up to a fifth more, capped at the policy maximum', async () => {
    const waits: number[] = [];
    let n = 0;
    await withRetry(
      async () => {
        if (n++ < 2) throw throttle;
      },
      () => ({ retryAfterMs: n === 1 ? 3000 : 500 }),
      policy(waits),
      newMeter(),
    );
    // random 1: a fifth more than asked (600 for 500), never past the maximum.
    assert.deepEqual(waits, [1000, 600]);
  });

  it('throws the last throttle once the attempts are spent, and any other error at once', async () => {
    const waits: number[] = [];
    const meter = newMeter();
    await assert.rejects(
      withRetry(
        async () => {
          throw throttle;
        },
        isThrottle,
        policy(waits, 3),
        meter,
      ),
      (err) => err === throttle,
    );
    assert.equal(meter.calls, 3);
    assert.equal(waits.length, 2);
    const other = new Error('403');
    const none: number[] = [];
    await assert.rejects(
      withRetry(
        async () => {
          throw other;
        },
        isThrottle,
        policy(none),
        newMeter(),
      ),
      (err) => err === other,
    );
    assert.deepEqual(none, []);
  });
});

describe('meterText', () => {
  it('says calls, and retries only when there were some', () => {
    assert.equal(meterText({ calls: 1, pages: 1, retried: 0 }), '1 call');
    assert.equal(meterText({ calls: 12, pages: 10, retried: 2 }), '12 calls, 2 retried');
  });
});

describe('newSlots', () => {
  it('lets `limit` calls run at once, the waiting ones by rank, equal ranks in the order asked', async () => {
    const slots = newSlots(2);
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    const call = (name: string, rank: number) =>
      slots.run(rank, async () => {
        started.push(name);
        running++;
        peak = Math.max(peak, running);
        await tick(5);
        running--;
      });
    await Promise.all([call('c5', 5), call('a1', 1), call('b5', 5), call('d0', 0), call('e1', 1)]);
    assert.equal(peak, 2);
    // Asked in one turn, ranked together: 0 first, then the two of rank 1 in the order asked.
    assert.deepEqual(started, ['d0', 'a1', 'e1', 'c5', 'b5']);
  });

  it('refuses the waiting and later calls once closed, and lets the running one finish', async () => {
    const slots = newSlots(1);
    const boom = new Error('first failure');
    let finished = false;
    const running = slots.run(0, async () => {
      await tick(5);
      finished = true;
      return 'done';
    });
    const waitingCall = slots.run(0, async () => 'never');
    await tick(0);
    slots.close(boom);
    await assert.rejects(waitingCall, (err) => err === boom);
    await assert.rejects(
      slots.run(0, async () => 'never'),
      (err) => err === boom,
    );
    assert.equal(await running, 'done');
    assert.ok(finished);
  });
});
