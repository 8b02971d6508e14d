/**
 * Who a device's input belongs to. A wearable, mattress or SOS button is
 * bound to its resident; a smoke, gas or water detector, a door contact, a
 * PIR or a fall radar is bound to the home (residentId null). Dispatch sends
 * a caregiver to a resident (their street, their home, their card), so an
 * alert nobody is attributed to reaches no one: this module makes that
 * decision once, for the rules and for the count of alerts that cannot be
 * dispatched.
 *
 * @example
 * const ordered = orderHomeResidents([{ residentId: 'r-2', registeredAt: 5 }, { residentId: 'r-1', registeredAt: 9 }]);
 * // ['r-2', 'r-1']: r-2 is the primary resident
 * attributeDeviceInput({ residentId: null, homeId: 'h-1' }, ordered, 'primary_resident');
 * // { residentIds: ['r-2'] }
 * attributeDeviceInput({ residentId: null, homeId: 'h-9' }, [], 'primary_resident');
 * // { residentIds: [], unattributed: 'home_without_resident' }
 */

/** A resident living in a home, as the registry knows them. */
export interface HomeResident {
  readonly residentId: string;
  /** When the resident was registered (epoch ms). */
  readonly registeredAt: number;
}

/**
 * The residents of one home, primary first. The primary resident is the one
 * registered first (the person the home was fitted for; a spouse is
 * registered with or after them); equal times fall back to the id, so the
 * order is total and the same on every replica and after every restart.
 */
export function orderHomeResidents(residents: readonly HomeResident[]): string[] {
  return [...residents]
    .sort((a, b) => a.registeredAt - b.registeredAt || (a.residentId < b.residentId ? -1 : a.residentId > b.residentId ? 1 : 0))
    .map((r) => r.residentId);
}

/**
 * Whose the input of a home device is:
 * - `every_resident`: what a home device observes of people (movement,
 *   presence, zone, a door, a bed): the radar cannot tell which of a couple is
 *   in the bathroom, so both are watched;
 * - `primary_resident`: one condition of the home (a fall seen by the radar,
 *   smoke, gas, a leak, the device's own health: offline, low battery), to be
 *   raised and dispatched once, for the home's primary resident.
 */
export type HomeInputReach = 'every_resident' | 'primary_resident';

/** Why an alert has nobody to dispatch to: both are registry gaps for an operator to fix. */
export type UnattributedReason =
  /** The device is bound to a home in which no resident is registered. */
  | 'home_without_resident'
  /** The device is bound to neither a resident nor a home (provisioned, not installed). */
  | 'device_unbound';

export type DeviceInputAttribution =
  | { readonly residentIds: readonly [string, ...string[]] }
  | { readonly residentIds: readonly []; readonly unattributed: UnattributedReason };

/**
 * The residents a device's input is given to. `residentsOfHome` is the
 * device's home's residents, primary first (orderHomeResidents); it is not
 * read for a device bound to a resident.
 */
export function attributeDeviceInput(
  binding: { readonly residentId: string | null; readonly homeId: string | null },
  residentsOfHome: readonly string[],
  reach: HomeInputReach,
): DeviceInputAttribution {
  if (binding.residentId !== null) return { residentIds: [binding.residentId] };
  if (binding.homeId === null) return { residentIds: [], unattributed: 'device_unbound' };
  const [primary, ...others] = residentsOfHome;
  if (primary === undefined) return { residentIds: [], unattributed: 'home_without_resident' };
  return { residentIds: reach === 'primary_resident' ? [primary] : [primary, ...others] };
}

/** Why an alert cannot be dispatched for want of a resident, or null when it has one. */
export function unattributedReasonOf(alert: { readonly residentId: null; readonly homeId: string | null }): UnattributedReason;
export function unattributedReasonOf(alert: { readonly residentId: string | null; readonly homeId: string | null }): UnattributedReason | null;
export function unattributedReasonOf(alert: { readonly residentId: string | null; readonly homeId: string | null }): UnattributedReason | null {
  if (alert.residentId !== null) return null;
  return alert.homeId === null ? 'device_unbound' : 'home_without_resident';
}
