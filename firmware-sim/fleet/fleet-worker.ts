/** A child process of a sharded fleet: runs its slice of the manifest and answers over IPC. */
import { startFleet, type Fleet, type WorkerMessage, type WorkerReply } from './fleet.js';

let fleet: Fleet | undefined;

function send(message: WorkerReply): void {
  process.send?.(message);
}

process.on('message', (message: WorkerMessage) => {
  void handle(message);
});

async function handle(message: WorkerMessage): Promise<void> {
  switch (message.type) {
    case 'start':
      fleet = await startFleet({ ...message.options, maxDevicesPerProcess: Number.POSITIVE_INFINITY });
      void fleet.done.then(() => send({ type: 'done' }));
      send({ type: 'started' });
      return;
    case 'stats':
      send({ type: 'reply', id: message.id, ...(fleet ? { stats: await fleet.stats() } : {}) });
      return;
    case 'drain':
      send({ type: 'reply', id: message.id, drained: fleet ? await fleet.drain(message.timeoutMs ?? 10_000) : true });
      return;
    case 'stop':
      await fleet?.stop();
      send({ type: 'reply', id: message.id });
      return;
  }
}
