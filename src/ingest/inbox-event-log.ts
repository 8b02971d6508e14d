/**
 * The durable inbox as the rules' AcceptedEventLog: after a restart the
 * alerting adapter reads the messages accepted after its snapshot and feeds
 * their events to the engine again (see domain/rules/rule-replay.ts).
 */
import type { AcceptedEntry, AcceptedEventLog } from '../domain/rules/rule-replay.js';
import type { DurableInbox } from './durable-inbox.js';
import { domainEventFromReplayForm } from './uplink-to-domain-event.js';

export class InboxEventLog implements AcceptedEventLog {
  constructor(private readonly inbox: DurableInbox) {}

  readAfter(afterInboxId: number, limit: number): AcceptedEntry[] {
    return this.inbox.readReplayAfter(afterInboxId, limit).map((row): AcceptedEntry => {
      const base = { inboxId: row.id, receivedAt: row.receivedAt };
      if (row.replay === null) return { ...base, accepted: null, skipped: 'not_recorded' };
      const accepted = domainEventFromReplayForm(row.replay, row.receivedAt, row.id);
      return accepted === undefined ? { ...base, accepted: null, skipped: 'unreadable' } : { ...base, accepted };
    });
  }

  markEvaluated(inboxId: number): void {
    this.inbox.markEvaluated(inboxId);
  }
}
