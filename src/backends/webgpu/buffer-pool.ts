/**
 * Storage buffers reused across runs: a run's buffers go back to the pool when it is disposed, and
 * the next run of the same shape takes them again instead of allocating. Sizes are rounded up to
 * 256 bytes so nearby sizes share buckets; what the pool keeps idle is capped.
 */
export class BufferPool {
  private readonly idle = new Map<string, GPUBuffer[]>();
  private idleBytes = 0;
  /** Buffers handed out and not yet released: the accounting a cancelled run must return to 0. */
  private readonly lent = new Set<GPUBuffer>();
  private lentBytes = 0;
  /** Set by destroy(): buffers released afterwards are destroyed, not kept. */
  private closed = false;

  constructor(
    private readonly device: GPUDevice,
    /** Idle bytes kept for reuse; beyond this, released buffers are destroyed. */
    private readonly maxIdleBytes = 1024 ** 3,
  ) {}

  private static key(size: number, usage: number): string {
    return `${usage}:${size}`;
  }

  acquire(bytes: number, usage: number, label: string): GPUBuffer {
    const size = Math.max(256, Math.ceil(bytes / 256) * 256);
    const bucket = this.idle.get(BufferPool.key(size, usage));
    const reused = bucket?.pop();
    let buffer: GPUBuffer;
    if (reused) {
      this.idleBytes -= size;
      reused.label = label;
      buffer = reused;
    } else buffer = this.device.createBuffer({ label, size, usage });
    this.lent.add(buffer);
    this.lentBytes += buffer.size;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    // A buffer released twice, or never lent, would be handed to two runs at once.
    if (!this.lent.delete(buffer))
      throw new Error(`buffer ${buffer.label} was released to a pool that did not lend it`);
    this.lentBytes -= buffer.size;
    if (this.closed || this.idleBytes + buffer.size > this.maxIdleBytes) {
      buffer.destroy();
      return;
    }
    const key = BufferPool.key(buffer.size, buffer.usage);
    const bucket = this.idle.get(key) ?? [];
    bucket.push(buffer);
    this.idle.set(key, bucket);
    this.idleBytes += buffer.size;
  }

  /** Buffers lent to runs and not yet released. */
  get inUseCount(): number {
    return this.lent.size;
  }

  /** Bytes of the buffers lent to runs and not yet released. */
  get inUseByteCount(): number {
    return this.lentBytes;
  }

  /** Bytes of the buffers waiting for reuse. */
  get idleByteCount(): number {
    return this.idleBytes;
  }

  /** Buffers waiting for reuse. */
  get idleCount(): number {
    let count = 0;
    for (const bucket of this.idle.values()) count += bucket.length;
    return count;
  }

  /** Destroys the idle buffers; buffers still lent are destroyed when released. */
  destroy(): void {
    for (const bucket of this.idle.values()) for (const buffer of bucket) buffer.destroy();
    this.idle.clear();
    this.idleBytes = 0;
    this.closed = true;
  }
}
