import { waitFor } from '@sdp/testing';
import { TEST_DEMO_PASSWORD } from './stack';

// Talking to the platform the way a browser or k6 does: only through the edge, with a JWT.

export async function login(edge: string, email: string): Promise<string> {
  const res = await fetch(`${edge}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: TEST_DEMO_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** Logs many users in, a few at a time (password hashing is deliberately slow). */
export async function loginMany(edge: string, emails: string[], concurrency = 20): Promise<string[]> {
  const tokens: string[] = new Array<string>(emails.length);
  let next = 0;
  const worker = async () => {
    while (next < emails.length) {
      const i = next++;
      tokens[i] = await login(edge, emails[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return tokens;
}

/** Sum of a counter over the replicas' /metrics, filtered by a label fragment. */
export async function counterSum(urls: string[], metric: string, labelFragment: string): Promise<number> {
  let total = 0;
  for (const url of urls) {
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const line of text.split('\n')) {
      if (line.startsWith(`${metric}{`) && line.includes(labelFragment))
        total += Number(line.split(' ').pop());
    }
  }
  return total;
}

/** Polls until the read satisfies `fresh`; returns how long that took from `since`. */
export async function msUntil(since: number, read: () => Promise<boolean>): Promise<number> {
  await waitFor(async () => (await read()) || undefined, {
    timeoutMs: 10_000,
    intervalMs: 25,
    what: 'a fresh read',
  });
  return performance.now() - since;
}
