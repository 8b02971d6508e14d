/**
 * Every registry migration, in order. Names sort lexically (kysely's Migrator
 * runs them in name order), so keep the 4-digit prefix. Never edit or rename a
 * migration that has shipped: add a new one.
 */
import type { Migration } from 'kysely';
import * as geography from './0001-geography.js';
import * as homesResidents from './0002-homes-residents.js';
import * as devices from './0003-devices.js';
import * as deviceStates from './0004-device-states.js';
import * as meta from './0005-meta.js';
import * as alerts from './0100-alerts.js';
import * as providers from './0110-providers.js';
import * as accounts from './0111-accounts.js';
import * as dispatch from './0120-dispatch.js';
import * as operatorAlerts from './0130-operator-alerts.js';
import * as audit from './0140-audit.js';
import * as announcedHeartbeat from './0150-announced-heartbeat.js';
import * as pendingAlertNotices from './0160-pending-alert-notices.js';

export const registryMigrations: Readonly<Record<string, Migration>> = {
  '0001-geography': geography,
  '0002-homes-residents': homesResidents,
  '0003-devices': devices,
  '0004-device-states': deviceStates,
  '0005-meta': meta,
  '0100-alerts': alerts,
  '0110-providers': providers,
  '0111-accounts': accounts,
  '0120-dispatch': dispatch,
  '0130-operator-alerts': operatorAlerts,
  '0140-audit': audit,
  '0150-announced-heartbeat': announcedHeartbeat,
  '0160-pending-alert-notices': pendingAlertNotices,
};
