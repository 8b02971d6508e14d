/**
 * Demo accounts, seeded with the demo dataset (demo mode only: every demo
 * account shares one published password, DEMO_PASSWORD, so a demo must never
 * be reachable from the internet with real data in it).
 */
import type { Role } from '../../domain/access/principal.js';
import { DEMO_PROVIDER_PLAN, demoProviderId, demoStaffId } from '../../providers/demo/demo-providers.js';
import type { AccountRepository } from '../account.repository.js';
import type { AccountService } from '../account.service.js';

/** The one password of every demo account. Demo mode only. */
export const DEMO_PASSWORD = 'Anxin@2026';

export interface DemoAccount {
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly displayName: string;
  readonly role: Role;
  readonly districtCode?: string;
  readonly providerId?: string;
  readonly staffId?: string;
}

const DISTRICT_NAMES: Readonly<Record<string, string>> = {
  '420102': '江岸区',
  '420103': '江汉区',
  '420104': '硚口区',
  '420105': '汉阳区',
  '420106': '武昌区',
  '420107': '青山区',
  '420111': '洪山区',
};

/** Providers whose dispatcher and first caregiver get demo logins: key → district. */
const PROVIDERS_WITH_LOGINS: readonly (readonly [key: string, districtCode: string, label: string])[] = [
  ['minzu', '420103', '民族街道'],
  ['tangjiadun', '420103', '唐家墩街道'],
  ['zhongnanlu', '420106', '中南路街道'],
  ['luonan', '420111', '珞南街道'],
];

/**
 * Every demo account with its password, for the README and the demo UI.
 *
 * @example
 * listDemoAccounts().find((a) => a.username === 'jianghan.officer')
 * // { id: 'acc-jianghan-officer', role: 'district_officer', districtCode: '420103', password: 'Anxin@2026', … }
 */
export function listDemoAccounts(): DemoAccount[] {
  const accounts: DemoAccount[] = [{ id: 'acc-admin', username: 'admin', password: DEMO_PASSWORD, displayName: '平台管理员', role: 'platform_admin' }];
  for (const [districtCode, plan] of Object.entries(DEMO_PROVIDER_PLAN)) {
    accounts.push({
      id: `acc-${plan.key}-officer`,
      username: `${plan.key}.officer`,
      password: DEMO_PASSWORD,
      displayName: `${DISTRICT_NAMES[districtCode] ?? districtCode}值班员`,
      role: 'district_officer',
      districtCode,
    });
  }
  for (const [key, districtCode, label] of PROVIDERS_WITH_LOGINS) {
    const providerId = demoProviderId(districtCode, key);
    accounts.push(
      { id: `acc-${key}-dispatcher`, username: `${key}.dispatcher`, password: DEMO_PASSWORD, displayName: `${label}调度员`, role: 'provider_dispatcher', providerId, staffId: demoStaffId(districtCode, key, 0) },
      { id: `acc-${key}-caregiver1`, username: `${key}.caregiver1`, password: DEMO_PASSWORD, displayName: `${label}护理员1`, role: 'caregiver', providerId, staffId: demoStaffId(districtCode, key, 1) },
    );
  }
  return accounts;
}

/** Creates the demo accounts that do not exist yet (by username); returns how many were created. */
export async function seedDemoAccounts(service: AccountService, repository: AccountRepository): Promise<number> {
  let created = 0;
  for (const { password, ...account } of listDemoAccounts()) {
    if (await repository.findByUsername(account.username)) continue;
    await service.create({ ...account, password }, 'demo-seed');
    created += 1;
  }
  return created;
}
