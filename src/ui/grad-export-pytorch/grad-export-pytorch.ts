import { css, html, LitElement, nothing } from 'lit';
import type { RunSpec } from '../../engine/spec.ts';
import {
  EXPORT_DTYPES,
  exportCommand,
  exportPyTorch,
  type ExportDtype,
} from '../../export/pytorch.ts';
import { token } from '../design/tokens.ts';
import { controlStyles, segmented } from '../figure/controls.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { sectionStyles } from '../lab/section.styles.ts';

/** The program's file name: what it builds and in which precision. */
export function exportFileName(spec: RunSpec, dtype: ExportDtype): string {
  return `gradlab_${spec.activation}_${spec.init}_depth${spec.depth}_${dtype}.py`;
}

/**
 * Export as PyTorch: the network of a run spec as a self-contained Python program (exportPyTorch,
 * src/export/pytorch.ts; the CLI's `export --format pytorch` writes the same text): the same
 * network as an nn.Module, one forward and backward pass in float64 or float32, and the per-layer
 * statistics printed as JSON with the keys of `gradlab run --json`. With `rng` numpy it draws
 * gradlab's very weights, and its numbers agree with the cpu64 backend to about 1e-15. Download
 * it as a .py file, or copy it.
 *
 * In the lab's settings panel the lab hands it `.spec` (the current settings); on its own it reads
 * the run spec's attributes (`activation`, `depth`, `rng`…), like every section.
 *
 * @summary Your current network as a PyTorch program, to download or copy.
 * @csspart program - The program's text.
 */
export class GradExportPytorch extends LitElement {
  static override styles = [
    sectionStyles,
    controlStyles,
    css`
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: ${token('space-2')};
        align-items: end;
        margin: ${token('space-2')} 0;
      }
      pre {
        max-height: 24rem;
        overflow: auto;
        background: ${token('surface')};
        border: 1px solid ${token('rule')};
        border-radius: ${token('radius')};
        padding: ${token('space-3')};
        font-size: ${token('text-xs')};
      }
    `,
  ];
  static override properties = {
    state: { attribute: false },
    spec: { attribute: false },
    dtype: { state: true },
    notice: { state: true },
  };

  /** The lab's state (or, on its own, the attributes'): its spec is exported unless `.spec` is set. */
  declare state: LabState;
  /** The spec to export; overrides `state.spec`. */
  declare spec: RunSpec | null;
  /** The precision of the exported pass. */
  declare dtype: ExportDtype;
  /** What the last Copy did. */
  declare notice: string | null;

  private cache: { spec: RunSpec; dtype: ExportDtype; program: string | Error } | null = null;

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.spec = null;
    this.dtype = 'float64';
    this.notice = null;
  }

  /** The spec exported. */
  get exportedSpec(): RunSpec {
    return this.spec ?? this.state.spec;
  }

  /** The program, exactly as exportPyTorch writes it (or why it could not be written). */
  get program(): string | Error {
    const spec = this.exportedSpec;
    const dtype = this.dtype;
    if (this.cache?.spec !== spec || this.cache.dtype !== dtype) {
      let program: string | Error;
      try {
        program = exportPyTorch(spec, { dtype });
      } catch (error) {
        program = error instanceof Error ? error : new Error(String(error));
      }
      this.cache = { spec, dtype, program };
    }
    return this.cache.program;
  }

  /** Saves the program as a .py file (a download of a blob: URL made here). */
  download(): void {
    const program = this.program;
    if (program instanceof Error) return;
    const url = URL.createObjectURL(new Blob([program], { type: 'text/x-python' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = exportFileName(this.exportedSpec, this.dtype);
    link.hidden = true;
    this.renderRoot.append(link);
    link.click();
    link.remove();
    // After the download has started with it.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** Copies the program to the clipboard, or says how to where the page may not. */
  async copy(): Promise<void> {
    const program = this.program;
    if (program instanceof Error) return;
    try {
      if (!navigator.clipboard) throw new Error('this page has no clipboard access');
      await navigator.clipboard.writeText(program);
      this.notice = `Copied ${program.split('\n').length} lines.`;
    } catch (error) {
      const details = this.renderRoot.querySelector('details');
      if (details) details.open = true;
      this.notice = `Could not copy (${error instanceof Error ? error.message : String(error)}): select the program below and copy it.`;
    }
  }

  override render(): unknown {
    const spec = this.exportedSpec;
    const program = this.program;
    if (program instanceof Error)
      return html`<p class="error" role="alert">
        This network cannot be written as a PyTorch program: ${program.message}
      </p>`;
    const lines = program.split('\n').length;
    return html`<p class="note">
        The network of these settings as a self-contained PyTorch program: the same layers, init and
        activation as an <code>nn.Module</code>, one forward and backward pass, and the per-layer
        statistics printed as JSON with the keys of <code>gradlab run --json</code>.
        ${
          spec.rng === 'numpy'
            ? html`With rng numpy it draws gradlab's very weights, inputs and targets, so in float64
              its numbers agree with the cpu64 backend to about 10⁻¹⁵.`
            : html`With rng ${spec.rng} it draws the same distributions with torch's generator, so
              its numbers differ from gradlab's; choose rng numpy in the settings for the very same
              weights.`
        }
      </p>
      <div class="actions">
        ${segmented(
          'precision',
          'dtype',
          EXPORT_DTYPES.map((dtype) => ({ value: dtype, label: dtype })),
          this.dtype,
          (dtype) => {
            this.dtype = dtype;
            this.notice = null;
          },
        )}
        <button
          type="button"
          class="primary"
          data-action="download"
          @click=${() => this.download()}
        >
          Download ${exportFileName(spec, this.dtype)}
        </button>
        <button type="button" data-action="copy" @click=${() => void this.copy()}>Copy</button>
      </div>
      <p class="status" role="status">${this.notice ?? nothing}</p>
      <details>
        <summary>The program (${lines} lines)</summary>
        <pre part="program"><code>${program}</code></pre>
      </details>
      <p class="note">
        The same from the command line: <code>${exportCommand(spec, this.dtype)}</code>
      </p>`;
  }
}
