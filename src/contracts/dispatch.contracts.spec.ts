import { describe, expect, it } from '@jest/globals';
import type { Server } from 'socket.io';
import type { Socket as ClientSocket } from 'socket.io-client';
import {
  alertCommandResultSchema,
  alertPendingSchema,
  alertUpdateSchema,
  coarsenToCell,
  commandResultSchema,
  dispatchClientEventSchemas,
  districtAlertUpdateSchema,
  districtOrderUpdateSchema,
  districtSafeIdSchema,
  kpiUpdateSchema,
  dispatchResyncSchema,
  offerSchema,
  parseEvent,
  type DispatchClientToServerEvents,
  type DispatchServerToClientEvents,
  type DistrictClientToServerEvents,
  type DistrictServerToClientEvents,
  type OfferPayload,
} from './dispatch.contracts.js';

const T0 = Date.UTC(2025, 0, 15, 2, 0, 0);

const makeOffer = (over: Partial<OfferPayload> = {}): OfferPayload => ({
  cursor: 17,
  orderId: 'ord-42',
  attempt: 1,
  providerId: 'prov-jh-01',
  suggestedStaffId: 'st-7',
  service: 'remote_care',
  alert: { alertId: 'al-9', kind: 'fall', severity: 'critical', priority: 'P1', evidenceSummary: '卫生间跌倒，30 秒内未取消', raisedAt: T0, flaps: 0 },
  resident: {
    residentId: 'res-1',
    masked: true,
    displayName: '张*华',
    age: 82,
    gender: 'female',
    capabilityLevel: 2,
    livingSituation: 'alone',
    conditions: ['hypertension'],
    emergencyContacts: [{ relation: '女儿', name: '王*华', phone: '138****5678' }],
    address: '武汉市江汉区民族街道前进四路 18 号',
    home: { lat: 30.5801, lon: 114.2732 },
  },
  reach: { distanceKm: 2.1, travelMinutes: 9, travelMode: 'ebike' },
  reason: '2.1 km，电动车约 9 分钟，当前 1 单在办',
  instructions: [],
  sla: { acceptBy: T0 + 60_000, onSiteBy: T0 + 900_000 },
  offeredAt: T0,
  ...over,
});

const districtOrder = {
  cursor: 311,
  orderId: 'ord-42',
  alertId: 'al-9',
  districtCode: '420103',
  streetCode: '420103001',
  kind: 'fall',
  priority: 'P1',
  service: 'remote_care',
  state: 'escalated',
  attempt: 2,
  providerId: null,
  by: { kind: 'system' },
  at: T0,
  deadlines: { acceptBy: null, onSiteBy: T0 + 900_000, redispatchAt: null },
  outcome: null,
  escalationReason: 'candidates_exhausted',
  coverageGap: false,
  familyNotified: true,
} as const;

describe('dispatch contracts', () => {
  it('accepts the documented offer example and rejects an offer without SLA deadlines', () => {
    expect(offerSchema.safeParse(makeOffer()).success).toBe(true);
    const { sla: _sla, ...noSla } = makeOffer();
    expect(offerSchema.safeParse(noSla).success).toBe(false);
  });

  it.each([
    ['order:decline without a reason', 'order:decline', { orderId: 'ord-42', attempt: 1 }, false],
    ['order:decline with a reason', 'order:decline', { orderId: 'ord-42', attempt: 1, reason: '人员均在外出服务' }, true],
    ['order:resolve with an unknown outcome', 'order:resolve', { orderId: 'ord-42', outcome: 'solved', notes: '' }, false],
    ['order:resolve false_alarm', 'order:resolve', { orderId: 'ord-42', outcome: 'false_alarm', notes: '老人已自行起身' }, true],
    ['location:update off the globe', 'location:update', { lat: 95, lon: 114.27, at: T0 }, false],
    ['offer:ack', 'offer:ack', { orderId: 'ord-42', attempt: 1, cursor: 17 }, true],
    ['alert:acknowledge', 'alert:acknowledge', { orderId: 'ord-42' }, true],
    ['alert:clear without a note', 'alert:clear', { orderId: 'ord-42' }, false],
    ['alert:clear with a blank note', 'alert:clear', { orderId: 'ord-42', note: '   ' }, false],
    ['alert:clear with a note', 'alert:clear', { orderId: 'ord-42', note: '上门确认老人误按，已安抚' }, true],
  ] as const)('validates client command %s', (_name, event, payload, ok) => {
    expect(parseEvent(dispatchClientEventSchemas, event, payload).success).toBe(ok);
  });

  it('acknowledges a command with either an order update or a typed error', () => {
    expect(commandResultSchema.safeParse({ ok: false, error: { code: 'stale_attempt', message: 'attempt 1 is over' } }).success).toBe(true);
    expect(commandResultSchema.safeParse({ ok: false, error: { code: 'oops', message: '' } }).success).toBe(false);
  });

  it('acknowledges an alert command with the alert as it left it, or a named refusal', () => {
    const alert = { alertId: 'al-9', orderId: 'ord-42', kind: 'sos', state: 'cleared', acknowledged: true, clearNote: '上门确认老人误按，已安抚' };
    expect(alertCommandResultSchema.safeParse({ ok: true, alert }).success).toBe(true);
    expect(alertCommandResultSchema.safeParse({ ok: false, error: { code: 'not_your_order', message: 'this order is not held by your provider' } }).success).toBe(true);
    expect(alertCommandResultSchema.safeParse({ ok: true, alert: { ...alert, state: 'resolved' } }).success).toBe(false);
  });

  describe('alert:pending (待确认 before a fall is confirmed)', () => {
    const { cursor: _c, ...offered } = makeOffer();
    const awaiting = {
      cursor: 16,
      alertId: 'al-9',
      status: 'awaiting_confirmation',
      confirmBy: T0 + 30_000,
      alert: { ...offered.alert, evidenceSummary: '跌倒报警（置信度 0.93，卫生间）' },
      service: offered.service,
      reason: offered.reason,
      resident: offered.resident,
      at: T0,
    };

    it('accepts the documented announcement and the end of the wait', () => {
      expect(alertPendingSchema.safeParse(awaiting).success).toBe(true);
      expect(alertPendingSchema.safeParse({ cursor: 18, alertId: 'al-9', status: 'self_recovered', note: '居民已自行取消/起身：跌倒后 12 秒雷达检测到站立，未派紧急单', at: T0 + 12_000 }).success).toBe(true);
      expect(alertPendingSchema.safeParse({ cursor: 18, alertId: 'al-9', status: 'confirmed', note: null, at: T0 + 30_000 }).success).toBe(true);
    });

    it.each([
      ['an unmasked resident', { ...awaiting, resident: { ...awaiting.resident, masked: false, displayName: '张桂华' } }],
      ['an announcement without the end of its window', { ...awaiting, confirmBy: undefined }],
      ['an end that is no end', { cursor: 18, alertId: 'al-9', status: 'awaiting_confirmation', note: null, at: T0 }],
      ['an unknown status', { cursor: 18, alertId: 'al-9', status: 'dispatched', note: null, at: T0 }],
    ])('rejects %s', (_name, payload) => {
      expect(alertPendingSchema.safeParse(payload).success).toBe(false);
    });

    it('is replayed by a resync like every other provider event', () => {
      const resync = { cursor: 16, since: 15, toCursor: 16, truncated: false, events: [{ event: 'alert:pending', data: awaiting }] };
      expect(dispatchResyncSchema.safeParse(resync).success).toBe(true);
    });
  });

  it('reads events stored before the flap count was sent as 0 flaps (a resync replays them)', () => {
    const stored = { cursor: 19, alertId: 'al-9', orderIds: ['ord-42'], kind: 'prolonged_inactivity', state: 'active', severity: 'major', acknowledged: false, downgraded: false, downgradeReason: null, at: T0 };
    expect(alertUpdateSchema.parse(stored).flaps).toBe(0);
    expect(alertUpdateSchema.parse({ ...stored, flaps: 3 }).flaps).toBe(3);
    const { flaps: _f, ...oldSummary } = makeOffer().alert;
    expect(offerSchema.parse(makeOffer({ alert: oldSummary as OfferPayload['alert'] })).alert.flaps).toBe(0);
  });

  describe('/district payloads cannot carry personal data', () => {
    it('accepts the documented order update example', () => {
      expect(districtOrderUpdateSchema.safeParse(districtOrder).success).toBe(true);
    });

    it.each([
      ['an extra name field', { ...districtOrder, residentName: '张桂华' }],
      ['a phone number as provider id', { ...districtOrder, providerId: '13812345678' }],
      ['a landline as order id', { ...districtOrder, orderId: '027-8888-1234' }],
      ['an ID number as alert id', { ...districtOrder, alertId: '11010119490315123X' }],
      ['a Chinese name as provider id', { ...districtOrder, providerId: '张桂华' }],
      ['a mobile number as street code', { ...districtOrder, streetCode: '13812345678' }],
      ['a staff actor with a staff id', { ...districtOrder, by: { kind: 'provider', providerId: 'prov-1', staffId: 'st-7' } }],
    ])('rejects %s', (_name, payload) => {
      expect(districtOrderUpdateSchema.safeParse(payload).success).toBe(false);
    });

    it.each(['3f2b8c1e-9a4d-4e2b-8c1e-9a4d4e2b8c1e', 'ord-42', 'prov-jh-01', 'al:2025:9'])('accepts the opaque id %s', (id) => {
      expect(districtSafeIdSchema.safeParse(id).success).toBe(true);
    });

    it('accepts only a ~1 km cell, never the exact home position', () => {
      const base = { cursor: 1, alertId: 'al-9', districtCode: '420103', streetCode: '420103001', kind: 'fall', severity: 'critical', priority: 'P1', state: 'active', acknowledged: false, downgraded: false, raisedAt: T0, at: T0 };
      expect(districtAlertUpdateSchema.safeParse({ ...base, cell: { lat: 30.5801, lon: 114.2732 } }).success).toBe(false);
      expect(districtAlertUpdateSchema.safeParse({ ...base, cell: coarsenToCell({ lat: 30.5801, lon: 114.2732 }) }).success).toBe(true);
    });

    it('validates a KPI update with an empty district', () => {
      const zero = { samples: 0, p50Ms: null, p90Ms: null };
      const row = {
        alerts: 0, acceptedWithinSla: 0, effectiveResponseRate: null, acceptTime: zero, onSiteTime: zero, resolved: 0, falseAlarms: 0,
        falseAlarmShare: null, selfRecoveredFalls: 0, openOrders: 0, coverageGaps: 0, escalated: 0, byService: { meal: 0, cleaning: 0, medical: 0, remote_care: 0 },
      };
      expect(kpiUpdateSchema.safeParse({ cursor: 3, districtCode: '420103', from: T0, to: T0 + 1, district: row, streets: [] }).success).toBe(true);
      expect(kpiUpdateSchema.safeParse({ cursor: 3, districtCode: '420103', from: T0, to: T0 + 1, district: { ...row, effectiveResponseRate: 1.2 }, streets: [] }).success).toBe(false);
    });
  });

  it('types socket.io servers and clients with the event maps', () => {
    // Type-level: these lines only compile if the maps fit socket.io's generics.
    type DispatchNs = ReturnType<Server<DispatchClientToServerEvents, DispatchServerToClientEvents>['of']>;
    type DistrictNs = ReturnType<Server<DistrictClientToServerEvents, DistrictServerToClientEvents>['of']>;
    type Console = ClientSocket<DispatchServerToClientEvents, DispatchClientToServerEvents>;
    const emitOffer = (ns: DispatchNs, o: OfferPayload): boolean => ns.to('provider:prov-jh-01').emit('offer', o);
    const ack = (s: Console): Console => s.emit('offer:ack', { orderId: 'ord-42', attempt: 1, cursor: 17 });
    const onKpi = (ns: DistrictNs): DistrictNs => ns;
    expect([typeof emitOffer, typeof ack, typeof onKpi]).toEqual(['function', 'function', 'function']);
  });
});
