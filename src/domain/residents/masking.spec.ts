import { maskIdNumber, maskName, maskPhone, maskResident } from './masking.js';
import type { Resident } from './resident.js';

describe('maskName', () => {
  it.each([
    ['王英', '王*'],
    ['张桂华', '张*华'],
    ['欧阳娜娜', '欧**娜'],
    ['司马相如', '司**如'],
    ['李', '*'],
    ['', ''],
    ['  刘建国 ', '刘*国'],
    ['𠮷田', '𠮷*'],
    ['Alice', 'A***e'],
  ])('masks %j as %j', (name, masked) => {
    expect(maskName(name)).toBe(masked);
  });
});

describe('maskPhone', () => {
  it.each([
    ['13812345678', '138****5678'],
    ['+86 138 1234 5678', '138****5678'],
    ['+8613812345678', '138****5678'],
    ['138-1234-5678', '138****5678'],
    ['027-88881234', '*******1234'],
    ['85551234', '****1234'],
    ['1234', '****'],
    ['', ''],
  ])('masks %j as %j', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});

describe('maskIdNumber', () => {
  it.each([
    ['11010119490315123X', '110***********123X'],
    ['110101194903151234', '110***********1234'],
    ['11010119490315123x', '110***********123X'],
    ['420102490315123', '420********5123'],
    ['A1234567', '****4567'],
    ['123', '***'],
  ])('masks %j as %j', (id, masked) => {
    expect(maskIdNumber(id)).toBe(masked);
  });

  it('never shows the birth date of an 18-digit number', () => {
    expect(maskIdNumber('420106193712240018')).not.toContain('19371224');
  });
});

describe('maskResident', () => {
  const resident: Resident = {
    id: 'r-000001',
    displayName: '张桂华',
    phoneLast4: '5678',
    birthYear: 1940,
    gender: 'female',
    capabilityLevel: 2,
    livingSituation: 'alone',
    conditions: ['hypertension'],
    emergencyContacts: [{ relation: '女儿', name: '李丽', phone: '13912345678' }],
    communityCode: '420106001001',
    streetCode: '420106001',
    districtCode: '420106',
    homeId: 'h-000001',
    createdAt: 1_735_689_600_000,
  };

  it('masks the name and every emergency contact and keeps the rest', () => {
    expect(maskResident(resident)).toEqual({
      ...resident,
      displayName: '张*华',
      emergencyContacts: [{ relation: '女儿', name: '李*', phone: '139****5678' }],
      masked: true,
    });
  });
});
