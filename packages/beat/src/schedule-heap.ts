/**
 * The beat loop's priority queue: a binary min-heap of schedule names keyed by their next fire
 * time (epoch ms), with a name → position index so one schedule can be moved or removed in
 * O(log n) when it fires or is edited. The loop only ever looks at the head; it never scans.
 */

/** One schedule in the heap: when it is due next. */
export interface HeapItem {
  readonly name: string;
  readonly next: number;
}

export class ScheduleHeap {
  readonly #items: HeapItem[] = [];
  readonly #index = new Map<string, number>();

  /** Builds a heap from many items in O(n) (bottom-up), as on loading a store. Later duplicates win. */
  static from(items: Iterable<HeapItem>): ScheduleHeap {
    const heap = new ScheduleHeap();
    for (const item of items) heap.#append(item);
    for (let i = (heap.#items.length >> 1) - 1; i >= 0; i--) heap.#down(i);
    return heap;
  }

  get size(): number {
    return this.#items.length;
  }

  has(name: string): boolean {
    return this.#index.has(name);
  }

  /** The earliest item, without removing it. */
  peek(): HeapItem | undefined {
    return this.#items[0];
  }

  /** When `name` is due, or undefined if it is not in the heap. */
  nextOf(name: string): number | undefined {
    const position = this.#index.get(name);
    return position === undefined ? undefined : this.#items[position]?.next;
  }

  /** Inserts `name`, or moves it if present: O(log n). */
  set(name: string, next: number): void {
    const position = this.#index.get(name);
    if (position === undefined) {
      this.#append({ name, next });
      this.#up(this.#items.length - 1);
      return;
    }
    this.#items[position] = { name, next };
    this.#restore(position);
  }

  /** Removes and returns the earliest item. */
  pop(): HeapItem | undefined {
    const head = this.#items[0];
    if (head) this.#removeAt(0);
    return head;
  }

  /** Removes `name`: O(log n); false if it was not there. */
  remove(name: string): boolean {
    const position = this.#index.get(name);
    if (position === undefined) return false;
    this.#removeAt(position);
    return true;
  }

  clear(): void {
    this.#items.length = 0;
    this.#index.clear();
  }

  #append(item: HeapItem): void {
    const existing = this.#index.get(item.name);
    if (existing !== undefined) {
      this.#items[existing] = item;
      return;
    }
    this.#index.set(item.name, this.#items.length);
    this.#items.push(item);
  }

  /** Fills the hole at `position` with the last item, then restores the heap order around it. */
  #removeAt(position: number): void {
    const removed = this.#items[position] as HeapItem;
    const last = this.#items.pop() as HeapItem;
    this.#index.delete(removed.name);
    if (position === this.#items.length) return;
    this.#place(last, position);
    this.#restore(position);
  }

  #restore(position: number): void {
    if (!this.#up(position)) this.#down(position);
  }

  /** Moves the item at `position` towards the root; true if it moved. */
  #up(position: number): boolean {
    const item = this.#items[position] as HeapItem;
    let i = position;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = this.#items[parent] as HeapItem;
      if (above.next <= item.next) break;
      this.#place(above, i);
      i = parent;
    }
    this.#place(item, i);
    return i !== position;
  }

  #down(position: number): void {
    const item = this.#items[position] as HeapItem;
    let i = position;
    for (;;) {
      const child = this.#smallerChild(i);
      if (child === -1 || (this.#items[child] as HeapItem).next >= item.next) break;
      this.#place(this.#items[child] as HeapItem, i);
      i = child;
    }
    this.#place(item, i);
  }

  #smallerChild(i: number): number {
    const left = 2 * i + 1;
    if (left >= this.#items.length) return -1;
    const right = left + 1;
    if (right >= this.#items.length) return left;
    return (this.#items[right] as HeapItem).next < (this.#items[left] as HeapItem).next ? right : left;
  }

  #place(item: HeapItem, position: number): void {
    this.#items[position] = item;
    this.#index.set(item.name, position);
  }
}
