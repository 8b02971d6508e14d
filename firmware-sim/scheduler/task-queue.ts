/**
 * One priority queue drives every device of a fleet (a binary min-heap on
 * due time, ties in insertion order so runs are deterministic). Thousands of
 * devices cost one timer, not one each.
 */
export interface ScheduledTask {
  readonly due: number;
  /** Insertion order, breaks ties between equal due times. */
  readonly order: number;
  readonly run: (due: number) => void;
  cancelled: boolean;
}

export class TaskQueue {
  private readonly heap: ScheduledTask[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `run` at `due`; keep the handle to cancel it. */
  schedule(due: number, run: (due: number) => void): ScheduledTask {
    const task: ScheduledTask = { due, order: this.counter++, run, cancelled: false };
    this.heap.push(task);
    this.siftUp(this.heap.length - 1);
    return task;
  }

  /** Due time of the earliest live task, or undefined when empty. */
  peekDue(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.due;
  }

  /**
   * Runs tasks due at or before `until`, earliest first, at most `limit` of
   * them (so a driver can yield to I/O). Returns how many ran.
   */
  runDue(until: number, limit = Number.POSITIVE_INFINITY): number {
    let ran = 0;
    while (ran < limit) {
      this.dropCancelled();
      const top = this.heap[0];
      if (!top || top.due > until) break;
      this.pop();
      ran++;
      top.run(top.due);
    }
    return ran;
  }

  clear(): void {
    this.heap.length = 0;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private pop(): ScheduledTask | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      this.siftDown(0);
    }
    return top;
  }

  private less(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    return a.due < b.due || (a.due === b.due && a.order < b.order);
  }

  private swap(i: number, j: number): void {
    const t = this.heap[i]!;
    this.heap[i] = this.heap[j]!;
    this.heap[j] = t;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
