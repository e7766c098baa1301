/**
 * The beat loop's priority queue: a binary min-heap of schedule names keyed by their next fire
 * time (epoch ms), with a name → item index (each item knows its position) so one schedule can be
 * moved or removed in O(log n) when it fires or is edited. The loop only ever looks at the head; it never scans.
 */

/** One schedule in the heap: when it is due next. */
export interface HeapItem {
  readonly name: string;
  readonly next: number;
}

/**
 * An item as the heap keeps it: its position is a field, not an entry in the index, so moving an
 * item is a property write. Keeping positions in the name → position Map cost a Map.set per level
 * of every sift, a tenth of beat's hand-off in a burst of 25,000.
 */
interface Node {
  readonly name: string;
  next: number;
  position: number;
}

export class ScheduleHeap {
  readonly #items: Node[] = [];
  readonly #index = new Map<string, Node>();

  /** Builds a heap from many items in O(n) (bottom-up), as on loading a store. Later duplicates win. */
  static from(items: Iterable<HeapItem>): ScheduleHeap {
    const heap = new ScheduleHeap();
    for (const item of items) heap.#append(item.name, item.next);
    for (let i = (heap.#items.length >> 1) - 1; i >= 0; i--) heap.#down(i);
    return heap;
  }

  get size(): number {
    return this.#items.length;
  }

  has(name: string): boolean {
    return this.#index.has(name);
  }

  /** The earliest item, without removing it: the heap's own object, valid until the heap next changes. */
  peek(): HeapItem | undefined {
    return this.#items[0];
  }

  /** When `name` is due, or undefined if it is not in the heap. */
  nextOf(name: string): number | undefined {
    return this.#index.get(name)?.next;
  }

  /** Inserts `name`, or moves it if present: O(log n). */
  set(name: string, next: number): void {
    const node = this.#index.get(name);
    if (node === undefined) {
      this.#up(this.#append(name, next).position);
      return;
    }
    node.next = next;
    this.#restore(node.position);
  }

  /** Removes and returns the earliest item (the heap's own object: read it, do not keep it). */
  pop(): HeapItem | undefined {
    const head = this.#items[0];
    if (head) this.#removeAt(0);
    return head;
  }

  /** Removes `name`: O(log n); false if it was not there. */
  remove(name: string): boolean {
    const node = this.#index.get(name);
    if (node === undefined) return false;
    this.#removeAt(node.position);
    return true;
  }

  clear(): void {
    this.#items.length = 0;
    this.#index.clear();
  }

  #append(name: string, next: number): Node {
    const existing = this.#index.get(name);
    if (existing !== undefined) {
      existing.next = next;
      return existing;
    }
    const node: Node = { name, next, position: this.#items.length };
    this.#index.set(name, node);
    this.#items.push(node);
    return node;
  }

  /** Fills the hole at `position` with the last item, then restores the heap order around it. */
  #removeAt(position: number): void {
    const removed = this.#items[position] as Node;
    const last = this.#items.pop() as Node;
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
    const item = this.#items[position] as Node;
    let i = position;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = this.#items[parent] as Node;
      if (above.next <= item.next) break;
      this.#place(above, i);
      i = parent;
    }
    this.#place(item, i);
    return i !== position;
  }

  #down(position: number): void {
    const item = this.#items[position] as Node;
    let i = position;
    for (;;) {
      const child = this.#smallerChild(i);
      if (child === -1 || (this.#items[child] as Node).next >= item.next) break;
      this.#place(this.#items[child] as Node, i);
      i = child;
    }
    this.#place(item, i);
  }

  #smallerChild(i: number): number {
    const left = 2 * i + 1;
    if (left >= this.#items.length) return -1;
    const right = left + 1;
    if (right >= this.#items.length) return left;
    return (this.#items[right] as Node).next < (this.#items[left] as Node).next ? right : left;
  }

  #place(item: Node, position: number): void {
    this.#items[position] = item;
    item.position = position;
  }
}
