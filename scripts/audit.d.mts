export interface AuditSummary {
  readonly scores: Record<'performance' | 'accessibility' | 'best-practices' | 'seo', number>;
  readonly metrics: Record<string, string>;
  readonly failing: readonly { category: string; id: string; title: string; score: number }[];
}
export declare function audit(url: string, config?: unknown): Promise<unknown>;
export declare function summarize(lhr: unknown): AuditSummary;
