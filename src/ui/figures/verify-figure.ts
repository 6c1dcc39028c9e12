/**
 * What the verification figures share (grad-verify-table, grad-verify-errors,
 * grad-verify-timings): the lab's spec from their attributes, the backend under test
 * (`under-test`) and the largest full check (`full-check-limit`); one verification per
 * configuration, shared between them as a session (grad-verify/verify-session.ts).
 */
import { css, html } from 'lit';
import { loadSpecForm } from '../grad-spec-form/load.ts';
import { FULL_CHECK_MULTIPLY_ADDS } from '../../engine/verify.ts';
import type { FigureControls } from '../figure/figure-controls.ts';
import { choiceOption, numberOption } from '../figure/figure-options.ts';
import { GradFigure } from '../figure/grad-figure.ts';
import { LAB_STATE_READER, type LabState } from '../lab/lab-state.ts';
import type { TaskContext } from '../lab/run-controller.ts';
import {
  BACKEND_LABELS,
  BACKENDS_UNDER_TEST,
  EMPTY_VERIFICATION,
  measureAndCheck,
  verifyConfig,
  verifyKey,
  VERIFY_SESSIONS,
  type VerifyConfig,
  type VerifySession,
} from '../grad-verify/verify-session.ts';
import { SessionFigure } from './session-figure.ts';
import { type SessionHandle, type SessionStore } from './shared-session.ts';

export const UNDER_TEST = choiceOption('under-test', BACKENDS_UNDER_TEST, 'webgpu');
export const FULL_CHECK_LIMIT = numberOption('full-check-limit', 1, 1e15, FULL_CHECK_MULTIPLY_ADDS);

export const verifyFigureStyles = css`
  .notice {
    display: inline-block;
    padding: 0.1rem 0.4rem;
    border-radius: 3px;
    background: var(--grad-warn-bg, rgba(191, 135, 0, 0.15));
    font-weight: 600;
  }
  p.notice {
    display: block;
  }
  td.detail,
  span.detail {
    font-size: 0.8rem;
    font-weight: 400;
    text-align: left;
  }
  td.statistic {
    white-space: nowrap;
  }
  td.fail,
  td.pass {
    text-align: left;
  }
  table[part='table'] td:last-child {
    min-width: 10rem;
    max-width: 40rem;
    white-space: normal;
  }
`;

export abstract class VerifyFigure extends SessionFigure<LabState, VerifySession> {
  static override styles = [GradFigure.styles, verifyFigureStyles];
  static override stateReader = LAB_STATE_READER;
  static override optionRules = [UNDER_TEST, FULL_CHECK_LIMIT];

  /** What the verification depends on: the spec under test and the full-check limit. */
  get config(): VerifyConfig {
    return verifyConfig(this.state.spec, this.option(UNDER_TEST), this.option(FULL_CHECK_LIMIT));
  }

  protected override sessionStore(): SessionStore<VerifySession> {
    return VERIFY_SESSIONS;
  }

  protected override sessionKey(): string {
    return verifyKey(this.config);
  }

  protected override initialValue(): VerifySession {
    return EMPTY_VERIFICATION;
  }

  protected override compute(
    context: TaskContext,
    handle: SessionHandle<VerifySession>,
  ): Promise<VerifySession> {
    return measureAndCheck(context, handle, this.config, () => this.driver.runs.fallback);
  }

  /** What has been computed so far. */
  protected get verification(): VerifySession {
    return this.session?.value ?? EMPTY_VERIFICATION;
  }

  protected override renderSettings(): unknown {
    void loadSpecForm();
    return html`<grad-spec-form .spec=${this.state.spec}></grad-spec-form>`;
  }

  /** The backend under test, and a fresh measurement and check. */
  protected override renderControls(ui: FigureControls): unknown {
    const running = this.driver.runs.running || this.session?.status === 'running';
    return html`${ui.segmented(
        'backend under test',
        'under-test',
        BACKENDS_UNDER_TEST.map((value) => ({ value, label: BACKEND_LABELS[value] })),
        this.option(UNDER_TEST),
        (value) => this.setAttribute('under-test', value),
      )}
      <button type="button" ?disabled=${running} @click=${() => void this.again()}>
        Time and verify again
      </button>`;
  }

  private async again(): Promise<void> {
    await this.runSession(this.sessionKey(), true);
  }
}
