import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { FULL_CHECK_MULTIPLY_ADDS } from '../../engine/verify.ts';
import '../figures/grad-verify-errors/define.ts';
import '../figures/grad-verify-table/define.ts';
import '../figures/grad-verify-timings/define.ts';
import { SessionDriver, SessionView } from '../figures/shared-session.ts';
import { DEFAULT_LAB_STATE, type LabState } from '../lab/lab-state.ts';
import { gradVerifyStyles } from './grad-verify.styles.ts';
import {
  BACKEND_LABELS,
  BACKENDS_UNDER_TEST,
  check,
  EMPTY_VERIFICATION,
  measure,
  verifyConfig,
  verifyKey,
  VERIFY_SESSIONS,
  type BackendUnderTest,
  type VerifyConfig,
} from './verify-session.ts';

/**
 * CPU vs GPU: runs the lab's spec on the backend under test (WebGPU by default) several times and
 * shows the backend, its adapter (flagging software emulation, whose timings are not GPU speed),
 * and start-up with shader compilation against the steady-state compute time. "Verify" recomputes
 * the same problem with the cpu64 reference and shows, per layer, the largest relative error of
 * the statistics with pass or fail against the f32 tolerance (src/engine/tolerance.ts). When a
 * full cpu64 check would take too long it checks a random subset of the batch on both backends,
 * which is exact for per-sample quantities, and says so. When WebGPU is unavailable the run falls
 * back to the CPU and the section says so.
 *
 * Prose and a composition of figures: the check (grad-verify-table), its errors per layer
 * (grad-verify-errors) and the timings (grad-verify-timings). The section computes the
 * verification session of its configuration (grad-verify/verify-session.ts); the figures show it.
 *
 * @summary The run's backend, adapter and timings, and a per-layer check against cpu64.
 * @csspart run-status - Progress, Cancel, run errors and the CPU-fallback notice.
 * @cssproperty --grad-error - Colour of failures, errors and non-finite values.
 * @cssproperty --grad-ok - Colour of passes.
 * @cssproperty --grad-warn-bg - Background of the software-emulation and fallback notices.
 */
export class GradVerify extends LitElement {
  static override styles = gradVerifyStyles;
  static override properties = {
    state: { attribute: false },
    fullCheckLimit: { type: Number, attribute: 'full-check-limit' },
    backendUnderTest: { state: true },
  };

  declare state: LabState;
  /**
   * The most multiply-adds a full cpu64 check may take (verify.ts FULL_CHECK_MULTIPLY_ADDS);
   * above it a subset of samples is checked.
   */
  declare fullCheckLimit: number;
  declare backendUnderTest: BackendUnderTest;

  // Lazy: its timed WebGPU runs are the slowest on the page; they start when the section is seen.
  private readonly driver = new SessionDriver(this, VERIFY_SESSIONS, { lazy: true });
  private readonly view = new SessionView(this, VERIFY_SESSIONS, () => this.measureIfMissing());

  constructor() {
    super();
    this.state = DEFAULT_LAB_STATE;
    this.fullCheckLimit = FULL_CHECK_MULTIPLY_ADDS;
    this.backendUnderTest = 'webgpu';
  }

  /** What the verification depends on. */
  private get config(): VerifyConfig {
    return verifyConfig(this.state.spec, this.backendUnderTest, this.fullCheckLimit);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    const key = verifyKey(this.config);
    if (key === this.view.watched) return;
    this.view.show(key);
    void this.measure(false);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.measureIfMissing();
  }

  /**
   * Times the spec under test when the page has no session for it (nor a cancelled or failed
   * one, which waits for the reader): back on the page, or when another element computing it
   * went away.
   */
  private measureIfMissing(): void {
    if (this.isConnected && this.view.watched && !this.driver.runs.running && !this.view.session)
      void this.measure(false);
  }

  /** Times the spec under test (`again`: anew, not the page's last measurement of it). */
  private async measure(again: boolean): Promise<void> {
    const config = this.config;
    await this.driver.drive(
      verifyKey(config),
      EMPTY_VERIFICATION,
      (context) => measure(context, config, () => this.driver.runs.fallback),
      { force: again },
    );
  }

  /** Recomputes the run (or a subset of its samples) with cpu64 and compares layer by layer. */
  private async verify(): Promise<void> {
    const measured = this.view.session?.value;
    if (!measured?.result) return;
    const config = this.config;
    await this.driver.drive(
      verifyKey(config),
      { ...measured, checking: true, verification: null },
      (context) => check(context, measured, config.limit),
      { force: true },
    );
  }

  private onBackendChange(event: Event): void {
    this.backendUnderTest = (event.target as HTMLSelectElement).value as BackendUnderTest;
  }

  override render(): unknown {
    const session = this.view.session;
    const running = this.driver.runs.running || session?.status === 'running';
    const checking = session?.value.checking ?? false;
    const figure = (tag: 'table' | 'errors' | 'timings') => {
      const underTest = this.backendUnderTest;
      const limit = String(this.fullCheckLimit);
      if (tag === 'table')
        return html`<grad-verify-table
          controls="none"
          export
          under-test=${underTest}
          full-check-limit=${limit}
          .state=${this.state}
        ></grad-verify-table>`;
      if (tag === 'errors')
        return html`<grad-verify-errors
          controls="none"
          export
          under-test=${underTest}
          full-check-limit=${limit}
          .state=${this.state}
        ></grad-verify-errors>`;
      return html`<grad-verify-timings
        controls="none"
        export
        under-test=${underTest}
        full-check-limit=${limit}
        .state=${this.state}
      ></grad-verify-timings>`;
    };
    return html`
      <p class="note">
        The same network on the backend under test and on cpu64, the double-precision reference: how
        long it takes, and whether every layer's statistics agree within f32 rounding.
      </p>
      <div class="controls">
        <label
          >backend under test
          <select @change=${this.onBackendChange} ?disabled=${running}>
            ${BACKENDS_UNDER_TEST.map(
              (name) =>
                html`<option value=${name} ?selected=${name === this.backendUnderTest}>
                  ${BACKEND_LABELS[name]}
                </option>`,
            )}
          </select></label
        >
        <button type="button" @click=${() => void this.measure(true)} ?disabled=${running}>
          Time again
        </button>
        <button
          type="button"
          @click=${() => void this.verify()}
          ?disabled=${running || !session?.value.result}
        >
          Verify against cpu64
        </button>
      </div>
      ${this.driver.runs.render()} ${figure('table')}
      ${
        checking
          ? html`<p class="note">
                A statistic passes when |a − b| ≤ abs + rel·|b|, with b the cpu64 value and the
                tolerance of the precision under test (a mean is scaled by max(|mean|, std), since a
                mean near zero is only meaningful next to the spread); dead and saturated fractions
                may differ by one unit and by two entries or 0.2%, since a value within rounding of
                the threshold may flip; non-finite values (NaN, ±∞) must match on both sides.
              </p>
              ${figure('errors')}`
          : nothing
      }
      ${figure('timings')}
    `;
  }
}
