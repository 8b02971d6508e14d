import type { DomainEventName, DomainEvents } from './domain-events.js';

type Handler<K extends DomainEventName> = (event: DomainEvents[K]) => void;

/**
 * Synchronous, typed, in-process bus. Handlers run in subscription order on
 * the publisher's tick; one failing handler is reported and does not stop the
 * others (ingest must never crash on a rule's bug).
 */
export class DomainEventBus {
  private readonly handlers = new Map<DomainEventName, Handler<never>[]>();

  constructor(private readonly onHandlerError: (name: DomainEventName, error: unknown) => void = () => undefined) {}

  subscribe<K extends DomainEventName>(name: K, handler: Handler<K>): () => void {
    const list = (this.handlers.get(name) ?? []) as Handler<K>[];
    list.push(handler);
    this.handlers.set(name, list);
    return () => {
      const i = list.indexOf(handler);
      if (i >= 0) list.splice(i, 1);
    };
  }

  publish<K extends DomainEventName>(name: K, event: DomainEvents[K]): void {
    const list = this.handlers.get(name) as Handler<K>[] | undefined;
    if (!list) return;
    for (const handler of [...list]) {
      try {
        handler(event);
      } catch (error) {
        this.onHandlerError(name, error);
      }
    }
  }
}
