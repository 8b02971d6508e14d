/**
 * Reads what production mode must know about an already-used data dir: demo
 * devices seeded earlier (their secrets derive from the demo key) and demo
 * accounts still on the published demo password. A data dir without a
 * registry yet has neither, and none is created here.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { accountsDb } from '../accounts/accounts.tables.js';
import { DEMO_PASSWORD, listDemoAccounts } from '../accounts/demo/demo-accounts.js';
import { PasswordHasher } from '../accounts/password-hasher.js';
import { openRegistryDatabase } from '../registry/database.js';
import { DEMO_PROVISIONED_BY } from '../registry/demo/seed-demo.js';
import { EMPTY_REGISTRY, type RegistryFacts } from './production-problems.js';

export const REGISTRY_FILE = 'registry.sqlite';

export async function readRegistryFacts(dataDir: string, hasher = new PasswordHasher()): Promise<RegistryFacts> {
  const filename = join(dataDir, REGISTRY_FILE);
  if (!existsSync(filename)) return EMPTY_REGISTRY;
  const db = await openRegistryDatabase({ filename });
  try {
    const devices = await db
      .selectFrom('devices')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('provisioned_by', '=', DEMO_PROVISIONED_BY)
      .executeTakeFirstOrThrow();
    // Only the demo usernames: one argon2 verify each (~30 ms), not one per account of a large city.
    const candidates = await accountsDb(db)
      .selectFrom('accounts')
      .select(['username', 'password_hash'])
      .where('username', 'in', listDemoAccounts().map((a) => a.username))
      .where('disabled', '=', 0)
      .orderBy('username')
      .execute();
    const demoPasswordAccounts: string[] = [];
    for (const account of candidates) if (await hasher.verify(account.password_hash, DEMO_PASSWORD)) demoPasswordAccounts.push(account.username);
    return { demoDevices: Number(devices.n), demoPasswordAccounts };
  } finally {
    await db.destroy();
  }
}
