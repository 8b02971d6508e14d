/**
 * A device's announced heartbeat interval when it exceeds its type's maximum
 * (supervision holds it to the maximum): kept with the device's state so the
 * device record shows the misconfiguration after a restart too.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('device_states').addColumn('announced_heartbeat_s', 'integer').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('device_states').dropColumn('announced_heartbeat_s').execute();
}
