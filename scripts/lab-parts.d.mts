export interface LabPart {
  /** The chunk's name: the part's id in index.html (the first part is `lab`, the shell). */
  readonly name: string;
  /** The modules the part starts from, as paths from the repository root. */
  readonly roots: string[];
}
export function labParts(html?: string): LabPart[];
export function labCodeSplitting(
  parts?: LabPart[],
  embedEntry?: string,
): import('rolldown').OutputOptions['codeSplitting'];
