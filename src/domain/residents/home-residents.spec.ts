import { describe, expect, it } from '@jest/globals';
import { attributeDeviceInput, orderHomeResidents, unattributedReasonOf, type DeviceInputAttribution, type HomeInputReach } from './home-residents.js';

describe('orderHomeResidents', () => {
  it.each<[string, { residentId: string; registeredAt: number }[], string[]]>([
    ['puts the resident registered first first (the primary resident)', [{ residentId: 'r-b', registeredAt: 100 }, { residentId: 'r-a', registeredAt: 200 }], ['r-b', 'r-a']],
    ['breaks a tie of registration time by id, so every restart picks the same primary', [{ residentId: 'r-2', registeredAt: 100 }, { residentId: 'r-1', registeredAt: 100 }], ['r-1', 'r-2']],
    ['has no primary resident for an empty home', [], []],
  ])('%s', (_name, residents, expected) => {
    expect(orderHomeResidents(residents)).toEqual(expected);
  });
});

describe('attributeDeviceInput', () => {
  const couple = ['r-1', 'r-2'];
  it.each<[string, { residentId: string | null; homeId: string | null }, readonly string[], HomeInputReach, DeviceInputAttribution]>([
    ['gives a resident\'s own device (wearable) to that resident, whatever the home', { residentId: 'r-9', homeId: 'h-1' }, couple, 'primary_resident', { residentIds: ['r-9'] }],
    ['gives a home device\'s observation of people (PIR, radar zone) to every resident of the home', { residentId: null, homeId: 'h-1' }, couple, 'every_resident', { residentIds: ['r-1', 'r-2'] }],
    ['gives a condition of the home (smoke, device offline, low battery) to the primary resident only', { residentId: null, homeId: 'h-1' }, couple, 'primary_resident', { residentIds: ['r-1'] }],
    ['gives a detector of an elder living alone to that elder', { residentId: null, homeId: 'h-1' }, ['r-1'], 'primary_resident', { residentIds: ['r-1'] }],
    ['attributes nobody in a home with no resident registered, and says so', { residentId: null, homeId: 'h-1' }, [], 'primary_resident', { residentIds: [], unattributed: 'home_without_resident' }],
    ['attributes nobody for a device bound to neither resident nor home, and says so', { residentId: null, homeId: null }, [], 'every_resident', { residentIds: [], unattributed: 'device_unbound' }],
  ])('%s', (_name, binding, residents, reach, expected) => {
    expect(attributeDeviceInput(binding, residents, reach)).toEqual(expected);
  });
});

describe('unattributedReasonOf', () => {
  it.each<[string, { residentId: string | null; homeId: string | null }, string | null]>([
    ['an alert with a resident can be dispatched', { residentId: 'r-1', homeId: 'h-1' }, null],
    ['an alert of a home with no resident cannot', { residentId: null, homeId: 'h-1' }, 'home_without_resident'],
    ['an alert of an unbound device cannot', { residentId: null, homeId: null }, 'device_unbound'],
  ])('%s', (_name, alert, expected) => {
    expect(unattributedReasonOf(alert)).toBe(expected);
  });
});
