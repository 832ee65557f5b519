import type { DataSource } from 'typeorm';
import { hashPassword } from '../users/password';
import type { UserRole } from '../users/user.entity';

export interface DemoUser {
  email: string;
  name: string;
  role: UserRole;
}

/** alice and bob (customers), admin, and customer001..customer600 for load tests. */
export function demoUsers(loadTestCustomers = 600): DemoUser[] {
  const users: DemoUser[] = [
    { email: 'alice@example.com', name: 'Alice', role: 'customer' },
    { email: 'bob@example.com', name: 'Bob', role: 'customer' },
    { email: 'admin@example.com', name: 'Admin', role: 'admin' },
  ];
  for (let i = 1; i <= loadTestCustomers; i++) {
    const n = String(i).padStart(3, '0');
    users.push({ email: `customer${n}@example.com`, name: `Customer ${n}`, role: 'customer' });
  }
  return users;
}

/**
 * Upserts the demo users with DEMO_PASSWORD. One hash (one salt) for all of them, computed once:
 * they share a password anyway, and 603 scrypt runs would add seconds to every start. Registered
 * users each get their own salt. The upsert re-applies the password, so changing DEMO_PASSWORD and
 * restarting works; it is safe from both replicas at once.
 */
export async function seedDemoUsers(dataSource: DataSource, schema: string, password: string): Promise<void> {
  const users = demoUsers();
  const hash = await hashPassword(password);
  await dataSource.query(
    `INSERT INTO "${schema}".users (email, name, role, password_hash)
     SELECT u.email, u.name, u.role, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(email, name, role)
     ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role`,
    [users.map((u) => u.email), users.map((u) => u.name), users.map((u) => u.role), hash],
  );
}
