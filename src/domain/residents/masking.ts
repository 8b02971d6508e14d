/**
 * Masking of personal data for list views and logs (个人信息去标识化, in the
 * spirit of GB/T 35273-2020《个人信息安全规范》 §6.2 and the PIPL principle of
 * minimum necessity). Pure functions: the same rule wherever a name or a number
 * is shown, so a screen can never leak what another one masks.
 */
import type { EmergencyContact, MaskedResident, Resident } from './resident.js';

const MASK = '*';

/**
 * Keeps the first and (for three characters or more) the last character.
 * Counts code points, so CJK and supplementary characters mask alike.
 *
 * @example maskName('张桂华') === '张*华'; maskName('王英') === '王*'; maskName('欧阳娜娜') === '欧**娜'
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  const first = chars[0];
  const last = chars[chars.length - 1];
  if (first === undefined || last === undefined) return '';
  if (chars.length === 1) return MASK;
  if (chars.length === 2) return first + MASK;
  return first + MASK.repeat(chars.length - 2) + last;
}

/**
 * A mainland mobile number keeps its first three and last four digits
 * (138****5678, the form carriers and banks print); any other number keeps
 * only its last four digits. Spaces, dashes and a +86 prefix are dropped first.
 *
 * @example maskPhone('13812345678') === '138****5678'; maskPhone('027-8888 1234') === '*******1234'
 */
export function maskPhone(phone: string): string {
  let digits = phone.replace(/[\s-]/g, '');
  if (digits.startsWith('+86')) digits = digits.slice(3);
  else if (digits.startsWith('+')) digits = digits.slice(1);
  if (/^1\d{10}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`;
  if (digits.length <= 4) return MASK.repeat(digits.length);
  return MASK.repeat(digits.length - 4) + digits.slice(-4);
}

/**
 * A 18-character resident ID number (GB 11643-1999) keeps the first three
 * characters (province + city prefix of the address code) and the last four
 * (sequence and check digit): the birth date in positions 7–14 is always
 * hidden. A 15-digit first-generation number is masked the same way; anything
 * else keeps only its last four characters.
 *
 * @example maskIdNumber('110101194903151234') === '110***********1234'
 */
export function maskIdNumber(idNumber: string): string {
  const id = idNumber.trim().toUpperCase();
  if (/^\d{17}[\dX]$/.test(id) || /^\d{15}$/.test(id)) {
    return id.slice(0, 3) + MASK.repeat(id.length - 7) + id.slice(-4);
  }
  if (id.length <= 4) return MASK.repeat(id.length);
  return MASK.repeat(id.length - 4) + id.slice(-4);
}

export function maskEmergencyContact(contact: EmergencyContact): EmergencyContact {
  return { relation: contact.relation, name: maskName(contact.name), phone: maskPhone(contact.phone) };
}

/**
 * The list-view form of a resident: name and contacts masked. `phoneLast4` is
 * kept as is: four digits alone are what the registry stores in the first place.
 */
export function maskResident(resident: Resident): MaskedResident {
  return {
    ...resident,
    displayName: maskName(resident.displayName),
    emergencyContacts: resident.emergencyContacts.map(maskEmergencyContact),
    masked: true,
  };
}
