import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Every script below gets the same keys and leading arguments:
//   KEYS[1] dirty (set of ids with pending fields)     KEYS[2] dirty-since (zset id -> oldest write)
//   KEYS[3] inflight (zset claim token -> lease deadline)  KEYS[4] owners (hash id -> claim token)
//   ARGV[1] pending hash prefix   ARGV[2] in-flight batch hash prefix   ARGV[3] now (ms)
// A claimed batch lives in `<inflight prefix><token>` (hash id -> JSON of the claimed fields) until
// its claimer acks it, or its lease runs out and any flusher puts it back.

// Puts one in-flight batch back into the pending hashes. HSETNX: a field written again since the
// claim is newer than the claimed one and must win; fields not written again come back as they were.
const REQUEUE_FN = `
local function requeue(token)
  local key = ARGV[2] .. token
  local flat = redis.call('HGETALL', key)
  for i = 1, #flat, 2 do
    local id = flat[i]
    for field, value in pairs(cjson.decode(flat[i + 1])) do
      redis.call('HSETNX', ARGV[1] .. id, field, value)
    end
    redis.call('SADD', KEYS[1], id)
    redis.call('ZADD', KEYS[2], 'NX', ARGV[3], id)
    if redis.call('HGET', KEYS[4], id) == token then redis.call('HDEL', KEYS[4], id) end
  end
  redis.call('DEL', key)
  redis.call('ZREM', KEYS[3], token)
  return #flat / 2
end
`;

// First re-queues every batch whose lease expired (its claimer died or stalled), then moves up to
// ARGV[6] dirty ids with their fields into a new in-flight batch owned by ARGV[4] until ARGV[5].
// An id already in another live batch is left dirty: its newer change waits until that batch is
// acked or re-queued, so two flushers never race to write the same product in the wrong order.
// One script, so the move is atomic: a change is always pending or in flight, never in neither.
const CLAIM = `${REQUEUE_FN}
local requeued = 0
for _, expired in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[3])) do
  requeued = requeued + requeue(expired)
end
local out = { requeued }
local busy = {}
for _, id in ipairs(redis.call('SPOP', KEYS[1], tonumber(ARGV[6]))) do
  if redis.call('HEXISTS', KEYS[4], id) == 1 then
    table.insert(busy, id)
  else
    local key = ARGV[1] .. id
    local flat = redis.call('HGETALL', key)
    redis.call('DEL', key)
    if #flat > 0 then
      local fields = {}
      for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
      redis.call('HSET', ARGV[2] .. ARGV[4], id, cjson.encode(fields))
      redis.call('HSET', KEYS[4], id, ARGV[4])
      table.insert(out, id)
      table.insert(out, flat)
    end
  end
end
if #busy > 0 then redis.call('SADD', KEYS[1], unpack(busy)) end
if #out > 1 then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4]) end
return out`;

// After the database commit: drops the batch. A lease already re-queued by someone else is left
// alone (returns 0): its changes will be applied again, which is harmless (same field values).
const ACK = `
if not redis.call('ZSCORE', KEYS[3], ARGV[4]) then return 0 end
local key = ARGV[2] .. ARGV[4]
for _, id in ipairs(redis.call('HKEYS', key)) do
  if redis.call('HGET', KEYS[4], id) == ARGV[4] then redis.call('HDEL', KEYS[4], id) end
  -- Written again since the claim: still waiting, so its lag keeps counting.
  if redis.call('SISMEMBER', KEYS[1], id) == 0 then redis.call('ZREM', KEYS[2], id) end
end
redis.call('DEL', key)
redis.call('ZREM', KEYS[3], ARGV[4])
return 1`;

// The flush failed (the database refused or is down): put the batch back now instead of at expiry.
const RELEASE = `${REQUEUE_FN}
if not redis.call('ZSCORE', KEYS[3], ARGV[4]) then return 0 end
return requeue(ARGV[4])`;

// Records a write: merge the fields into the entity's pending hash, mark it dirty, remember when the
// oldest unflushed write arrived (for the flush-lag metric) -- all in one step.
const ENQUEUE = `
local key = ARGV[1] .. ARGV[4]
for i = 5, #ARGV, 2 do redis.call('HSET', key, ARGV[i], ARGV[i + 1]) end
redis.call('SADD', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[4])
return redis.call('SCARD', KEYS[1])`;

// What a reader must lay over the database row: the fields of a batch still in flight (claimed, maybe
// not committed, maybe its claimer is dead), then the fields written after that claim.
const PENDING = `
local out = {}
local token = redis.call('HGET', KEYS[4], ARGV[4])
if token then
  local claimed = redis.call('HGET', ARGV[2] .. token, ARGV[4])
  if claimed then for field, value in pairs(cjson.decode(claimed)) do out[field] = value end end
end
local flat = redis.call('HGETALL', ARGV[1] .. ARGV[4])
for i = 1, #flat, 2 do out[flat[i]] = flat[i + 1] end
return cjson.encode(out)`;

export interface PendingWrite {
  id: string;
  fields: Record<string, string>;
}

/** A batch taken off the queue: its claimer must apply it and ack it before `leaseUntil`. */
export interface ClaimedBatch {
  token: string;
  leaseUntil: number;
  writes: PendingWrite[];
  /** Changes this claim first put back from expired leases of other (dead or stalled) flushers. */
  requeued: number;
}

/**
 * The write-back (write-behind) queue in Redis: a set of dirty ids plus one hash of pending fields per
 * id. Later writes to the same id merge into its hash, so a flush applies the latest value once.
 *
 * It is a reliable queue: a claim moves the changes (atomically) into an in-flight batch with a lease
 * owned by the claimer, who acks it after the database commit. A batch whose lease runs out (the
 * claimer crashed between claim and commit) is put back by the next claim of any flusher, merged under
 * newer changes to the same ids. So a change may be applied twice (the claimer committed, then died
 * before its ack), never lost while Redis keeps its data; applying the same field values twice is
 * harmless. Leases are compared with the claimers' clocks: keep replicas' clocks within a small part
 * of the lease (NTP), and keep the lease well above the time a flush takes.
 *
 * Still lost: everything queued if Redis itself dies without persistence. That is the price of
 * write-back.
 */
export class WriteBackQueue {
  private readonly keys: string[];
  private readonly pendingPrefix: string;
  private readonly inflightPrefix: string;
  private readonly owner: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    options: { owner?: string } = {},
  ) {
    this.keys = [
      `${prefix}:dirty`,
      `${prefix}:dirty-since`,
      `${prefix}:inflight`,
      `${prefix}:inflight-owner`,
    ];
    this.pendingPrefix = `${prefix}:pending:`;
    this.inflightPrefix = `${prefix}:inflight:`;
    this.owner = options.owner ?? 'flusher';
  }

  private run(script: string, now: number, ...args: (string | number)[]): Promise<unknown> {
    return this.redis.eval(script, 4, ...this.keys, this.pendingPrefix, this.inflightPrefix, now, ...args);
  }

  /** Records the write; resolves with the number of ids waiting to be flushed. */
  async enqueue(id: string, fields: Record<string, string>, now = Date.now()): Promise<number> {
    return Number(await this.run(ENQUEUE, now, id, ...Object.entries(fields).flat()));
  }

  /** Fields not yet committed for one id (in flight, then pending), to overlay on the database row. */
  async pending(id: string): Promise<Record<string, string>> {
    return JSON.parse((await this.run(PENDING, Date.now(), id)) as string) as Record<string, string>;
  }

  /**
   * Re-queues expired leases, then atomically moves up to `count` dirty ids into a batch leased to
   * this queue's owner for `leaseMs`. Whoever claims a batch must apply it and `ack` it.
   */
  async claim(count: number, leaseMs: number, now = Date.now()): Promise<ClaimedBatch> {
    const token = `${this.owner}:${randomUUID()}`;
    const leaseUntil = now + leaseMs;
    const [requeued, ...raw] = (await this.run(CLAIM, now, token, leaseUntil, count)) as [
      number,
      ...(string | string[])[],
    ];
    const writes: PendingWrite[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const flat = raw[i + 1] as string[];
      const fields: Record<string, string> = {};
      for (let j = 0; j < flat.length; j += 2) fields[flat[j]] = flat[j + 1];
      writes.push({ id: raw[i] as string, fields });
    }
    return { token, leaseUntil, writes, requeued };
  }

  /** Whether the batch's lease is still this claimer's (not expired, not re-queued by another). */
  async holds(batch: ClaimedBatch, now = Date.now()): Promise<boolean> {
    const deadline = await this.redis.zscore(this.keys[2], batch.token);
    return deadline !== null && Number(deadline) > now;
  }

  /** The batch is committed: drop it. False if its lease was lost (it will be applied again). */
  async ack(batch: ClaimedBatch, now = Date.now()): Promise<boolean> {
    if (batch.writes.length === 0) return true;
    return Number(await this.run(ACK, now, batch.token)) === 1;
  }

  /** The flush failed: put the batch back now; changes made since the claim are kept. */
  async release(batch: ClaimedBatch, now = Date.now()): Promise<void> {
    if (batch.writes.length === 0) return;
    await this.run(RELEASE, now, batch.token);
  }

  /** Ids waiting to be flushed or in a batch being flushed. */
  async depth(): Promise<number> {
    const [dirty, inflight] = await Promise.all([
      this.redis.scard(this.keys[0]),
      this.redis.hlen(this.keys[3]),
    ]);
    return dirty + inflight;
  }

  /** Milliseconds since the oldest write that is not in the database yet (0 when none). */
  async lagMs(now = Date.now()): Promise<number> {
    const oldest = await this.redis.zrange(this.keys[1], '0', '0', 'WITHSCORES');
    return oldest.length ? Math.max(0, now - Number(oldest[1])) : 0;
  }
}
