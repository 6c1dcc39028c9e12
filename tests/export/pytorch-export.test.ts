/** The text of exported PyTorch programs: what each spec field becomes. */
import { describe, expect, it } from 'vitest';
import { parseSpec, type SpecInput } from '../../src/engine/spec.ts';
import { exportCommand, exportPyTorch } from '../../src/export/pytorch.ts';

const program = (input: SpecInput, dtype?: 'float64' | 'float32') =>
  exportPyTorch(parseSpec(input), dtype ? { dtype } : {});

/** The value of `NAME = value` at the start of a line. */
function constant(text: string, name: string): string {
  const match = new RegExp(`^${name} = (.*)$`, 'm').exec(text);
  if (!match) throw new Error(`${name} not found`);
  return match[1]!;
}

describe('exportPyTorch', () => {
  it('the network: sizes, batch, biases, residual and batchnorm as constants', () => {
    const text = program({
      activation: 'relu',
      depth: 3,
      width: 16,
      inputs: 5,
      outputs: 2,
      batch: 9,
      'sigma-b': 0.1,
      residual: true,
      batchnorm: true,
      seed: 7,
    });
    expect(constant(text, 'SIZES')).toBe('[5, 16, 16, 16, 2]');
    expect(constant(text, 'BATCH')).toBe('9');
    expect(constant(text, 'SEED')).toBe('7');
    expect(constant(text, 'SIGMA_B')).toBe('0.1');
    expect(constant(text, 'RESIDUAL')).toBe('True');
    expect(constant(text, 'BATCHNORM')).toBe('True');
    expect(constant(text, 'BATCHNORM_EPS')).toBe('1e-5');
    expect(constant(text, 'DTYPE')).toBe('torch.float64');
    expect(text).toContain(
      'nn.BatchNorm1d(n_out, eps=BATCHNORM_EPS, affine=False, track_running_stats=False)',
    );
    expect(text).toContain('residual=RESIDUAL and is_hidden and n_in == n_out');
    expect(text).toContain('loss = 0.5 * ((output - y) ** 2).sum()');
    expect(text).toContain('"residual": True,');
  });

  it('each activation as its PyTorch module, with α where it has one', () => {
    const modules: Record<string, string> = {
      sigmoid: 'nn.Sigmoid()',
      tanh: 'nn.Tanh()',
      relu: 'nn.ReLU()',
      leaky_relu: 'nn.LeakyReLU(negative_slope=0.01)',
      elu: 'nn.ELU(alpha=1.0)',
      gelu: 'nn.GELU()',
      gelu_tanh: "nn.GELU(approximate='tanh')",
      silu: 'nn.SiLU()',
      softplus: 'nn.Softplus(beta=1.0, threshold=40.0)',
      step: 'Heaviside()',
      linear: 'nn.Identity()',
    };
    for (const [activation, module] of Object.entries(modules)) {
      const text = program({ activation });
      expect(text, activation).toMatch(
        new RegExp(
          `def hidden_activation\\(\\):\\n(    # .*\\n)+    return ${module.replace(/[()]/g, '\\$&')}\\n`,
        ),
      );
      // The output unit is linear by default.
      expect(text).toContain(
        'def output_activation():\n    # the identity\n    return nn.Identity()',
      );
      expect(text.includes('class HeavisideFunction(torch.autograd.Function)')).toBe(
        activation === 'step',
      );
    }
    expect(program({ activation: 'leaky_relu', alpha: 0.2 })).toContain(
      'return nn.LeakyReLU(negative_slope=0.2)',
    );
    expect(program({ activation: 'elu', alpha: 0.5, 'output-activation': 'same' })).toContain(
      'def output_activation():\n    # x for x > 0, α(eˣ − 1) otherwise, α = 0.5; the slope at 0 is α\n    return nn.ELU(alpha=0.5)',
    );
  });

  it('with --rng numpy: gradlab’s draws, each scaled as the matching nn.init call', () => {
    const scales: Record<string, string> = {
      normal: 'weights.append(np.random.randn(n_out, n_in) * 1.0)',
      xavier: 'std = math.sqrt(2 / (n_in + n_out))',
      xavier_uniform: 'limit = math.sqrt(6 / (n_in + n_out))',
      he: 'std = math.sqrt(2 / n_in)',
      he_uniform: 'limit = math.sqrt(6 / n_in)',
      lecun: 'std = math.sqrt(1 / n_in)',
      orthogonal: 'weights.append(orthogonal(np.random.randn(n_out, n_in)) * GAIN)',
      custom: 'std = SIGMA_W / math.sqrt(n_in)',
    };
    for (const [init, line] of Object.entries(scales)) {
      const text = program({ init, rng: 'numpy' });
      expect(text, init).toContain(`        ${line}\n`);
      expect(text).toContain('import numpy as np');
      expect(text).toContain('np.random.seed(SEED)');
      expect(text).not.toContain('NOTE');
      expect(text.includes('def orthogonal(normals):')).toBe(init === 'orthogonal');
    }
    const custom = program({ init: 'custom', 'sigma-w': 1.5, rng: 'numpy' });
    expect(constant(custom, 'SIGMA_W')).toBe('1.5');
    const orthogonal = program({ init: 'orthogonal', gain: 1.3, rng: 'numpy' });
    expect(constant(orthogonal, 'GAIN')).toBe('1.3');
  });

  it('with --rng philox: nn.init calls, torch’s generator, and a note that the numbers differ', () => {
    const calls: Record<string, string> = {
      normal: 'nn.init.normal_(weight, mean=0.0, std=1.0)',
      xavier: 'nn.init.xavier_normal_(weight)',
      xavier_uniform: 'nn.init.xavier_uniform_(weight)',
      he: "nn.init.kaiming_normal_(weight, mode='fan_in', nonlinearity='relu')",
      he_uniform: "nn.init.kaiming_uniform_(weight, mode='fan_in', nonlinearity='relu')",
      lecun: "nn.init.kaiming_normal_(weight, mode='fan_in', nonlinearity='linear')",
      orthogonal: 'nn.init.orthogonal_(weight, gain=GAIN)',
      custom: 'nn.init.normal_(weight, mean=0.0, std=SIGMA_W / math.sqrt(weight.shape[1]))',
    };
    for (const [init, call] of Object.entries(calls)) {
      const text = program({ init });
      expect(text, init).toContain(`            ${call}\n`);
      expect(text).not.toContain('import numpy');
      expect(text).not.toContain('np.random');
      expect(text).toContain('torch.manual_seed(SEED)');
      expect(text).toContain('print(f"note: {NOTE}", file=sys.stderr)');
    }
    expect(program({})).toContain(
      'gradlab draws this run with its Philox generator (--rng philox); this program draws the same',
    );
  });

  it('--dtype float32', () => {
    const text = program({}, 'float32');
    expect(constant(text, 'DTYPE')).toBe('torch.float32');
    expect(text).toContain('"precision": "f32"');
    expect(text).toContain('--dtype float32');
  });

  it('names the command that wrote it; its flags give back the same spec', () => {
    const input = {
      activation: 'leaky_relu',
      alpha: 0.2,
      init: 'custom',
      'sigma-w': 1.25,
      'sigma-b': 0.05,
      depth: 4,
      width: 12,
      residual: true,
      rng: 'numpy',
      'output-activation': 'same',
    };
    const spec = parseSpec(input);
    const command = exportCommand(spec);
    expect(program(input)).toContain(`Written by:\n    ${command}\n`);
    const flags: Record<string, string> = {};
    const words = command.replace('npm run -s cli -- export --format pytorch ', '').split(' ');
    for (let i = 0; i < words.length; i++) {
      const name = words[i]!.slice(2);
      const next = words[i + 1];
      if (next === undefined || next.startsWith('--')) flags[name] = 'true';
      else {
        flags[name] = next;
        i++;
      }
    }
    expect(parseSpec(flags)).toEqual(spec);
  });

  it('writes numbers that Python reads back as the same doubles', () => {
    const text = program({ 'sigma-b': 0.1 + 0.2, init: 'custom', 'sigma-w': 1e-7 });
    expect(Number(constant(text, 'SIGMA_B'))).toBe(0.1 + 0.2);
    expect(constant(text, 'SIGMA_W')).toBe('1e-7');
    // sup|φ'| of sigmoid, as gradlab measures it (0.25), sets the saturation scale.
    expect(constant(program({ activation: 'sigmoid' }), 'MAX_SLOPE_HIDDEN')).toBe('0.25');
  });
});
